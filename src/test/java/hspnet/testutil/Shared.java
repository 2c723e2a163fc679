package hspnet.testutil;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

/**
 * Locates the shared reference material (fixtures of the original implementation, released label
 * files) that lives beside the repository as {@code ../shared}. A user's fresh clone does not have
 * it: tests that need it call {@link #fixture} or {@link #referenceData}, which skip the test with a
 * clear message instead of failing. {@code -Dhspnet.shared=DIR} or {@code HSPNET_SHARED} point
 * elsewhere.
 */
public final class Shared {
  private Shared() {}

  /** The shared folder, or null when it is absent. */
  public static Path root() {
    String configured = System.getProperty("hspnet.shared", System.getenv("HSPNET_SHARED"));
    Path p = configured != null ? Path.of(configured) : Path.of("..", "shared");
    return Files.isDirectory(p) ? p.toAbsolutePath().normalize() : null;
  }

  /** A file under {@code shared/fixtures/reference}; skips the calling test when it is missing. */
  public static Path fixture(String name) {
    return require(Path.of("fixtures", "reference", name));
  }

  /** A file under {@code shared/reference-data}; skips the calling test when it is missing. */
  public static Path referenceData(String relative) {
    return require(Path.of("reference-data").resolve(relative));
  }

  private static Path require(Path relative) {
    Path root = root();
    Assumptions.assumeTrue(root != null,
        "skipped: ../shared (reference fixtures) is not present beside this checkout");
    Path p = root.resolve(relative);
    Assumptions.assumeTrue(Files.exists(p), "skipped: shared file missing: " + p);
    return p;
  }
}
