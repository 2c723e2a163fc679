package hspnet.bench;

import static org.bytedeco.pytorch.global.torch.get_num_threads;
import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.set_num_threads;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

import hspnet.cli.ExitStatus;
import hspnet.cli.OptionParser;
import hspnet.clip.ClipArch;
import hspnet.clip.ClipInit;
import hspnet.clip.ClipModel;
import hspnet.model.PromptTokens;
import hspnet.nn.Tensors;
import hspnet.nn.CpuNumerics;
import hspnet.nn.JavaCppTuning;

/**
 * CPU timing of the text tower with the truncated context (EOT + 1 of the longest prompt, what
 * ClipModel.encodeText and HSPNet run) against the full 77 positions, for RN50's text settings
 * (width 512, 12 layers, 8 heads, embedding 1024) and 80 prompts of 8 to 10 tokens, as COCO's
 * child prompts "X X X X {label}." are with CLIP's BPE. Prints the median of several runs; no
 * timing is asserted anywhere.
 *
 * <p>{@code bench/launch.sh hspnet.bench.TextTowerBench [RUNS] [THREADS]}
 */
public final class TextTowerBench {
  static {
    JavaCppTuning.apply(); // before the first native object (see JavaCppTuning)
  }

  private static final int PROMPTS = 80, CONTEXT = 77;

  private TextTowerBench() {}

  static final String USAGE = "usage: TextTowerBench [RUNS] [THREADS]   (defaults: 7 runs, LibTorch's thread count)\n";

  private static final OptionParser PARSER = new OptionParser("TextTowerBench").positionals();

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  public static int run(String[] args, PrintStream out, PrintStream err) {
    return PARSER.run(args, USAGE, out, err, p -> {
      List<String> words = p.positionals();
      if (words.size() > 2) throw p.error("unexpected argument '" + words.get(2) + "'");
      int runs = words.size() > 0 ? p.integer(words.get(0), "RUNS", 1, "a run count") : 7;
      Integer threads = words.size() > 1 ? p.integer(words.get(1), "THREADS", 1, "a thread count") : null;
      CpuNumerics.pin();
      if (threads != null) set_num_threads(threads);
      bench(runs, out);
      return ExitStatus.DONE;
    });
  }

  private static void bench(int runs, PrintStream out) {
    manual_seed(0);
    // RN50's text tower; the image tower is irrelevant here and kept tiny
    ClipArch arch = ClipArch.resNet(1024, 32, List.of(1, 1, 1, 1), 8, 4, CONTEXT, 49408, 512, 8, 12);
    ClipModel clip = new ClipModel(arch);
    ClipInit.initialize(clip);
    clip.eval();

    long[][] rows = new long[PROMPTS][CONTEXT];
    long[] eot = new long[PROMPTS];
    for (int i = 0; i < PROMPTS; i++) {
      int tokens = 8 + Math.max(0, i % 5 - 2);        // 8, 8, 8, 9, 10
      rows[i][0] = 49406;
      for (int j = 1; j < tokens - 1; j++) rows[i][j] = 256 + (i * 31 + j * 7) % 40000;
      rows[i][tokens - 1] = 49407;
      eot[i] = tokens - 1;
    }
    Tensor tokens = PromptTokens.asTensor(rows);
    Tensor eotTensor = Tensors.ofLongs(eot, PROMPTS);
    long used = ClipModel.usedLength(rows);

    Supplier<Tensor> truncated = () -> clip.encodeText(tokens, rows);
    Supplier<Tensor> full = () -> clip.textEncoder().forward(clip.embedTokens(tokens), eotTensor, CONTEXT);
    double maxDiff;
    try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      float[] a = Tensors.toFloats(truncated.get()), b = Tensors.toFloats(full.get());
      maxDiff = 0;
      for (int i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    }
    double tFull = median(full, runs), tTrunc = median(truncated, runs);
    out.printf(Locale.ROOT, "text tower, RN50 settings (width 512, 12 layers, 8 heads), %d prompts, %d CPU thread(s), median of %d runs%n",
        PROMPTS, get_num_threads(), runs);
    out.printf(Locale.ROOT, "  full context (%d positions):      %8.1f ms%n", CONTEXT, tFull);
    out.printf(Locale.ROOT, "  truncated context (%d positions): %8.1f ms  (%.1fx faster)%n", used, tTrunc, tFull / tTrunc);
    out.printf(Locale.ROOT, "  max abs difference of the features: %.2e%n", maxDiff);
  }

  private static double median(Supplier<Tensor> run, int runs) {
    double[] ms = new double[runs];
    for (int i = -2; i < runs; i++) {                  // two warm-up runs
      try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
        long t0 = System.nanoTime();
        run.get().sum().item_float();                    // forces the computation
        if (i >= 0) ms[i] = (System.nanoTime() - t0) / 1e6;
      }
    }
    Arrays.sort(ms);
    return ms[runs / 2];
  }
}
