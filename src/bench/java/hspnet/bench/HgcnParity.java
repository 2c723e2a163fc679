package hspnet.bench;

import java.io.PrintStream;
import java.util.Locale;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;

import hspnet.kernel.FusedHgcn;
import hspnet.kernel.HgcnBuffers;
import hspnet.kernel.HgcnGrads;
import hspnet.kernel.HgcnKernel;
import hspnet.kernel.HgcnKernels;
import hspnet.kernel.HgcnWeights;

import static org.bytedeco.pytorch.global.torch.empty_like;

/**
 * Parity of a fused kernel with the LibTorch composition for one case: the kernel called directly
 * (every output and buffer filled with NaN first, so an element it leaves unwritten shows) and the
 * kernel inside autograd ({@link FusedHgcn}, hooks included); a tensor-core kernel also against the
 * CPU reference of its own arithmetic ({@link #sameArithmetic}). Prints one line per check and
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

  /** How a result is compared with its reference. */
  enum Metric {
    /** max |Δ| / max |reference|: every element within the bound, for arithmetic that is continuous in its inputs. */
    MAX("rel"),
    /** ‖Δ‖ / ‖reference‖ over all elements: for results a few elements of which may jump (see {@link #tensorCoreBound}). */
    RMS("rms");

    final String label;

    Metric(String label) {
      this.label = label;
    }

    double of(Tensor got, Tensor want) {
      return this == MAX ? HgcnCase.relDiff(got, want) : HgcnCase.rmsDiff(got, want);
    }
  }

  /**
   * A tensor-core kernel (operands rounded to the activation type, the float32 weights and
   * intermediates included) against the exact composition, as ‖Δ‖/‖reference‖. Not max |Δ|: the
   * rounded intermediates move a few pre-activations across LeakyReLU's kink, where the backward's
   * slope jumps from 1 to 0.2, and a flipped slope changes a whole row of dZ and so a column of the
   * weight gradient by a few percent of its largest value (on the CPU reference that emulates them,
   * 80×1024: max 5.5e-2 of dW1 for float16, 7.6e-2 bfloat16; ‖Δ‖/‖ref‖ 8.6e-3 and 2.5e-2). The
   * bounds are three times those norms; an indexing or tiling fault is off by the size of the values.
   */
  static double tensorCoreBound(ScalarType t) {
    return t.value == ScalarType.BFloat16.value ? 8e-2 : 2.5e-2;
  }

  /**
   * A tensor-core kernel against the CPU reference that emulates its arithmetic, given the same
   * inputs and, for the backward, the same saved activations: they differ only in the order of
   * float32 sums, which flips a rounding to the activation type here and there. Two units in the
   * type's last place relative to the largest value (2·2⁻¹⁰ float16, 2·2⁻⁷ bfloat16): on the CPU,
   * weights moved by one float32 ulp — another summation order — moved every result by at most
   * 0.6 of one.
   */
  static double sameArithmeticBound(ScalarType t) {
    return t.value == ScalarType.BFloat16.value ? 2 * 0x1p-7 : t.value == ScalarType.Half.value ? 2 * 0x1p-10 : 1e-5;
  }

  private static Tensor nans(Tensor like) {
    return empty_like(like).fill_(new Scalar(Double.NaN));
  }

  /** The kernel called directly, against the composition. */
  void direct(HgcnKernel k, HgcnCase c, Tensor[] want) {
    Tensor out = nans(c.x), saved = nans(HgcnBuffers.saved(c.x)), ws = nans(HgcnBuffers.workspace(c.x));
    k.forward(c.x, c.adj, c.weights(), out, saved, ws);
    Tensor dx = nans(c.x), dw1 = nans(c.w1), dw2 = nans(c.w2), dw3 = nans(c.w3), dg = nans(c.gamma);
    k.backward(c.x, c.adj, c.weights(), saved, c.dout, new HgcnGrads(dx, dw1, dw2, dw3, dg), false, ws);
    report(k.describe() + " direct", c, NAMES, new Tensor[] {out, dx, dw1, dw2, dw3, dg}, want, bound(c.type, k), metric(c.type, k));
  }

  /** The kernel inside autograd: gradients arrive through the hooks, into leaves' .grad. */
  void autograd(HgcnKernel k, HgcnCase c, Tensor[] want) {
    Tensor x = c.x.detach().clone().requires_grad_(true);
    HgcnWeights w = new HgcnWeights(c.w1.detach().clone().requires_grad_(true), c.w2.detach().clone().requires_grad_(true),
        c.w3.detach().clone().requires_grad_(true), c.gamma.detach().clone().requires_grad_(true));
    Tensor out = FusedHgcn.apply(k, x, c.adj, w);
    Backward.of(out, c.dout);
    report(k.describe() + " autograd", c,
        NAMES, new Tensor[] {out.detach(), x.grad(), w.w1().grad(), w.w2().grad(), w.w3().grad(), w.gamma().grad()}, want,
        bound(c.type, k), metric(c.type, k));
    if (FusedHgcn.pending() != 0) {
      failures++;
      log.println("FAIL " + k.describe() + " autograd " + c.shape() + ": " + FusedHgcn.pending() + " hooks never ran");
    }
  }

  /** Another implementation's outputs (the CPU reference), against this one's: same plan, other hardware. */
  void report(String what, HgcnCase c, Tensor[] got, Tensor[] want) {
    report(what, c, NAMES, got, want, bound(c.type), Metric.MAX);
  }

  /** The bound for a kernel on a case's type. */
  static double bound(ScalarType t, HgcnKernel k) {
    return tensorCores(t, k) ? tensorCoreBound(t) : bound(t);
  }

  static Metric metric(ScalarType t, HgcnKernel k) {
    return tensorCores(t, k) ? Metric.RMS : Metric.MAX;
  }

  private static boolean tensorCores(ScalarType t, HgcnKernel k) {
    return k.halfOperands() && t.value != ScalarType.Float.value;
  }

  static final String[] FORWARD_NAMES = {"out", "Y1", "H1", "H2", "H3"};
  static final String[] BACKWARD_NAMES = {"dX", "dW1", "dW2", "dW3", "dgamma"};

  /**
   * A kernel against a reference of the same arithmetic on the CPU (a tensor-core kernel against
   * {@link HgcnKernels#cpuHalfOperands()}), in two checks that each compare continuous functions
   * of their inputs: the forward (out and the saved A·X, H1, H2, H3) from the same inputs, and the
   * backward from the same inputs and the same saved activations — the kernel's, copied to the
   * CPU. Comparing whole runs instead would let one pre-activation that lands on the other side of
   * LeakyReLU's kink (the sums' order differs) change a column of a weight gradient by percents:
   * a difference of the function, not a fault of the kernel.
   */
  void sameArithmetic(HgcnKernel kernel, HgcnKernel reference, HgcnCase c) {
    Device cpu = new Device(DeviceType.CPU);
    Tensor x = c.x.to(cpu, c.type), adj = c.adj.to(cpu, c.type), dout = c.dout.to(cpu, c.type);
    HgcnWeights w = new HgcnWeights(c.w1.to(cpu, ScalarType.Float), c.w2.to(cpu, ScalarType.Float),
        c.w3.to(cpu, ScalarType.Float), c.gamma.to(cpu, ScalarType.Float));
    Tensor out = nans(c.x), saved = nans(HgcnBuffers.saved(c.x));
    kernel.forward(c.x, c.adj, c.weights(), out, saved, nans(HgcnBuffers.workspace(c.x)));
    Tensor refOut = nans(x), refSaved = nans(HgcnBuffers.saved(x));
    reference.forward(x, adj, w, refOut, refSaved, nans(HgcnBuffers.workspace(x)));
    Tensor savedHere = saved.to(cpu, ScalarType.Float);
    String what = kernel.describe() + " vs " + reference.describe();
    double bound = sameArithmeticBound(c.type);
    report(what + " fwd", c, FORWARD_NAMES, concat(out, savedParts(savedHere, c)), concat(refOut, savedParts(refSaved, c)), bound,
        Metric.MAX);

    Tensor[] got = grads(kernel, c.x, c.adj, c.weights(), saved, c.dout);
    Tensor[] want = grads(reference, x, adj, w, savedHere, dout);
    report(what + " bwd", c, BACKWARD_NAMES, got, want, bound, Metric.MAX);
  }

  /** dX, dW1..dW3, dγ from a given saved buffer (outputs NaN first: an element left unwritten shows). */
  private static Tensor[] grads(HgcnKernel k, Tensor x, Tensor adj, HgcnWeights w, Tensor saved, Tensor dout) {
    Tensor dx = nans(x), dw1 = nans(w.w1()), dw2 = nans(w.w2()), dw3 = nans(w.w3()), dg = nans(w.gamma());
    k.backward(x, adj, w, saved, dout, new HgcnGrads(dx, dw1, dw2, dw3, dg), false, nans(HgcnBuffers.workspace(x)));
    return new Tensor[] {dx, dw1, dw2, dw3, dg};
  }

  /** A·X, H1, H2, H3 in the saved buffer (native/src/hgcn_plan.h, Layout): n·E, 2n·E, 2n·E, n·E floats. */
  private static Tensor[] savedParts(Tensor saved, HgcnCase c) {
    long ne = c.n * c.e;
    return new Tensor[] {saved.narrow(0, 0, ne), saved.narrow(0, ne, 2 * ne), saved.narrow(0, 3 * ne, 2 * ne),
        saved.narrow(0, 5 * ne, ne)};
  }

  private static Tensor[] concat(Tensor first, Tensor[] rest) {
    Tensor[] all = new Tensor[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  void report(String what, HgcnCase c, String[] names, Tensor[] got, Tensor[] want, double bound, Metric metric) {
    Device cpu = new Device(DeviceType.CPU);
    double worst = 0;
    String worstName = "";
    for (int i = 0; i < names.length; i++) {
      double d = got[i] == null || !got[i].defined() ? Double.NaN
          : metric.of(got[i].to(cpu, ScalarType.Float), want[i].to(cpu, ScalarType.Float));
      if (!(d <= worst)) {
        worst = d;
        worstName = names[i];
      }
    }
    checks++;
    boolean ok = worst <= bound;
    if (!ok) failures++;
    log.println(String.format(Locale.ROOT, "%s %-28s %-9s %-9s worst %-6s %s %.2e (bound %.1e)", ok ? "ok  " : "FAIL", what,
        c.shape(), c.type, worstName, metric.label, worst, bound));
  }
}
