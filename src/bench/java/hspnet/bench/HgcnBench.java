package hspnet.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;

import hspnet.cli.OptionParser;
import hspnet.io.AtomicFiles;
import hspnet.kernel.HgcnBuffers;
import hspnet.kernel.HgcnGrads;
import hspnet.kernel.HgcnKernel;
import hspnet.kernel.HgcnKernels;
import hspnet.kernel.HgcnVariant;
import hspnet.kernel.HgcnWeights;
import hspnet.config.HgcnBackend;
import hspnet.model.HierarchicalGcn;

import static org.bytedeco.pytorch.global.torch.empty_like;
import hspnet.nn.CpuNumerics;
import hspnet.nn.JavaCppTuning;

/**
 * The fused HGCN's device check (bench/device-hgcn.sh): parity with the LibTorch composition, then
 * forward+backward timings of both backends, for the level sizes of the paper's four datasets.
 *
 * <pre>
 * hspnet.bench.HgcnBench [--out DIR] [--commit SHA] [--quick]
 * </pre>
 *
 * On CUDA every kernel variant is checked (float32 relative error ≤ 1e-5, float16/bfloat16 ≤ 1e-2,
 * against the float32 composition on the same rounded inputs; the tensor-core variants by norm,
 * see {@link HgcnParity#tensorCoreBound}) — called directly, inside autograd, for float32 against
 * the CPU reference too, and the tensor-core variants against the CPU reference of their
 * arithmetic ({@link HgcnParity#sameArithmetic}) — and timed. After the timings, the host overhead
 * per call at a level too small to cost the device anything. Without CUDA the CPU reference stands
 * in for the fused kernel (to test this program; its timings mean little). Writes
 * {@code hgcn-rows.md} (benchmark-table rows, float32: hgcn-libtorch and hgcn-fused, the model's
 * path: a level's forward and backward through autograd) and {@code hgcn-details.txt} to DIR, and
 * exits 1 when a parity check failed.
 */
public final class HgcnBench {
  static {
    JavaCppTuning.apply(); // before the first native object (see JavaCppTuning)
  }

  /** n×E of the group and label levels of COCO, VOC, NUS-WIDE and CUB (E = 1024, RN50x16-size), and the demo's. */
  static final long[][] SHAPES = {{4, 1024}, {80, 1024}, {20, 1024}, {6, 1024}, {81, 1024}, {312, 1024}, {4, 64}, {16, 64}};
  static final long[][] QUICK_SHAPES = {{4, 64}, {16, 64}, {20, 128}};

  private HgcnBench() {}

  static final String USAGE = "usage: HgcnBench [--out DIR] [--commit SHA] [--quick]\n";

