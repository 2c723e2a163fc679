package hspnet.bench;

import java.util.List;
import java.util.Locale;

/**
 * One row of the benchmark history (docs/benchmarks.md), in the columns a script reads:
 * {@code | date | commit | device | benchmark | batch | ms/step | images/s | peak GiB |}. The
 * device is the card's name as the driver reports it, or {@code cpu}; the peak is the caching
 * allocator's peak of allocated GPU memory ({@code -} on the CPU).
 */
public record BenchRow(String date, String commit, String device, String benchmark, int batch, double msPerStep,
    double imagesPerSecond, double peakGib) {
  /** The benchmark names the history may hold ({@code torch-*}: bench/torch_peer.py, plain PyTorch). */
  public static final List<String> BENCHMARKS = List.of("train-step", "eval-forward", "end-to-end", "end-to-end-gpu-decode", "hgcn-fused",
      "hgcn-libtorch", "torch-train-step", "torch-eval-forward");

  public static final String HEADER = "| date | commit | device | benchmark | batch | ms/step | images/s | peak GiB |";
  public static final String RULE = "|---|---|---|---|---|---|---|---|";

  public BenchRow {
    if (!BENCHMARKS.contains(benchmark))
      throw new IllegalArgumentException("benchmark '" + benchmark + "' is not one of " + BENCHMARKS);
    for (String cell : List.of(date, commit, device))
      if (cell.isBlank() || cell.contains("|") || cell.contains("\n"))
        throw new IllegalArgumentException("table cell '" + cell + "' is empty or holds '|' or a line break");
    if (batch <= 0) throw new IllegalArgumentException("batch must be positive, got " + batch);
  }

  /** Not measured (the CPU has no GPU memory to report). */
  public static final double NONE = Double.NaN;

  public String markdown() {
    return String.format(Locale.ROOT, "| %s | %s | %s | %s | %d | %.1f | %.0f | %s |", date, commit, device, benchmark, batch,
        msPerStep, imagesPerSecond, Double.isNaN(peakGib) ? "-" : String.format(Locale.ROOT, "%.2f", peakGib));
  }
}
