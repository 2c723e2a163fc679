package hspnet.bench;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.MemoryFormat;
import org.bytedeco.pytorch.global.torch.ScalarType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import hspnet.cli.ExitStatus;
import hspnet.cli.OptionParser;
import hspnet.clip.ClipArch;
import hspnet.clip.ClipModel;
import hspnet.nn.Autocast;
import hspnet.io.Npy;
import hspnet.io.TorchZipReader;
import hspnet.kernel.HgcnKernels;
import hspnet.loss.Splc;
import hspnet.model.HspNet;
import hspnet.model.Prompts;
import hspnet.nn.StateDicts;
import hspnet.nn.Tensors;
import hspnet.run.Devices;
import hspnet.testutil.SyntheticHspNet;
import hspnet.train.ModelEma;
import hspnet.train.ParamGroups;
import hspnet.train.TrainingState;
import hspnet.nn.CpuNumerics;
import org.bytedeco.pytorch.Scalar;
import hspnet.nn.JavaCppTuning;

/**
 * The CUDA smoke checks of the device script, one line each, exit status 1 if any fails:
 * CUDA is there; the reference fixture's HSPNet gives on the GPU (float32, fp16 autocast,
 * channels-last) the logits it gives on the CPU and the original gave, within loose bounds; a few
 * training steps with amp (fp16 with loss scaling, bf16, the fused optimizer) keep the loss finite.
 *
 * <p>{@code DeviceCheck [--fixtures DIR] [--device cuda|cpu]} — DIR holds the fixture files
 * hspnet_rn.state.pt, .images.npy, .logits.npy, .relation_raw.npy, .parent_tokens.npy,
 * .child_tokens.npy and cases.json (the parity check is skipped without it); {@code --device cpu}
 * runs the same code on the CPU (to test the script where there is no GPU).
 */
public final class DeviceCheck {
  static {
    JavaCppTuning.apply(); // before the first native object (see JavaCppTuning)
  }

  private final List<String> failures = new ArrayList<>();

  private DeviceCheck() {}

  static final String USAGE = "usage: DeviceCheck [--fixtures DIR] [--device cuda|cpu] | --probe-memory auto|driver\n";

