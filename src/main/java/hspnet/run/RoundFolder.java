package hspnet.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import hspnet.config.ConfigException;
import hspnet.io.AtomicFiles;
import java.nio.file.FileAlreadyExistsException;

/**
 * {@code checkpoints/{checkpoint}/roundN}: every training run gets a new round folder (N = the
 * number of rounds already there + 1, or the next free number), holding its log and checkpoints;
 * {@code -t -r N} evaluates round N.
 */
public final class RoundFolder {
  private static final Pattern ROUND = Pattern.compile("round(\\d+)");

  private RoundFolder() {}

  public static Path runFolder(Path checkpointsRoot, String checkpoint) {
    return checkpointsRoot.resolve(checkpoint);
  }

  /** Creates and returns the folder of a new round. */
  public static Path createNext(Path checkpointsRoot, String checkpoint) throws IOException {
    Path run = runFolder(checkpointsRoot, checkpoint);
    Files.createDirectories(run);
    int n = countRounds(run) + 1;
    while (true) {
      Path candidate = run.resolve("round" + n);
      try {
        return Files.createDirectory(candidate);
      } catch (FileAlreadyExistsException e) {
        n++; // a round was deleted earlier, or another run took this number: use the next one
      }
    }
  }

  /** An existing round; a clear error when it is not there. */
  public static Path existing(Path checkpointsRoot, String checkpoint, int round) {
    Path run = runFolder(checkpointsRoot, checkpoint);
    Path folder = run.resolve("round" + round);
    if (!Files.isDirectory(folder)) {
      int latest = latestRound(run);
      throw new ConfigException(folder + ": no such round" + (latest > 0
          ? " (rounds of '" + checkpoint + "' go up to " + latest + ")"
          : " ('" + checkpoint + "' has not been trained yet)"));
    }
    return folder;
  }

  /** The highest round number under a run folder, 0 when there is none. */
  public static int latestRound(Path run) {
    if (!Files.isDirectory(run)) return 0;
    try (Stream<Path> s = Files.list(run)) {
      return s.map(p -> ROUND.matcher(p.getFileName().toString()))
          .filter(Matcher::matches).mapToInt(m -> Integer.parseInt(m.group(1))).max().orElse(0);
    } catch (IOException e) {
      return 0;
    }
  }

  /**
   * The latest round that holds {@code needed} (a round killed in its first epoch, or one whose
   * data failed early, holds only its config and log), and the later rounds passed over.
   */
  public record Choice(int round, List<Integer> skipped) {}

  public static Choice latestWith(Path run, String needed) {
    List<Integer> rounds = new ArrayList<>();
    if (Files.isDirectory(run)) {
      try (Stream<Path> s = Files.list(run)) {
        s.map(p -> ROUND.matcher(p.getFileName().toString())).filter(Matcher::matches)
            .forEach(m -> rounds.add(Integer.parseInt(m.group(1))));
      } catch (IOException e) {
        return new Choice(0, List.of());
      }
    }
    rounds.sort(Comparator.reverseOrder());
    List<Integer> skipped = new ArrayList<>();
    for (int n : rounds) {
      if (Files.isRegularFile(run.resolve("round" + n).resolve(needed))) return new Choice(n, skipped);
      skipped.add(n);
    }
    return new Choice(0, skipped);
  }

  /**
   * Round N, or when N is null the latest round holding {@code needed} (later rounds without it,
   * such as one killed in its first epoch, are named on {@code out} and passed over); a clear
   * error when there is none. {@code purpose} says what the round is wanted for.
   */
  public static Path choose(Path checkpointsRoot, String checkpoint, Integer round, String purpose, String needed, PrintStream out) {
    if (round != null) return existing(checkpointsRoot, checkpoint, round);
    Path run = runFolder(checkpointsRoot, checkpoint);
    Choice c = latestWith(run, needed);
    boolean one = c.skipped().size() == 1;
    String skipped = c.skipped().isEmpty() ? "" : "round" + String.join(", round", c.skipped().stream().map(String::valueOf).toList());
    if (c.round() == 0)
      throw new ConfigException("'" + checkpoint + "' has no " + (skipped.isEmpty() ? "trained round" : "round with " + needed)
          + " under " + checkpointsRoot + " to " + purpose + (skipped.isEmpty() ? "" : " (" + skipped + (one ? " holds" : " hold")
          + " none: stopped or failed before completing an epoch)"));
    if (!skipped.isEmpty())
      out.println("note: " + skipped + " of '" + checkpoint + "' " + (one ? "holds" : "hold") + " no " + needed
          + " (stopped or failed before completing an epoch); using round" + c.round() + " (-r N picks another)");
    return run.resolve("round" + c.round());
  }

  /** Whether a file can be created in {@code folder} (tried, not guessed: root ignores permission bits, a read-only mount does not). */
  public static boolean canWrite(Path folder) {
    try {
      Files.delete(Files.createTempFile(folder, ".write-probe.", ".tmp"));
      return true;
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }

  /** Removes the temporary files an interrupted write left in these folders; returns their names. */
  public static List<String> removeOrphans(Path... folders) {
    List<String> removed = new ArrayList<>();
    for (Path f : folders) {
      try {
        for (String name : AtomicFiles.removeOrphans(f)) removed.add(f.resolve(name).toString());
      } catch (IOException e) {
        // a folder we cannot clean is no reason not to run; the orphans stay
      }
    }
    return removed;
  }

  static int countRounds(Path run) throws IOException {
    try (Stream<Path> s = Files.list(run)) {
      return (int) s.filter(p -> Files.isDirectory(p) && ROUND.matcher(p.getFileName().toString()).matches()).count();
    }
  }
}
