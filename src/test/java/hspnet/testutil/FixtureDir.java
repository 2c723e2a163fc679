package hspnet.testutil;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Chooses the one folder a test run reads reference fixtures from: {@code
 * ../shared/fixtures/reference} (the full set) when it exists, otherwise the golden subset copied
 * into {@code src/test/resources/golden} (found on the test classpath). One folder for everything,
 * cases.json included, because the numbers in a cases.json only hold for the files written with it:
 * a file missing from the chosen folder is never taken from the other one.
 */
public final class FixtureDir {
  /** Classpath folder of the golden subset; cases.json marks it as complete enough to use. */
  static final String GOLDEN = "golden";

  private FixtureDir() {}

  /** The folder to read fixtures from, or null when neither is available. */
  public static Path get() {
    Path shared = sharedReference();
    return shared != null ? shared : golden();
  }

  /** True when the run reads the golden subset (no ../shared/fixtures/reference). */
  public static boolean isGoldenSubset() {
    Path dir = get();
    return dir != null && dir.equals(golden());
  }

  /** {@code <shared>/fixtures/reference}, or null when the shared folder or that folder is absent. */
  public static Path sharedReference() {
    Path root = Shared.root();
    if (root == null) return null;
    Path p = root.resolve("fixtures").resolve("reference");
    return Files.isDirectory(p) ? p : null;
  }

  /** Classpath folder of the copy of the single-positive baseline fixtures (fixtures/spml). */
  static final String GOLDEN_SPML = "golden-spml";

  /**
   * The folder of the single-positive baselines' fixtures: {@code <shared>/fixtures/spml} when it
   * exists, otherwise the copy in {@code src/test/resources/golden-spml} (all of it: it is tiny);
   * null when neither is there. One folder for all its files, as {@link #get()} does.
   */
  public static Path spml() {
    Path root = Shared.root();
    if (root != null && Files.isDirectory(root.resolve("fixtures").resolve("spml"))) return root.resolve("fixtures").resolve("spml");
    URL marker = FixtureDir.class.getResource("/" + GOLDEN_SPML + "/cases.json");
    if (marker == null || !"file".equals(marker.getProtocol())) return null;
    try {
      return Path.of(marker.toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException("spml fixtures at an unreadable location: " + marker, e);
    }
  }

  /** The golden subset on the test classpath, or null when it is missing or not a plain folder. */
  public static Path golden() {
    URL marker = FixtureDir.class.getResource("/" + GOLDEN + "/cases.json");
    // a jar (not how surefire runs tests) cannot be read as files: treat it as absent
    if (marker == null || !"file".equals(marker.getProtocol())) return null;
    try {
      return Path.of(marker.toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException("golden subset at an unreadable location: " + marker, e);
    }
  }
}