  private static final OptionParser PARSER = new OptionParser("HgcnBench").value("--out").value("--commit").flag("--quick");

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** The command: its options, then the bench; returns the exit status (1 when a parity check failed). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return PARSER.run(args, USAGE, out, err, p -> {
      CpuNumerics.pin();
      Path dir = p.path("--out") != null ? p.path("--out") : Path.of("target", "bench");
      Files.createDirectories(dir);
      return run(dir, p.value("--commit", "unknown"), p.has("--quick"), out);
    });
  }

  static int run(Path outDir, String commit, boolean quick, PrintStream log) throws IOException {
    boolean cuda = torch.cuda_is_available();
    Device device = new Device(cuda ? DeviceType.CUDA : DeviceType.CPU);
    // CUDA: threads for the CPU reference comparison. CPU: one thread for both backends, as the
    // reference has (and as training on small machines uses; see Devices.configureCpuThreads).
    torch.set_num_threads(cuda ? 4 : 1);
    String deviceName = cuda ? HgcnKernels.cudaDevice(0).map(HgcnKernels.DeviceInfo::name).orElse("cuda") : "cpu";
    log.println("hgcn bench: device " + deviceName + ", CUDA kernels " + (HgcnKernels.cuda().isPresent() ? "loaded" : "absent ("
        + HgcnKernels.cudaProblem() + ")") + ", CPU reference " + (HgcnKernels.cpu().isPresent() ? "loaded" : "absent ("
        + HgcnKernels.cpuProblem() + ")"));
    if (cuda) log.println("hgcn bench: LibTorch's current stream id " + torch.getCurrentStream((byte) 0).id() + " (0: the default stream)");
    if (cuda && HgcnKernels.cuda().isEmpty()) {
      log.println("FAIL: CUDA is available but the CUDA kernel library did not load");
      return 1;
    }
    List<HgcnKernel> kernels = new ArrayList<>();
    if (cuda) for (HgcnVariant v : HgcnVariant.values()) kernels.add(HgcnKernels.cuda(v).orElseThrow());
    else kernels.add(HgcnKernels.cpu().orElseThrow(() -> new IllegalStateException(HgcnKernels.cpuProblem())));

    long[][] shapes = quick ? QUICK_SHAPES : SHAPES;
    // Parity runs with every CUDA call synchronised and checked, so that a kernel fault is caught
    // at the call that raised it; the timings below run without (the check costs a round trip).
    if (cuda) log.println("hgcn bench: synchronise-and-check mode " + (HgcnKernels.cudaSyncCheck(true) ? "on" : "off"));
    HgcnParity parity = new HgcnParity(log);
    log.println("== parity (relative: max |fused − composition| / max |composition|)");
    for (long[] s : shapes) {
      for (ScalarType t : new ScalarType[] {ScalarType.Float, ScalarType.Half, ScalarType.BFloat16}) {
        if (!cuda && t.value != ScalarType.Float.value && s[1] > 64) continue; // slow on the CPU, checked by the unit tests
        HgcnCase c = new HgcnCase(s[0], s[1], t, device, 2023 + s[0]);
        Tensor[] want = c.reference();
        for (HgcnKernel k : kernels) parity.direct(k, c, want);
        parity.autograd(kernels.get(0), c, want);
        if (cuda && t.value == ScalarType.Float.value && HgcnKernels.cpu().isPresent()) cpuAgainstCuda(parity, c, kernels.get(0));
        if (cuda && t.value != ScalarType.Float.value && HgcnKernels.cpu().isPresent())
          for (HgcnKernel k : kernels) if (k.halfOperands()) parity.sameArithmetic(k, HgcnKernels.cpuHalfOperands().orElseThrow(), c);
      }
    }
    log.println(String.format(Locale.ROOT, "== parity: %d checks, %d failed", parity.checks, parity.failures));

    if (cuda) HgcnKernels.cudaSyncCheck(false);
    log.println("== timings: ms per forward+backward of one level (median of rounds after warm-up)");
    HgcnTiming timing = quick ? new HgcnTiming(cuda, 3, 5, 3) : new HgcnTiming(cuda, 20, 15, 20);
    List<String> rows = new ArrayList<>();
    StringBuilder details = new StringBuilder();
    String date = LocalDate.now().toString();
    for (long[] s : shapes) {
      for (ScalarType t : cuda ? new ScalarType[] {ScalarType.Float, ScalarType.Half} : new ScalarType[] {ScalarType.Float}) {
        HgcnCase c = new HgcnCase(s[0], s[1], t, device, 7);
        double lib = timing.msPerStep(levelStep(c, HgcnBackend.LIBTORCH, device));
        double fused = timing.msPerStep(levelStep(c, HgcnBackend.FUSED, device));
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-9s %-9s libtorch %.4f  fused(%s) %.4f  speed-up %.2fx |",
            c.shape(), t, lib, kernels.get(0).describe(), fused, lib / fused));
        String best = "";
        double bestMs = Double.MAX_VALUE;
        for (HgcnKernel k : kernels) {
          double ms = timing.msPerStep(kernelStep(k, c));
          line.append(String.format(Locale.ROOT, " %s %.4f", k.describe(), ms));
          if (ms < bestMs) {
            bestMs = ms;
            best = k.describe();
          }
        }
        line.append("  (kernel only; fastest ").append(best).append(')');
        log.println(line);
        details.append(line).append('\n');
        if (t.value == ScalarType.Float.value) {
          String peak = peakGiB(cuda);
          rows.add(row(date, commit, deviceName, "hgcn-libtorch", c.shape(), lib, peak));
          rows.add(row(date, commit, deviceName, "hgcn-fused", c.shape(), fused, peak));
        }
      }
    }
    String overhead = hostOverhead(kernels.get(0), device, new HgcnTiming(cuda, 300, 9, 100));
    log.println(overhead);
    details.append(overhead).append('\n');
    write(outDir.resolve("hgcn-rows.md"), String.join("\n", rows) + "\n");
    write(outDir.resolve("hgcn-details.txt"), details.toString());
    log.println("== rows (" + outDir.resolve("hgcn-rows.md") + ")");
    rows.forEach(log::println);
    log.println(parity.failures == 0 ? "HGCN CHECK PASSED" : "HGCN CHECK FAILED: " + parity.failures + " parity checks");
    return parity.failures == 0 ? 0 : 1;
  }

  /** The CUDA kernel's float32 results against the CPU reference's on the same inputs. */
  private static void cpuAgainstCuda(HgcnParity parity, HgcnCase c, HgcnKernel cudaKernel) {
    Device cpu = new Device(DeviceType.CPU);
    HgcnKernel ref = HgcnKernels.cpu().orElseThrow();
    Tensor[] cpuOut = runDirect(ref, c.x.to(cpu, ScalarType.Float), c.adj.to(cpu, ScalarType.Float), c.dout.to(cpu, ScalarType.Float),
        new HgcnWeights(c.w1.to(cpu, ScalarType.Float), c.w2.to(cpu, ScalarType.Float), c.w3.to(cpu, ScalarType.Float),
            c.gamma.to(cpu, ScalarType.Float)));
    Tensor[] cudaOut = runDirect(cudaKernel, c.x, c.adj, c.dout, c.weights());
    for (int i = 0; i < cudaOut.length; i++) cudaOut[i] = cudaOut[i].to(cpu, ScalarType.Float);
    parity.report(cudaKernel.describe() + " vs hgcn-cpu", c, cudaOut, cpuOut);
  }

  private static Tensor[] runDirect(HgcnKernel k, Tensor x, Tensor adj, Tensor dout, HgcnWeights w) {
    Tensor out = empty_like(x), saved = HgcnBuffers.saved(x), ws = HgcnBuffers.workspace(x);
    k.forward(x, adj, w, out, saved, ws);
    Tensor dx = empty_like(x), dw1 = empty_like(w.w1()),
        dw2 = empty_like(w.w2()), dw3 = empty_like(w.w3()),
        dg = empty_like(w.gamma());
    k.backward(x, adj, w, saved, dout, new HgcnGrads(dx, dw1, dw2, dw3, dg), false, ws);
    return new Tensor[] {out, dx, dw1, dw2, dw3, dg};
  }

  /** One level as the model runs it: HierarchicalGcn's forward (either backend), then backward. */
  private static Runnable levelStep(HgcnCase c, HgcnBackend backend, Device device) {
    HierarchicalGcn gcn = new HierarchicalGcn(c.e);
    gcn.to(device, false);
    gcn.useBackend(backend);
    Tensor x = c.x.detach().clone().requires_grad_(true);
    return () -> Backward.of(gcn.forward(x, c.adj), c.dout);
  }

  /**
   * Host time per step where the device's work is negligible (a 4×8 level): what each call costs
   * in Java, JNI and launches, which small levels pay in full. With JavaCPP's resident-size check
   * on (a -Dorg.bytedeco.javacpp.maxPhysicalBytes given), every native object costs more.
   */
  private static String hostOverhead(HgcnKernel k, Device device, HgcnTiming timing) {
    HgcnCase c = new HgcnCase(4, 8, ScalarType.Float, device, 5);
    double kernel = timing.msPerStep(kernelStep(k, c)) * 1e3;
    double fused = timing.msPerStep(levelStep(c, HgcnBackend.FUSED, device)) * 1e3;
    double lib = timing.msPerStep(levelStep(c, HgcnBackend.LIBTORCH, device)) * 1e3;
    return String.format(Locale.ROOT, "== host overhead, 4×8 Float, µs per forward+backward: %s %.1f, fused level %.1f, "
        + "LibTorch composition %.1f (JavaCPP resident-size check %s)", k.describe(), kernel, fused, lib,
        JavaCppTuning.inEffect() ? "off" : "on");
  }

  /** The kernel alone, buffers allocated once: forward then backward. */
  private static Runnable kernelStep(HgcnKernel k, HgcnCase c) {
    Tensor out = empty_like(c.x), saved = HgcnBuffers.saved(c.x), ws = HgcnBuffers.workspace(c.x);
    HgcnGrads g = new HgcnGrads(empty_like(c.x), empty_like(c.w1),
        empty_like(c.w2), empty_like(c.w3),
        empty_like(c.gamma));
    return () -> {
      k.forward(c.x, c.adj, c.weights(), out, saved, ws);
      k.backward(c.x, c.adj, c.weights(), saved, c.dout, g, true, ws);
    };
  }

  /** Device memory in use (cudaMemGetInfo) after the runs: LibTorch's caching allocator keeps its peak. */
  private static String peakGiB(boolean cuda) {
    if (!cuda) return "n/a";
    Optional<HgcnKernels.DeviceInfo> d = HgcnKernels.cudaDevice(0);
    return d.map(i -> String.format(Locale.ROOT, "%.2f", (i.totalBytes() - i.freeBytes()) / (double) (1L << 30))).orElse("n/a");
  }

  static String row(String date, String commit, String device, String benchmark, String batch, double ms, String peak) {
    return String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %.4f | n/a | %s |", date, commit, device, benchmark, batch, ms, peak);
  }

  private static void write(Path file, String text) throws IOException {
    AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
  }
}
