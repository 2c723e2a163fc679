package hspnet.data;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import hspnet.data.LabelList.Sample;
import java.io.IOException;

/**
 * Checks the image paths of a list against its image folder before anything is loaded: a path
 * must be relative and stay inside the folder (no absolute path, no {@code ..} escape), and the
 * file must exist. Checking up front makes a missing image fail in seconds, not hours into a run.
 */
public final class ImagePaths {
  private ImagePaths() {}

  /** The file of {@code s} under {@code root}, or an error naming the list line when it escapes. */
  public static Path resolve(Path root, Sample s) {
    Path rel;
    try {
      rel = Path.of(s.path());
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(s.describe() + ": not a valid path (" + e.getReason() + ")");
    }
    Path base = root.toAbsolutePath().normalize();
    Path file = base.resolve(rel).normalize();
    if (rel.isAbsolute() || rel.getRoot() != null || !file.startsWith(base) || file.equals(base))
      throw new IllegalArgumentException(s.describe() + ": the path leaves the image folder " + root
          + " (list paths must be relative and stay inside it)");
    // The same check on real paths: a symbolic link inside the folder may point anywhere. (The
    // folder itself may be a link, e.g. data/coco -> /datasets/coco; what counts is its target.)
    if (Files.exists(file)) {
      Path real, realBase;
      try {
        real = file.toRealPath();
        realBase = base.toRealPath();
      } catch (IOException e) {
        throw new IllegalArgumentException(s.describe() + ": cannot resolve " + file + " (" + e.getMessage() + ")");
      }
      if (!real.startsWith(realBase) || real.equals(realBase))
        throw new IllegalArgumentException(s.describe() + ": " + file + " is a link to " + real + ", outside the image folder "
            + root + " (links must stay inside it)");
    }
    return file;
  }

  /**
   * The samples whose files exist. A missing file is an error naming the list line, or, with
   * {@code skipped} non-null, is left out and counted there. Paths that leave the folder are
   * always an error.
   */
  public static List<Sample> existing(Path root, List<Sample> samples, BadImages skipped) {
    List<Sample> kept = new ArrayList<>(samples.size());
    for (Sample s : samples) {
      Path file = resolve(root, s);
      if (Files.isRegularFile(file)) {
        kept.add(s);
      } else if (skipped != null) {
        skipped.add(s.describe() + " is missing");
      } else {
        throw new IllegalArgumentException(s.describe() + ": no such image file " + file
            + " (set skip_bad_images: true to skip missing and unreadable images)");
      }
    }
    if (kept.isEmpty()) throw new IllegalArgumentException("none of the " + samples.size() + " images of "
        + (samples.isEmpty() || samples.get(0).origin() == null ? "the list" : samples.get(0).origin().replaceFirst(":\\d+$", ""))
        + " exists under " + root);
    return kept;
  }
}
