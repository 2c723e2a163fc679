package hspnet.data;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The images a run skipped ({@code skip_bad_images: true}): missing files found when the lists are
 * opened and files that fail to decode during training. Thread-safe: loader threads add to it.
 *
 * <p>Also the JPEGs whose entropy-coded data are corrupt ({@link JpegScanCheck}): those are not
 * skipped but decoded with libjpeg's recovery, as Pillow decodes them, so each is named once per
 * run in a warning (loaders read every image again each epoch) and counted in the summary.
 */
public final class BadImages {
  /** Examples kept for the report; the count covers all of them. */
  static final int EXAMPLES = 5;
  private final List<String> examples = new ArrayList<>();
  private int count;
  private final Set<String> corruptFiles = new HashSet<>();
  private final List<String> corruptExamples = new ArrayList<>();
  /** Warnings met before {@link #warnTo} was called (the run's log may not exist yet). */
  private final List<String> unsent = new ArrayList<>();
  private Consumer<String> warnings;

  public synchronized void add(String description) {
    count++;
    if (examples.size() < EXAMPLES) examples.add(description);
  }

  public synchronized int count() {
    return count;
  }

  /** One line: how many were skipped and the first few of them; empty when none was. */
  public synchronized String summary() {
    if (count == 0) return "";
    return "Skipped " + count + " unreadable or missing image(s) (skip_bad_images): " + String.join("; ", examples)
        + (count > examples.size() ? "; ..." : "");
  }

  /** Sends the warnings about corrupt JPEG data to {@code sink}, those met so far first. */
  public synchronized void warnTo(Consumer<String> sink) {
    warnings = sink;
    for (String w : unsent) sink.accept(w);
    unsent.clear();
  }

  /**
   * A JPEG with corrupt data that was decoded anyway: {@code warning} is passed on the first time
   * {@code file} is met, and ignored after that.
   */
  public synchronized void corruptJpeg(String file, String warning) {
    if (!corruptFiles.add(file)) return;
    if (corruptExamples.size() < EXAMPLES) corruptExamples.add(warning);
    if (warnings != null) warnings.accept(warning);
    else unsent.add(warning);
  }

  public synchronized int corruptJpegCount() {
    return corruptFiles.size();
  }

  /** One line for the end of the run: the JPEGs decoded despite corrupt data; empty when none was. */
  public synchronized String corruptJpegSummary() {
    int n = corruptFiles.size();
    if (n == 0) return "";
    return "Decoded " + n + " JPEG(s) with corrupt data with libjpeg's recovery, as Pillow does (each was named in a"
        + " warning): " + String.join("; ", corruptExamples) + (n > corruptExamples.size() ? "; ..." : "");
  }
}
