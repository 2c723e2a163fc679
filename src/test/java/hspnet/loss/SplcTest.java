package hspnet.loss;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import hspnet.io.Npy;
import hspnet.testutil.Shared;

import static org.bytedeco.pytorch.global.torch.cuda_is_available;
import static org.bytedeco.pytorch.global.torch.from_blob;

class SplcTest {

  private static Tensor floats(float[] v, long... shape) {
    try (FloatPointer p = new FloatPointer(v)) {
      return from_blob(p, shape, new TensorOptions().dtype(new ScalarTypeOptional(ScalarType.Float))).clone();
    }
  }

  private static Tensor longs(long[] v, long... shape) {
    try (LongPointer p = new LongPointer(v)) {
      return from_blob(p, shape, new TensorOptions().dtype(new ScalarTypeOptional(ScalarType.Long))).clone();
    }
  }

  private static float[] values(Tensor t) {
    Tensor c = t.to(ScalarType.Float).contiguous();
    float[] out = new float[(int) c.numel()];
    c.data_ptr_float().get(out);
    return out;
  }

  private static long[] longValues(Tensor t) {
    Tensor c = t.contiguous();
    long[] out = new long[(int) c.numel()];
    c.data_ptr_long().get(out);
    return out;
  }

  // One sample, two labels, default SPLC (tau .6, change_epoch 1, margin 1, gamma 2); s = sigmoid(1).
  //   logits (2, -1), targets (1, 0), epoch 0: z' = (1, -1) (margin only on the given positive).
  //     entry 0: t = 1, p = s, w = (1-s)^2, loss -log s·(1-s)^2
  //     entry 1: t = 0, p = 1-s, w = (1-s)^2, loss -log sigmoid(1)·(1-s)^2 = the same
  //     total = 2·log(1+e^-1)·(1-s)^2 ≈ 0.045316
  //   d/dz of entry 0 (focal weight not detached): -(1-s)^3 + 2·s·(1-s)^2·log s ≈ -0.05258
  //     (a detached weight would give -(1-s)^3 ≈ -0.01945)
  @Test
  void handCheckedOneByTwoCase() {
    try (PointerScope scope = new PointerScope()) {
      double s = 1 / (1 + Math.exp(-1));
      Tensor logits = floats(new float[] {2f, -1f}, 1, 2);
      logits.requires_grad_(true);
      Splc.Result r = Splc.defaults().forward(logits, longs(new long[] {1, 0}, 1, 2), 0);
      double want = 2 * Math.log(1 + Math.exp(-1)) * (1 - s) * (1 - s);
      assertEquals(want, r.loss().item_double(), 1e-6 * want);
      r.loss().backward();
      float[] g = values(logits.grad());
      assertEquals(-Math.pow(1 - s, 3) + 2 * s * (1 - s) * (1 - s) * Math.log(s), g[0], 1e-6);
      // entry 1: t = 0, z' = -1, p = 1-s: d/dz [-log(1-p)·p^2] = p^3 - 2p^2(1-p)·log(1-p) with p = 1-s
      double p = 1 - s;
      assertEquals(p * p * p - 2 * p * p * (1 - p) * Math.log(1 - p), g[1], 1e-6);
      assertArrayEquals(new long[] {1, 0}, longValues(r.targets()));
    }
  }

  // logits (2, 1), targets (1, 0): the unlabelled entry has sigmoid(1) ≈ 0.731 > 0.6.
  //   epoch 0: no correction; entry 1 is a negative with p = s: -log(1-s)·s^2 = log(1+e)·s^2
  //   epoch 1: it becomes a positive (not margin-shifted): -log s·(1-s)^2, same as entry 0
  @Test
  void pseudoPositivesFromChangeEpochOn() {
    try (PointerScope scope = new PointerScope()) {
      double s = 1 / (1 + Math.exp(-1));
      Tensor logits = floats(new float[] {2f, 1f}, 1, 2);
      Tensor targets = longs(new long[] {1, 0}, 1, 2);
      double positive = Math.log(1 + Math.exp(-1)) * (1 - s) * (1 - s);

      Splc.Result before = Splc.defaults().forward(logits, targets, 0);
      assertEquals(positive + Math.log(1 + Math.E) * s * s, before.loss().item_double(), 1e-6);
      assertArrayEquals(new long[] {1, 0}, longValues(before.targets()));

      Splc.Result after = Splc.defaults().forward(logits, targets, 1);
      assertEquals(2 * positive, after.loss().item_double(), 1e-6);
      assertArrayEquals(new long[] {1, 1}, longValues(after.targets()));
      assertEquals(ScalarType.Long, after.targets().scalar_type().intern());
      assertArrayEquals(new long[] {1, 0}, longValues(targets), "the caller's targets are not modified");
    }
  }

  @Test
  void halfPrecisionLogitsAreLiftedToFloat32() {
    try (PointerScope scope = new PointerScope()) {
      Tensor logits = floats(new float[] {0.5f, -2.25f, 3f, 0.125f}, 2, 2);
      Tensor targets = longs(new long[] {1, 0, 0, 1}, 2, 2);
      Tensor half = logits.to(ScalarType.Half);   // these values are exact in fp16
      double fromFloat = Splc.defaults().forward(logits, targets, 2).loss().item_double();
      Splc.Result fromHalf = Splc.defaults().forward(half, targets, 2);
      assertEquals(ScalarType.Float, fromHalf.loss().scalar_type().intern());
      assertEquals(fromFloat, fromHalf.loss().item_double());
    }
  }

