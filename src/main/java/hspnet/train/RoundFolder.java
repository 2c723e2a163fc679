package hspnet.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import hspnet.config.ConfigException;

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
      } catch (java.nio.file.FileAlreadyExistsException e) {
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
  public record Choice(int round, java.util.List<Integer> skipped) {}

  public static Choice latestWith(Path run, String needed) {
    java.util.List<Integer> rounds = new java.util.ArrayList<>();
    if (Files.isDirectory(run)) {
      try (Stream<Path> s = Files.list(run)) {
        s.map(p -> ROUND.matcher(p.getFileName().toString())).filter(Matcher::matches)
            .forEach(m -> rounds.add(Integer.parseInt(m.group(1))));
      } catch (IOException e) {
        return new Choice(0, java.util.List.of());
      }
    }
    rounds.sort(java.util.Comparator.reverseOrder());
    java.util.List<Integer> skipped = new java.util.ArrayList<>();
    for (int n : rounds) {
      if (Files.isRegularFile(run.resolve("round" + n).resolve(needed))) return new Choice(n, skipped);
      skipped.add(n);
    }
    return new Choice(0, skipped);
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
  public static java.util.List<String> removeOrphans(Path... folders) {
    java.util.List<String> removed = new java.util.ArrayList<>();
    for (Path f : folders) {
      try {
        for (String name : hspnet.io.AtomicFiles.removeOrphans(f)) removed.add(f.resolve(name).toString());
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
