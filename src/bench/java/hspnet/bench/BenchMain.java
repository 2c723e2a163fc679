package hspnet.bench;

import static org.bytedeco.pytorch.global.torch.get_num_threads;
import static org.bytedeco.pytorch.global.torch.set_num_threads;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;

import hspnet.cli.ExitStatus;
import hspnet.io.AtomicFiles;
import hspnet.model.HspNet;
import hspnet.run.Devices;
import hspnet.testutil.SyntheticHspNet;
import hspnet.train.TrainingState;
import hspnet.nn.CpuNumerics;
import hspnet.nn.JavaCppTuning;

/**
 * Training and evaluation speed of HSPNet, as docs/benchmarks.md defines it: (a) the model-only training
 * step, (b) the evaluation forward, (c) end-to-end training from JPEG files, (d) peak GPU memory
 * of each; prints one table in the columns of docs/benchmarks.md and appends its rows there when
 * asked ({@code --append docs/benchmarks.md}). On CUDA the defaults are that protocol; on
 * the CPU a small model that runs in seconds. {@code --variants} also compares the switches that
 * change numerics (bf16, fused optimizer) and the exact fast path against the original's way.
 *
 * <p>{@code bench/run.sh [options]} (bench/launch.sh hspnet.bench.BenchMain).
 */
public final class BenchMain {
  static {
    JavaCppTuning.apply(); // before the first native object (see JavaCppTuning)
  }

  private BenchMain() {}

  public static void main(String[] argv) {
    System.exit(run(argv, System.out, System.err));
  }

  /** The command: its options, then the benchmarks; returns the exit status (see ExitStatus). */
  public static int run(String[] argv, PrintStream out, PrintStream err) {
    return ExitStatus.of(err, () -> {
      BenchArgs args = BenchArgs.parse(argv, () -> {
        CpuNumerics.pin();
        return torch.cuda_is_available();
      });
      if (args.help()) {
        out.println(BenchArgs.USAGE);
        return ExitStatus.DONE;
      }
      run(args, out);
      return ExitStatus.DONE;
    });
  }