  @Test
  void cudaTensorsGiveTheCpuResult() throws Exception {
    Assumptions.assumeTrue(cuda_is_available(), "skipped: no CUDA device in this LibTorch build");
    try (PointerScope scope = new PointerScope()) {
      Tensor logitsRef = Npy.read(Shared.fixture("splc.logits.npy")).toTensor();
      Tensor targetsRef = Npy.read(Shared.fixture("splc.targets.npy")).toTensor();
      Device cuda = new Device("cuda:0");
      Tensor cpuLogits = logitsRef.clone();
      cpuLogits.requires_grad_(true);
      Tensor gpuLogits = logitsRef.to(cuda, ScalarType.Float).detach();
      gpuLogits.requires_grad_(true);
      Splc.Result cpu = Splc.defaults().forward(cpuLogits, targetsRef, 1);
      Splc.Result gpu = Splc.defaults().forward(gpuLogits, targetsRef.to(cuda, ScalarType.Long), 1);
      cpu.loss().backward();
      gpu.loss().backward();
      double want = cpu.loss().item_double();
      assertEquals(want, gpu.loss().cpu().item_double(), 1e-5 * Math.abs(want));
      assertArrayEquals(longValues(cpu.targets()), longValues(gpu.targets().cpu()));
      float[] gc = values(cpuLogits.grad()), gg = values(gpuLogits.grad().cpu());
      for (int i = 0; i < gc.length; i++) assertEquals(gc[i], gg[i], 1e-6);
    }
  }

  @Test
  void refusesMismatchedShapesAndBadParameters() {
    try (PointerScope scope = new PointerScope()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Splc.defaults().forward(floats(new float[] {1, 2}, 1, 2), longs(new long[] {1, 0, 0}, 1, 3), 0));
      assertTrue(e.getMessage().contains("[1, 2]") && e.getMessage().contains("[1, 3]"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> new Splc(1.5, 1, 1, 2));
    assertThrows(IllegalArgumentException.class, () -> new Splc(0.6, -1, 1, 2));
    assertThrows(IllegalArgumentException.class, () -> new Splc(0.6, 1, Double.NaN, 2));
  }

  @Test
  void matchesEveryReferenceCase() throws Exception {
    JsonNode splc = new ObjectMapper().readTree(Shared.fixture("cases.json").toFile()).get("splc");
    Tensor logitsRef = Npy.read(Shared.fixture(splc.get("logits_file").asText())).toTensor();
    Tensor targetsRef = Npy.read(Shared.fixture(splc.get("targets_file").asText())).toTensor();
    assertEquals(ScalarType.Long, targetsRef.scalar_type().intern());
    double worstLossRel = 0, worstGradRatio = 0;
    for (JsonNode c : splc.get("cases")) {
      try (PointerScope scope = new PointerScope()) {
        JsonNode p = c.get("params");
        Splc loss = new Splc(p.get("tau").asDouble(), p.get("change_epoch").asInt(),
            p.get("margin").asDouble(), p.get("gamma").asDouble());
        Tensor logits = logitsRef.clone();
        logits.requires_grad_(true);
        Splc.Result r = loss.forward(logits, targetsRef, c.get("epoch").asInt());

        double want = c.get("loss").asDouble();
        double lossRel = Math.abs(r.loss().item_double() - want) / Math.abs(want);

        r.loss().backward();
        float[] grad = values(logits.grad());
        float[] gradRef = Npy.read(Shared.fixture(c.get("grad_file").asText())).floats();
        double maxRef = 0, maxDiff = 0;
        for (int i = 0; i < grad.length; i++) {
          maxRef = Math.max(maxRef, Math.abs(gradRef[i]));
          maxDiff = Math.max(maxDiff, Math.abs(grad[i] - gradRef[i]));
        }
        double gradRatio = maxDiff / maxRef;

        long[] targetsOut = longValues(r.targets());
        long[] targetsWant = Npy.read(Shared.fixture(c.get("targets_out_file").asText())).longs();
        long[] targetsIn = longValues(targetsRef);
        int corrected = 0;
        for (int i = 0; i < targetsOut.length; i++) if (targetsOut[i] != targetsIn[i]) corrected++;

        System.out.printf("SPLC %-15s loss %.8f (rel diff %.3g), grad max |diff| %.3g = %.3g x max|ref|, %d targets corrected%n",
            c.get("name").asText(), r.loss().item_double(), lossRel, maxDiff, gradRatio, corrected);
        String name = c.get("name").asText();
        assertTrue(lossRel <= 1e-5, name + ": loss rel diff " + lossRel);
        assertTrue(gradRatio <= 1e-5, name + ": grad max diff " + maxDiff + " vs max |ref| " + maxRef);
        assertArrayEquals(targetsWant, targetsOut, name + ": corrected targets");
        assertEquals(ScalarType.Long, r.targets().scalar_type().intern(), name + ": targets keep int64");
        assertEquals(c.get("n_corrected").asInt(), corrected, name + ": number of corrected targets");
        worstLossRel = Math.max(worstLossRel, lossRel);
        worstGradRatio = Math.max(worstGradRatio, gradRatio);
      }
    }
    System.out.printf("SPLC parity over %d cases: worst loss rel diff %.3g, worst grad diff %.3g x max|ref|%n",
        splc.get("cases").size(), worstLossRel, worstGradRatio);
  }
}
