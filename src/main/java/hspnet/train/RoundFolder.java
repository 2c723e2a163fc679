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

  static int countRounds(Path run) throws IOException {
    try (Stream<Path> s = Files.list(run)) {
      return (int) s.filter(p -> Files.isDirectory(p) && ROUND.matcher(p.getFileName().toString()).matches()).count();
    }
  }
}
