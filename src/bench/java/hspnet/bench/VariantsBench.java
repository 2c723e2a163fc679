package hspnet.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

import hspnet.nn.Autocast;
import hspnet.eval.Evaluator;
import hspnet.model.HspNet;
import hspnet.nn.Tensors;
import hspnet.run.Devices;
import hspnet.testutil.SyntheticHspNet;
import hspnet.train.TrainingState;

/**
 * The switches side by side, each from the same initial weights and batch: the original's way of
 * computing (group features every forward, NCHW, no cuDNN search), this project's default exact
 * fast path, and the options that change numerics slightly (bf16 autocast, the fused optimizer).
 * For each: train step and eval batch times, peak memory, how far its evaluation scores (before
 * any training) lie from the default's, and the loss after the timed steps.
 */
final class VariantsBench {
  private record Variant(String name, String dtype, boolean fused, boolean channelsLast, boolean cudnnBenchmark, boolean cache) {}

  private final BenchArgs args;
  private final Device device;
  private final StepTimer timer;
  private final PrintStream out;

  VariantsBench(BenchArgs args, Device device, StepTimer timer, PrintStream out) {
    this.args = args;
    this.device = device;
    this.timer = timer;
    this.out = out;
  }

  void run() {
    List<Variant> variants = List.of(
        new Variant("default (exact fast path)", "float16", false, true, true, true),
        new Variant("as the original: no group-feature cache, NCHW, no cuDNN search", "float16", false, false, false, false),
        new Variant("+ group-feature cache only", "float16", false, false, false, true),
        new Variant("bf16 autocast", "bfloat16", false, true, true, true),
        new Variant("fused optimizer (fused Adam, loss-scale skip on the GPU)", "float16", true, true, true, true),
        new Variant("bf16 + fused optimizer", "bfloat16", true, true, true, true));
    out.println();
    out.println("| variant | train ms/step | train images/s | eval ms/batch | eval images/s | train peak GiB | max |Δ eval score| vs default | loss after "
        + (args.warmup() + args.steps()) + " steps |");
    out.println("|---|---|---|---|---|---|---|---|");
    float[] reference = null;
    for (Variant v : variants) {
      // on the CPU there is no autocast, channels-last or cuDNN: these rows would repeat others
      if (!device.is_cuda() && (v.dtype.equals("bfloat16") || (!v.channelsLast && v.cache))) continue;
      BenchArgs a = args.with(v.dtype, v.fused, v.channelsLast, v.cudnnBenchmark, v.cache);
      if (device.is_cuda()) Devices.setCudnnBenchmark(v.cudnnBenchmark);
      releaseUnreachable();
      ModelBench bench = new ModelBench(a, device, timer);
      HspNet model = bench.onDevice(SyntheticHspNet.build(a.size().arch(a.imageSize()), a.seed()));
      Tensor images = bench.images();
      float[] scores = firstScores(a, model, images);
      double diff = 0;
      if (reference == null) reference = scores;
      else for (int i = 0; i < scores.length; i++) diff = Math.max(diff, Math.abs(scores[i] - reference[i]));
      StepTimer.Timing eval = bench.evalForward(model, images);
      HspNet ema = bench.onDevice(SyntheticHspNet.build(a.size().arch(a.imageSize()), a.seed() + 1));
      float[] loss = {Float.NaN};
      StepTimer.Timing train;
      try (TrainingState state = new TrainingState(model, ema, bench.recipe(), device)) {
        train = bench.trainStep(state, images, targets(bench), loss);
      }
      out.printf(Locale.ROOT, "| %s | %.1f | %.0f | %.1f | %.0f | %s | %.2e | %.6f |%n", v.name, train.medianMs(), train.imagesPerSecond(a.batch()),
          eval.medianMs(), eval.imagesPerSecond(a.batch()), Double.isNaN(train.peakGib()) ? "-" : String.format(Locale.ROOT, "%.2f", train.peakGib()),
          diff, loss[0]);
    }
    if (device.is_cuda()) Devices.setCudnnBenchmark(args.cudnnBenchmark());
    out.println("(peak memory after other variants ran: tensors the JVM has not collected yet may count; the main table's figure is the one to quote)");
  }

  /** The same targets for every variant (the generator is reseeded by the model build). */
  private static Tensor targets(ModelBench bench) {
    return bench.targets();
  }

  /** Sigmoid scores of the batch before any training, as float32 on the host. */
  private static float[] firstScores(BenchArgs a, HspNet model, Tensor images) {
    Autocast autocast = new Autocast(images.is_cuda() && a.amp(), Autocast.dtypeNamed(a.ampDtype()));
    model.eval();
    try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      Tensor features;
      try (Autocast.Scope x = autocast.enter()) {
        features = model.labelFeatures();
      }
      return Tensors.toFloats(Evaluator.scores(model, images, features, autocast));
    }
  }

  /** Lets the previous variant's models and optimizer go before measuring the next one's memory. */
  private static void releaseUnreachable() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