  /** Runs the benchmarks, prints their table, appends/writes the rows as asked; returns the rows. */
  public static List<BenchRow> run(BenchArgs a, PrintStream out) throws IOException {
    Device device = new Device(a.cuda() ? DeviceType.CUDA : DeviceType.CPU);
    if (a.threads() > 0) set_num_threads(a.threads());
    else if (!a.cuda()) set_num_threads(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
    if (a.cuda()) Devices.setCudnnBenchmark(a.cudnnBenchmark());
    String date = RunInfo.date(), commit = a.commit() != null ? a.commit() : RunInfo.commit(Path.of("."));
    String card = a.deviceName() != null ? a.deviceName() : RunInfo.deviceName(device);
    GpuMemory memory = GpuMemory.of(device, a.memory());
    StepTimer timer = new StepTimer(device, memory);
    out.printf(Locale.ROOT, "HSPNet benchmark: %s, %s, CLIP %s, batch %d, %d px, %d labels in %d groups; warm-up %d, median of %d steps%n",
        card, commit, a.size(), a.batch(), a.imageSize(), SyntheticHspNet.numLabels(), SyntheticHspNet.numGroups(),
        a.warmup(), a.steps());
    out.printf(Locale.ROOT, "  amp %s (%s), fused optimizer %s, channels-last %s, cuDNN benchmark %s, group features cached %s, %s%n",
        a.cuda() && a.amp() ? "on" : "off", a.ampDtype(), onOff(a.fused()), onOff(a.cuda() && a.channelsLast()),
        onOff(a.cuda() && a.cudnnBenchmark()), onOff(a.cacheParent()),
        a.cuda() ? "GPU memory: " + memory.source() : get_num_threads() + " LibTorch CPU thread(s)");

    List<BenchRow> rows = new ArrayList<>();
    ModelBench bench = new ModelBench(a, device, timer);
    HspNet model = bench.onDevice(SyntheticHspNet.build(a.size().arch(a.imageSize()), a.seed()));
    Tensor images = bench.images();
    long startBytes = memory.currentBytes();
    if (a.benchmarks().contains("eval-forward")) {
      StepTimer.Timing t = bench.evalForward(model, images);
      rows.add(row(date, commit, card, "eval-forward", a.batch(), t.medianMs(), t.imagesPerSecond(a.batch()), t.peakGib()));
      report(out, "eval-forward", t, a.batch());
    }
    if (a.benchmarks().contains("train-step") || a.benchmarks().contains("end-to-end")) {
      HspNet ema = bench.onDevice(SyntheticHspNet.build(a.size().arch(a.imageSize()), a.seed() + 1));
      try (TrainingState state = new TrainingState(model, ema, bench.recipe(), device)) {
        if (a.benchmarks().contains("train-step")) {
          float[] loss = {Float.NaN};
          long before = memory.currentBytes();
          StepTimer.Timing t = bench.trainStep(state, images, bench.targets(), loss);
          long after = memory.currentBytes();
          if (!Float.isFinite(loss[0])) throw new IllegalStateException("training loss is " + loss[0] + " after " + (a.warmup() + a.steps()) + " steps");
          rows.add(row(date, commit, card, "train-step", a.batch(), t.medianMs(), t.imagesPerSecond(a.batch()), t.peakGib()));
          report(out, "train-step", t, a.batch());
          out.printf(Locale.ROOT, "    last loss %.4f (finite); loss scale %.0f%s%n", loss[0], state.scaler().scale(),
              before >= 0 ? String.format(Locale.ROOT, "; allocated GPU memory %.3f GiB before the timed steps, %.3f GiB after (flat: %s)",
                  before / GpuMemory.GIB, after / GpuMemory.GIB, Math.abs(after - before) < (64L << 20) ? "yes" : "NO") : "");
        }
        if (a.benchmarks().contains("end-to-end")) {
          EndToEndBench.Result r = new EndToEndBench(a, device, timer).run(state, memory);
          rows.add(row(date, commit, card, "end-to-end", a.batch(), r.msPerStep(), r.imagesPerSecond(), memory.peakGib()));
          out.printf(Locale.ROOT, "  %-13s %8.1f ms/step %9.0f images/s  (%d steps, %d images of %d JPEGs %dx%d, resize %s, %d decoding threads;"
              + " the loader alone: %.0f images/s)%n", "end-to-end", r.msPerStep(), r.imagesPerSecond(), r.steps(), r.images(),
              a.e2eFiles(), a.photoWidth(), a.photoHeight(), a.resize(), a.workers(), r.loaderOnlyImagesPerSecond());
          if (a.cuda()) {
            // the same epoch with image_decode: gpu (nvJPEG); a machine without nvJPEG says so and goes on
            try {
              EndToEndBench.Result g = new EndToEndBench(a, device, timer).run(state, memory, true);
              rows.add(row(date, commit, card, "end-to-end-gpu-decode", a.batch(), g.msPerStep(), g.imagesPerSecond(), memory.peakGib()));
              out.printf(Locale.ROOT, "  %-13s %8.1f ms/step %9.0f images/s  (the same epoch, JPEGs decoded with nvJPEG and resized on"
                  + " the GPU by %d threads; the loader alone: %.0f images/s)%n", "end-to-end, gpu decode", g.msPerStep(),
                  g.imagesPerSecond(), a.workers(), g.loaderOnlyImagesPerSecond());
            } catch (RuntimeException e) {
              out.println("  end-to-end with image_decode gpu: not measured (" + e.getMessage() + ")");
            }
          }
        }
      }
    }
    out.println();
    out.print(BenchTable.markdown(rows));
    if (startBytes >= 0) out.printf(Locale.ROOT, "%n(peak GiB: %s)%n", memory.source());
    if (a.variants()) new VariantsBench(a, device, timer, out).run();
    if (a.append() != null) {
      BenchTable.append(a.append(), rows);
      out.println("appended " + rows.size() + " row(s) to " + a.append());
    }
    if (a.rowsOut() != null) {
      StringBuilder sb = new StringBuilder();
      for (BenchRow r : rows) sb.append(r.markdown()).append('\n');
      AtomicFiles.write(a.rowsOut(), sb.toString().getBytes(StandardCharsets.UTF_8));
    }
    return rows;
  }

  private static BenchRow row(String date, String commit, String card, String name, int batch, double ms, double ips, double peak) {
    return new BenchRow(date, commit, card, name, batch, ms, ips, peak);
  }

  private static void report(PrintStream out, String name, StepTimer.Timing t, int batch) {
    out.printf(Locale.ROOT, "  %-13s %8.1f ms/step %9.0f images/s  (median of %d; min %.1f, max %.1f ms)%s%n", name, t.medianMs(),
        t.imagesPerSecond(batch), t.steps(), t.minMs(), t.maxMs(),
        Double.isNaN(t.peakGib()) ? "" : String.format(Locale.ROOT, "  peak %.2f GiB", t.peakGib()));
  }

  private static String onOff(boolean b) {
    return b ? "on" : "off";
  }
}
