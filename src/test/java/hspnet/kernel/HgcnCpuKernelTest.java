package hspnet.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static org.bytedeco.pytorch.global.torch.empty;
import static org.bytedeco.pytorch.global.torch.empty_like;
import static org.bytedeco.pytorch.global.torch.randn;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import hspnet.testutil.NativeScope;

/**
 * The CPU reference implementation of the fused level against the LibTorch composition: forward
 * and every gradient, at odd sizes (tile edges), the demo's and a label level's size, float16 and
 * bfloat16 activations, and accumulation into existing gradients. Outputs are filled with NaN
 * first, so an element the kernel leaves unwritten fails the comparison.
 */
@ExtendWith(NativeScope.class)
class HgcnCpuKernelTest {
  static final double F32_BOUND = 1e-5, HALF_BOUND = 1e-2, HALF_OPERAND_BOUND = 2e-4;
  /**
   * The tensor cores' arithmetic against the exact level: the weights and float32 intermediates are
   * rounded too, and the backward chains five products (dW1 comes from G through dZ3, dP2, dZ2,
   * dP1), so bfloat16's 8-bit mantissa ends up at a few 1e-2 of the largest gradient.
   */
  static double tensorCoreBound(ScalarType t) {
    return t.value == ScalarType.BFloat16.value ? 1e-1 : 1e-2;
  }
  static final String[] NAMES = {"out", "dX", "dW1", "dW2", "dW3", "dgamma"};

  private static HgcnKernel cpu() {
    return HgcnKernels.cpu().orElseThrow(() -> new AssertionError("the CPU kernel library must load: " + HgcnKernels.cpuProblem()));
  }

  private static Tensor nans(Tensor like) {
    return empty_like(like).fill_(new Scalar(Double.NaN));
  }

  @Test
  void buffersHaveTheSizesTheLibraryStates() {
    cpu();
    Tensor x = empty(new long[] {7, 96}, new TensorOptions(), null);
    assertEquals(6L * 7 * 96, HgcnBuffers.saved(x).numel(), "A·X, H1, H2, H3 of the forward");
    assertEquals(5L * 7 * 96 + 1024, HgcnBuffers.workspace(x).numel(), "scratch and the partial sums of dgamma");
  }

  /** Runs forward and backward; returns out, dX, dW1..dW3, dγ as float32. */
  static Tensor[] fused(HgcnKernel k, HgcnReference r, ScalarType type, Tensor[] initialWeightGrads) {
    Tensor x = r.x.to(type), adj = r.adj.to(type), dout = r.dout.to(type);
    Tensor out = nans(x), saved = HgcnBuffers.saved(x).fill_(new Scalar(Double.NaN)), ws = HgcnBuffers.workspace(x).fill_(new Scalar(Double.NaN));
    k.forward(x, adj, r.weights(), out, saved, ws);
    Tensor dx = nans(x), dg = nans(r.gamma);
    boolean acc = initialWeightGrads != null;
    Tensor dw1 = acc ? initialWeightGrads[0].clone() : nans(r.w1), dw2 = acc ? initialWeightGrads[1].clone() : nans(r.w2),
        dw3 = acc ? initialWeightGrads[2].clone() : nans(r.w3);
    k.backward(x, adj, r.weights(), saved, dout, new HgcnGrads(dx, dw1, dw2, dw3, dg), acc, ws);
    return new Tensor[] {out.to(ScalarType.Float), dx.to(ScalarType.Float), dw1, dw2, dw3, dg};
  }

  private static void assertClose(String shape, Tensor[] got, Tensor[] want, double bound) {
    for (int i = 0; i < NAMES.length; i++) {
      double d = HgcnReference.relDiff(got[i], want[i]);
      System.out.printf("hgcn-cpu %-10s %-6s max rel diff %.2e (bound %.0e)%n", shape, NAMES[i], d, bound);
      assertTrue(d <= bound, shape + " " + NAMES[i] + ": relative difference " + d + " exceeds " + bound);
    }
  }

  @Test
  void float32MatchesTheCompositionAtOddAndModelSizes() {
    long[][] shapes = {{1, 8}, {5, 40}, {4, 64}, {16, 64}, {20, 96}};
    for (long[] s : shapes) {
      HgcnReference r = new HgcnReference(s[0], s[1], 11 + s[0], 0.9);
      assertClose(s[0] + "x" + s[1], fused(cpu(), r, ScalarType.Float, null), r.expected(), F32_BOUND);
    }
  }

  @Test
  void gammaAwayFromItsInitialValue() {
    HgcnReference r = new HgcnReference(6, 32, 5, -0.35);
    assertClose("6x32 g-.35", fused(cpu(), r, ScalarType.Float, null), r.expected(), F32_BOUND);
  }

  @Test
  void halfAndBfloat16ActivationsAccumulateInFloat32() {
    for (ScalarType t : new ScalarType[] {ScalarType.Half, ScalarType.BFloat16}) {
      HgcnReference r = new HgcnReference(6, 64, 3, 0.9);
      // the reference sees the same rounded inputs, computed in float32
      HgcnReference rounded = new HgcnReference(6, 64, 3, 0.9);
      rounded.x.copy_(r.x.to(t).to(ScalarType.Float));
      rounded.adj.copy_(r.adj.to(t).to(ScalarType.Float));
      rounded.dout.copy_(r.dout.to(t).to(ScalarType.Float));
      assertClose("6x64 " + t, fused(cpu(), r, t, null), rounded.expected(), HALF_BOUND);
    }
  }

