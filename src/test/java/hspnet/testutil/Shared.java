package hspnet.testutil;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

/**
 * Locates the shared reference material (fixtures of the original implementation, released label
 * files) that lives beside the repository as {@code ../shared}. A user's fresh clone does not have
 * it: fixtures then come from the golden subset in {@code src/test/resources/golden} (see {@link
 * FixtureDir}), and tests whose files are in neither place skip with a clear message instead of
 * failing. {@code -Dhspnet.shared=DIR} or {@code HSPNET_SHARED} point elsewhere.
 */
public final class Shared {
  private static final String ABSENT = "skipped: ../shared (reference fixtures) is not present beside this checkout";

  private Shared() {}

  /** The shared folder, or null when it is absent. */
  public static Path root() {
    String configured = System.getProperty("hspnet.shared", System.getenv("HSPNET_SHARED"));
    Path p = configured != null ? Path.of(configured) : Path.of("..", "shared");
    return Files.isDirectory(p) ? p.toAbsolutePath().normalize() : null;
  }

  /**
   * A reference fixture file from the folder {@link FixtureDir} chose for this run (the full set in
   * {@code shared/fixtures/reference}, else the golden subset); skips the calling test when it is
   * not there.
   */
  public static Path fixture(String name) {
    Path dir = FixtureDir.get();
    Assumptions.assumeTrue(dir != null, ABSENT);
    Path p = dir.resolve(name);
    Assumptions.assumeTrue(Files.exists(p), () -> "skipped: shared file missing: " + p
        + (FixtureDir.isGoldenSubset() ? " (../shared/fixtures/reference is absent and the golden subset lacks it)" : ""));
    return p;
  }

  /** A file under {@code shared/reference-data}; skips the calling test when it is missing. */
  public static Path referenceData(String relative) {
    return require(Path.of("reference-data").resolve(relative));
  }

  private static Path require(Path relative) {
    Path root = root();
    Assumptions.assumeTrue(root != null, ABSENT);
    Path p = root.resolve(relative);
    Assumptions.assumeTrue(Files.exists(p), "skipped: shared file missing: " + p);
    return p;
  }
}
