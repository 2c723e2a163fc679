package hspnet.bench;

import java.io.PrintStream;
import java.util.Locale;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import hspnet.kernel.FusedHgcn;
import hspnet.kernel.HgcnBuffers;
import hspnet.kernel.HgcnGrads;
import hspnet.kernel.HgcnKernel;
import hspnet.kernel.HgcnWeights;

import static org.bytedeco.pytorch.global.torch.empty_like;

/**
 * Parity of a fused kernel with the LibTorch composition for one case: the kernel called directly
 * (every output and buffer filled with NaN first, so an element it leaves unwritten shows) and the
 * kernel inside autograd ({@link FusedHgcn}, hooks included). Prints one line per check and
 * counts failures; a NaN never passes.
 */
final class HgcnParity {
  static final String[] NAMES = {"out", "dX", "dW1", "dW2", "dW3", "dgamma"};
  private final PrintStream log;
  int checks, failures;

  HgcnParity(PrintStream log) {
    this.log = log;
  }

  static double bound(ScalarType t) {
    return t.value == ScalarType.Float.value ? 1e-5 : 1e-2;
  }

  /**
   * The bound for a kernel: one that rounds its products' operands to the activation type (the
   * tensor-core variants) rounds the weights and float32 intermediates too, and bfloat16's 8-bit
   * mantissa through the backward's chain of five products reaches a few 1e-2 of the largest
   * gradient (hspnet.kernel.HgcnCpuKernelTest measures it on the CPU reference that emulates them).
   */
  static double bound(ScalarType t, HgcnKernel k) {
    return k.halfOperands() && t.value == ScalarType.BFloat16.value ? 1e-1 : bound(t);
  }

  /** A tensor-core kernel against the CPU reference that emulates it: the same roundings, sums in another order. */
  static final double SAME_ARITHMETIC_BOUND = 1e-3;

  private static Tensor nans(Tensor like) {
    return empty_like(like).fill_(new Scalar(Double.NaN));
  }

  /** The kernel called directly, against the composition. */
  void direct(HgcnKernel k, HgcnCase c, Tensor[] want) {
    Tensor out = nans(c.x), saved = nans(HgcnBuffers.saved(c.x)), ws = nans(HgcnBuffers.workspace(c.x));
    k.forward(c.x, c.adj, c.weights(), out, saved, ws);
    Tensor dx = nans(c.x), dw1 = nans(c.w1), dw2 = nans(c.w2), dw3 = nans(c.w3), dg = nans(c.gamma);
    k.backward(c.x, c.adj, c.weights(), saved, c.dout, new HgcnGrads(dx, dw1, dw2, dw3, dg), false, ws);
    report(k.describe() + " direct", c, new Tensor[] {out, dx, dw1, dw2, dw3, dg}, want, bound(c.type, k));
  }

  /** The kernel inside autograd: gradients arrive through the hooks, into leaves' .grad. */
  void autograd(HgcnKernel k, HgcnCase c, Tensor[] want) {
    Tensor x = c.x.detach().clone().requires_grad_(true);
    HgcnWeights w = new HgcnWeights(c.w1.detach().clone().requires_grad_(true), c.w2.detach().clone().requires_grad_(true),
        c.w3.detach().clone().requires_grad_(true), c.gamma.detach().clone().requires_grad_(true));
    Tensor out = FusedHgcn.apply(k, x, c.adj, w);
    Backward.of(out, c.dout);
    report(k.describe() + " autograd", c,
        new Tensor[] {out.detach(), x.grad(), w.w1().grad(), w.w2().grad(), w.w3().grad(), w.gamma().grad()}, want,
        bound(c.type, k));
    if (FusedHgcn.pending() != 0) {
      failures++;
      log.println("FAIL " + k.describe() + " autograd " + c.shape() + ": " + FusedHgcn.pending() + " hooks never ran");
    }
  }

  /** Another implementation's outputs (the CPU reference), against this one's: same plan, other hardware. */
  void report(String what, HgcnCase c, Tensor[] got, Tensor[] want) {
    report(what, c, got, want, bound(c.type));
  }

  void report(String what, HgcnCase c, Tensor[] got, Tensor[] want, double bound) {
    double worst = 0;
    String worstName = "";
    for (int i = 0; i < NAMES.length; i++) {
      double d = got[i] == null || !got[i].defined() ? Double.NaN : HgcnCase.relDiff(got[i], want[i]);
      if (!(d <= worst)) {
        worst = d;
        worstName = NAMES[i];
      }
    }
    checks++;
    boolean ok = worst <= bound;
    if (!ok) failures++;
    log.println(String.format(Locale.ROOT, "%s %-28s %-9s %-9s worst %-6s rel %.2e (bound %.0e)", ok ? "ok  " : "FAIL", what,
        c.shape(), c.type, worstName, worst, bound));
  }
}
