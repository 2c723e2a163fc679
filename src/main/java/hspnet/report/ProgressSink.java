package hspnet.report;

/** Where progress lines go: the console only, never a log file that tools parse. */
public interface ProgressSink {
  /** Shows a progress line: redrawn in place when the style is live, else printed as a line. */
  void progress(String line);

  /** Removes a live progress line (nothing to do for plain lines). */
  void endProgress();

  ConsoleStyle style();

  /** A sink that shows nothing (tests that measure memory or timing). */
  ProgressSink NONE = new ProgressSink() {
    @Override public void progress(String line) {}
    @Override public void endProgress() {}
    @Override public ConsoleStyle style() { return ConsoleStyle.plain(ConsoleStyle.DEFAULT_PLAIN_EVERY); }
  };
}
