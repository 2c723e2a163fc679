package hspnet.data;

import java.util.ArrayList;
import java.util.List;

/**
 * The images a run skipped ({@code skip_bad_images: true}): missing files found when the lists are
 * opened and files that fail to decode during training. Thread-safe: loader threads add to it.
 */
public final class BadImages {
  /** Examples kept for the report; the count covers all of them. */
  static final int EXAMPLES = 5;
  private final List<String> examples = new ArrayList<>();
  private int count;

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
}