  private static final OptionParser PARSER = new OptionParser("DeviceCheck").value("--fixtures").value("--device")
      .value("--probe-memory");

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /**
   * The checks; returns 0 when all passed, 1 when one failed. {@code --probe-memory M} alone (in a
   * JVM of its own: if loading the CUDA presets aborts the process, the script knows) returns 0
   * when GPU memory is read the way M asks, else 1 (the device script then tries another way).
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return PARSER.run(args, USAGE, out, err, p -> {
      String device = p.value("--device", "cuda");
      if (!List.of("cuda", "cpu").contains(device)) throw p.error("--device must be cuda or cpu, got '" + device + "'");
      String probe = p.value("--probe-memory");
      if (probe != null && !List.of("auto", "driver").contains(probe))
        throw p.error("--probe-memory must be auto or driver, got '" + probe + "'");
      CpuNumerics.pin();
      if (probe != null) {
        Device d = new Device(DeviceType.CUDA);
        GpuMemory m = GpuMemory.of(d, probe);
        out.printf(Locale.ROOT, "GPU memory: %s; %.3f GiB in use%n", m.source(), m.currentBytes() / GpuMemory.GIB);
        boolean wanted = probe.equals("driver") ? m instanceof GpuMemory.DriverView : m instanceof GpuMemory.AllocatorStats;
        return wanted ? ExitStatus.DONE : ExitStatus.BAD_INPUT;
      }
      return new DeviceCheck().checks(p.path("--fixtures"), device);
    });
  }

  private int checks(Path fixtures, String device) throws IOException {
    boolean cuda = torch.cuda_is_available();
    if (device.equals("cuda")) check("CUDA available (" + torch.cuda_device_count() + " device(s))", cuda);
    else System.out.println("SKIP CUDA (--device " + device + ": the checks run on the CPU)");
    if (device.equals("cuda") && !cuda) return finish();
    Device d = new Device(device.equals("cuda") ? DeviceType.CUDA : DeviceType.CPU);
    if (d.is_cuda()) {
      Devices.setCudnnBenchmark(true);
      System.out.println("device: " + RunInfo.deviceName(d) + "; memory: " + GpuMemory.of(d).source());
      // a fault inside the fused HGCN kernel then fails the call that launched it, not a later one
      System.out.println("fused HGCN kernel: synchronise-and-check mode " + (HgcnKernels.cudaSyncCheck(true) ? "on" : "off (library not loaded)"));
    }
    if (fixtures != null && Files.isDirectory(fixtures)) fixtureParity(fixtures, d);
    else System.out.println("SKIP fixture parity (no fixture folder" + (fixtures == null ? "" : " " + fixtures) + ")");
    trainingSteps(d);
    return finish();
  }

  private void check(String what, boolean ok) {
    System.out.println((ok ? "OK   " : "FAIL ") + what);
    if (!ok) failures.add(what);
  }

  private int finish() {
    System.out.println(failures.isEmpty() ? "DEVICE CHECK OK" : "DEVICE CHECK FAILED: " + failures);
    return failures.isEmpty() ? ExitStatus.DONE : ExitStatus.BAD_INPUT;
  }

  /** The fixture's HSPNet (tiny RN CLIP, VOC labels) on the CPU and on the device. */
  private void fixtureParity(Path dir, Device device) throws IOException {
    String on = Devices.describe(device);
    try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      JsonNode cases = new ObjectMapper().readTree(dir.resolve("cases.json").toFile());
      JsonNode rn = cases.at("/hspnet/rn"), a = cases.at("/clip/rn/arch");
      List<Integer> layers = new ArrayList<>();
      a.get("vision_layers").forEach(n -> layers.add(n.asInt()));
      ClipArch arch = ClipArch.resNet(a.get("embed_dim").asInt(), a.get("image_resolution").asInt(), layers, a.get("vision_width").asInt(),
          a.get("vision_heads").asInt(), a.get("context_length").asInt(), a.get("vocab_size").asInt(), a.get("transformer_width").asInt(),
          a.get("transformer_heads").asInt(), a.get("transformer_layers").asInt());
      int[] groupOf = new int[rn.get("parent_index").size()];
      for (int c = 0; c < groupOf.length; c++) groupOf[c] = rn.get("parent_index").get(c).asInt();
      Prompts prompts = new Prompts(rows(dir.resolve("hspnet_rn.parent_tokens.npy")), rows(dir.resolve("hspnet_rn.child_tokens.npy")),
          groupOf, rn.at("/cfg/parent_n_ctx").asInt(), rn.at("/cfg/child_n_ctx").asInt());
      float[] relation = Npy.read(dir.resolve("hspnet_rn.relation_raw.npy")).floats();
      double p = rn.at("/cfg/reweight_p").asDouble();
      Tensor images = Npy.read(dir.resolve("hspnet_rn.images.npy")).toTensor();
      float[] reference = Npy.read(dir.resolve("hspnet_rn.logits.npy")).floats();

      HspNet cpu = new HspNet(new ClipModel(arch), prompts, relation, p);
      StateDicts.loadStrict(cpu, TorchZipReader.readStateDict(dir.resolve("hspnet_rn.state.pt")), "hspnet_rn.state.pt");
      cpu.eval();
      float[] onCpu = Tensors.toFloats(cpu.forward(images));
      double scale = Math.max(1, maxAbs(reference));
      report("CPU float32 vs the original's logits", maxDiff(onCpu, reference), 5e-5 * scale);

      HspNet gpu = new HspNet(new ClipModel(arch), prompts, relation, p);
      StateDicts.loadStrict(gpu, StateDicts.of(cpu), "the CPU model");
      gpu.moveTo(device);
      gpu.eval();
      Tensor x = images.to(device, ScalarType.Float);
      // cuDNN convolutions may run in TF32 (LibTorch's default, as PyTorch's): a loose float32 bound
      report(on + " float32 vs CPU", maxDiff(Tensors.toFloats(gpu.forward(x)), onCpu), 2e-2 * scale);
      if (device.is_cuda()) {
        Autocast fp16 = new Autocast(true);
        try (Autocast.Scope s = fp16.enter()) {
          report(on + " fp16 autocast vs CPU float32", maxDiff(Tensors.toFloats(gpu.forward(x).to(ScalarType.Float)), onCpu), 5e-2 * scale);
        }
        gpu.useChannelsLast();
        try (Autocast.Scope s = fp16.enter()) {
          Tensor nhwc = x.contiguous(MemoryFormat.ChannelsLast);
          report(on + " fp16 autocast, channels-last vs CPU float32", maxDiff(Tensors.toFloats(gpu.forward(nhwc).to(ScalarType.Float)), onCpu),
              5e-2 * scale);
        }
      }
    } catch (RuntimeException e) {
      check("fixture parity ran: " + e, false);
    }
  }

  private void report(String what, double diff, double bound) {
    check(String.format(Locale.ROOT, "%s: max abs diff %.3g (bound %.3g)", what, diff, bound), diff <= bound);
  }

  /** Training steps of a small synthetic HSPNet with each kind of mixed precision: the loss stays finite. */
  private void trainingSteps(Device device) {
    String[][] variants = {{"float16", "false"}, {"bfloat16", "false"}, {"float16", "true"}};
    for (String[] v : variants) {
      try (PointerScope scope = new PointerScope()) {
        ClipArch arch = SyntheticHspNet.Size.SMALL.arch(64);
        HspNet model = SyntheticHspNet.build(arch, 11), ema = SyntheticHspNet.build(arch, 12);
        TrainingState.Tuning tuning = new TrainingState.Tuning(Autocast.dtypeNamed(v[0]), Boolean.parseBoolean(v[1]), true);
        TrainingState.Recipe recipe = new TrainingState.Recipe(ParamGroups.maxLr(1e-3, 1e-3), 100, 1e-4, ModelEma.decayForStepsPerEpoch(10),
            Splc.defaults(), true, tuning);
        manual_seed(13);
        Tensor images = randn(8, 3, 64, 64);
        Tensor targets = org.bytedeco.pytorch.global.torch.zeros(8, SyntheticHspNet.numLabels()).to(ScalarType.Long);
        for (int i = 0; i < 8; i++) targets.get(i).get(i * 7 % SyntheticHspNet.numLabels()).fill_(new Scalar(1L));
        StringBuilder losses = new StringBuilder();
        boolean finite = true;
        try (TrainingState state = new TrainingState(model, ema, recipe, device)) {
          state.setModesFor(1, true);
          for (int step = 0; step < 6; step++) {
            try (PointerScope s = new PointerScope()) {
              TrainingState.StepResult r = state.step(images, targets, 1, step);
              float loss = r.loss().item_float();
              finite &= Float.isFinite(loss);
              losses.append(String.format(Locale.ROOT, " %.3f%s", loss, r.stepped() ? "" : "(skipped)"));
            }
          }
          check(String.format(Locale.ROOT, "6 training steps, autocast %s%s: losses%s; loss scale %.0f", v[0],
              v[1].equals("true") ? ", fused optimizer" : "", losses, state.scaler().scale()), finite);
        }
      } catch (RuntimeException e) {
        check("training steps (" + v[0] + (v[1].equals("true") ? ", fused" : "") + ") ran: " + e, false);
      }
    }
  }

  private static long[][] rows(Path npy) throws IOException {
    var a = Npy.read(npy);
    long[] flat = a.longs();
    int n = (int) a.shape()[0], len = (int) a.shape()[1];
    long[][] out = new long[n][len];
    for (int i = 0; i < n; i++) System.arraycopy(flat, i * len, out[i], 0, len);
    return out;
  }

  private static double maxDiff(float[] a, float[] b) {
    if (a.length != b.length) return Double.POSITIVE_INFINITY;
    double m = 0;
    for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs((double) a[i] - b[i]));
    return Double.isNaN(m) ? Double.POSITIVE_INFINITY : m;
  }

  private static double maxAbs(float[] a) {
    double m = 0;
    for (float v : a) m = Math.max(m, Math.abs(v));
    return m;
  }
}
