package hspnet.report;

import java.util.Locale;
import java.util.function.DoubleSupplier;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongSupplier;

/**
 * Progress of a run in phases (an epoch's training steps, a validation, a test): steps done,
 * images per second, the time left in the phase and, when the caller can tell what follows, in
 * the whole run. A line goes to the sink at most every {@link ConsoleStyle#every()}; the loss is
 * read only for a line that is shown, because reading a loss off a GPU waits for the GPU.
 */
public final class ProgressMeter {
  private final ProgressSink sink;
  private final LongSupplier nanoClock;
  private final long everyNanos;

  private String label;
  private int steps, done;
  private long images, phaseStart, lastShown;
  private DoubleUnaryOperator restOfRun;

  public ProgressMeter(ProgressSink sink) {
    this(sink, System::nanoTime);
  }

  /** With a clock of its own, so tests decide how much time passes. */
  public ProgressMeter(ProgressSink sink, LongSupplier nanoClock) {
    this.sink = sink;
    this.nanoClock = nanoClock;
    this.everyNanos = sink.style().every().toNanos();
  }

  /**
   * Starts a phase of {@code steps} steps. {@code restOfRun} estimates the seconds the run needs
   * after this phase from this phase's estimated duration (null: the phase is the whole run).
   */
  public void startPhase(String label, int steps, DoubleUnaryOperator restOfRun) {
    this.label = label;
    this.steps = steps;
    this.done = 0;
    this.images = 0;
    this.restOfRun = restOfRun;
    this.phaseStart = nanoClock.getAsLong();
    this.lastShown = phaseStart;
  }

  /** A training step: its images, its loss (read only when a line is shown) and the lr. */
  public void trainStep(int stepImages, DoubleSupplier loss, double lr) {
    if (advance(stepImages)) show(String.format(Locale.ROOT, "loss %.4f, lr %.2e, ", loss.getAsDouble(), lr));
  }

  /** An evaluation step (a batch scored). */
  public void evalStep(int stepImages) {
    if (advance(stepImages)) show("");
  }

  /** Ends the phase: a live line is removed, so the log's next line starts clean. */
  public void endPhase() {
    sink.endProgress();
  }

  private boolean advance(int stepImages) {
    done++;
    images += stepImages;
    long now = nanoClock.getAsLong();
    if (now - lastShown < everyNanos) return false;
    lastShown = now;
    return true;
  }

  private void show(String middle) {
    double seconds = (lastShown - phaseStart) / 1e9;
    StringBuilder line = new StringBuilder(label).append(": step ").append(done).append('/').append(steps).append(", ")
        .append(middle).append(String.format(Locale.ROOT, "%.1f images/s", seconds > 0 ? images / seconds : 0.0));
    if (done > 0 && seconds > 0) {
      double perStep = seconds / done;
      double phaseLeft = perStep * (steps - done);
      line.append(", ETA ").append(duration(phaseLeft));
      if (restOfRun != null) line.append(" (run ").append(duration(phaseLeft + restOfRun.applyAsDouble(perStep * steps))).append(')');
    }
    sink.progress(line.toString());
  }

  /** 42s, 3m05s, 2h07m: short enough for a live line. */
  public static String duration(double seconds) {
    if (!(seconds >= 0) || Double.isInfinite(seconds)) return "?";
    long s = Math.round(seconds);
    if (s < 60) return s + "s";
    if (s < 3600) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
  }
}