  /**
   * The tensor cores' arithmetic (operands rounded to the activation type, float32 sums), stated by
   * the CPU reference, against the plan written out in LibTorch with the same roundings: they
   * differ only in the order of float32 sums (and where that flips an operand's rounding). The
   * rounding must matter: for bfloat16 the result is further from the exact-operand reference's
   * than the bound, so an emulation that rounded nothing would fail.
   */
  @Test
  void halfOperandsAreTheTensorCoresArithmetic() {
    HgcnKernel emulated = HgcnKernels.cpuHalfOperands().orElseThrow();
    assertEquals("hgcn-cpu-half-operands", emulated.describe());
    for (long[] s : new long[][] {{6, 64}, {5, 40}}) {
      for (ScalarType t : new ScalarType[] {ScalarType.Half, ScalarType.BFloat16}) {
        HgcnReference r = new HgcnReference(s[0], s[1], 23 + s[0], 0.9);
        String shape = s[0] + "x" + s[1] + " " + t + " half operands";
        Tensor[] got = fused(emulated, r, t, null);
        assertClose(shape, got, r.halfOperandPlan(t), HALF_OPERAND_BOUND);
        // and, within the tensor cores' bound, still the level SPEC §2 defines
        HgcnReference rounded = new HgcnReference(s[0], s[1], 23 + s[0], 0.9);
        rounded.x.copy_(r.x.to(t).to(ScalarType.Float));
        rounded.adj.copy_(r.adj.to(t).to(ScalarType.Float));
        rounded.dout.copy_(r.dout.to(t).to(ScalarType.Float));
        assertClose(shape + " vs exact", got, rounded.expected(), tensorCoreBound(t));
        Tensor[] exact = fused(cpu(), r, t, null);
        double apart = 0;
        for (int i = 0; i < NAMES.length; i++) apart = Math.max(apart, HgcnReference.relDiff(got[i], exact[i]));
        System.out.printf("hgcn-cpu %s: %.2e from the exact-operand reference%n", shape, apart);
        assertTrue(apart > 2 * HALF_OPERAND_BOUND, shape + ": only " + apart + " from the exact-operand reference");
      }
    }
  }

  @Test
  void halfOperandsChangeNothingForFloat32() {
    HgcnReference r = new HgcnReference(5, 24, 9, 0.9);
    Tensor[] a = fused(cpu(), r, ScalarType.Float, null), b = fused(HgcnKernels.cpuHalfOperands().orElseThrow(), r, ScalarType.Float, null);
    for (int i = 0; i < NAMES.length; i++) assertTrue(a[i].equal(b[i]), NAMES[i] + " differs");
  }

  @Test
  void weightGradientsAddToExistingOnes() {
    HgcnReference r = new HgcnReference(5, 24, 9, 0.9);
    Tensor[] before = {randn(24, 48), randn(48, 48), randn(48, 24)};
    Tensor[] got = fused(cpu(), r, ScalarType.Float, before);
    Tensor[] want = r.expected();
    for (int i = 0; i < 3; i++) want[2 + i] = want[2 + i].add(before[i]);
    assertClose("5x24 acc", got, want, F32_BOUND);
  }

  @Test
  void theProbeThatGuardsAutoPassesOnAWorkingKernel() {
    assertEquals("", HgcnKernels.probe(cpu(), randn(1)));
  }

  @Test
  void refusesTensorsThatDoNotFit() {
    HgcnReference r = new HgcnReference(4, 16, 1, 0.9);
    Tensor out = empty_like(r.x), saved = HgcnBuffers.saved(r.x), ws = HgcnBuffers.workspace(r.x);
    HgcnWeights wrong = new HgcnWeights(r.w1, r.w3, r.w3, r.gamma);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cpu().forward(r.x, r.adj, wrong, out, saved, ws));
    assertTrue(e.getMessage().contains("w2 has shape [32, 16], expected [32, 32]"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> cpu().forward(r.x.t().t(), r.adj.t(), r.weights(), out, saved, ws));
    assertTrue(e.getMessage().contains("adj must be contiguous"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> cpu().forward(r.x, r.adj.narrow(1, 0, 3).contiguous(), r.weights(), out, saved, ws));
    assertTrue(e.getMessage().contains("adj has shape [4, 3], expected [4, 4]"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> cpu().forward(r.x.to(ScalarType.Double), r.adj, r.weights(), out, saved, ws));
    assertTrue(e.getMessage().contains("float32, float16 or bfloat16"), e.getMessage());
    HgcnWeights halfW2 = new HgcnWeights(r.w1, r.w2.to(ScalarType.Half), r.w3, r.gamma);
    e = assertThrows(IllegalArgumentException.class, () -> cpu().forward(r.x, r.adj, halfW2, out, saved, ws));
    assertTrue(e.getMessage().contains("w2 is Half, expected Float"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> cpu().forward(r.x, r.adj.to(ScalarType.Half), r.weights(), out, saved, ws));
    assertTrue(e.getMessage().contains("adj is Half, expected Float"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> cpu().forward(r.x.reshape(4, 4, 4), r.adj, r.weights(), out, saved, ws));
    assertTrue(e.getMessage().contains("x must be n×E, got [4, 4, 4]"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> cpu().forward(r.x, r.adj, r.weights(), out, saved.narrow(0, 1, 100), ws));
    assertTrue(e.getMessage().contains("saved has shape [100], expected [384]"), e.getMessage());
  }
}
