package hspnet.predict;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The images named on the command line: files as given (whatever their extension, so a
 * misnamed image is still tried), folders searched recursively for image extensions, in name
 * order. A name that does not exist is recorded as unreadable, not an error: one typo must not
 * cost the predictions of a thousand other images.
 */
public final class ImageInputs {
  static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "webp", "tif", "tiff", "ppm", "pgm", "pbm");

  /** The images to predict, and the names that could not be used with the reason. */
  public record Expanded(List<Path> images, List<Unreadable> unreadable) {}

  /** An input that yields no prediction, and why. */
  public record Unreadable(Path path, String reason) {}

  private ImageInputs() {}

  public static Expanded expand(List<Path> inputs) {
    List<Path> images = new ArrayList<>();
    List<Unreadable> unreadable = new ArrayList<>();
    for (Path p : inputs) {
      if (Files.isDirectory(p)) {
        List<Path> found = imagesIn(p);
        if (found.isEmpty()) unreadable.add(new Unreadable(p, "folder holds no image files (" + String.join(", ", extensions()) + ")"));
        images.addAll(found);
      } else if (Files.isRegularFile(p)) {
        images.add(p);
      } else {
        unreadable.add(new Unreadable(p, Files.exists(p) ? "not a regular file" : "no such file or folder"));
      }
    }
    return new Expanded(List.copyOf(images), List.copyOf(unreadable));
  }

  static boolean isImageName(Path p) {
    String name = p.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  private static List<String> extensions() {
    return EXTENSIONS.stream().sorted().map(e -> "." + e).toList();
  }

  private static List<Path> imagesIn(Path folder) {
    try (Stream<Path> s = Files.walk(folder)) {
      return s.filter(p -> Files.isRegularFile(p) && isImageName(p)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(new IOException(folder + ": cannot list the folder: " + e.getMessage(), e));
    } catch (UncheckedIOException e) {
      throw new UncheckedIOException(new IOException(folder + ": cannot list the folder: " + e.getCause().getMessage(), e));
    }
  }
}
