package hspnet.kernel;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorBase;
import org.bytedeco.pytorch.TensorTensorHook;

import static org.bytedeco.pytorch.global.torch.empty_like;
import static org.bytedeco.pytorch.global.torch.zeros_like;

/**
 * One HGCN level computed by a fused kernel that takes part in autograd. The JavaCPP presets have
 * no custom autograd Function, so the output is made by a cheap LibTorch op that links it into the
 * graph — {@code out = x + γ} (γ as a 0-dim view, so out keeps x's type) — and the kernel then
 * overwrites its values. Two tensor hooks replace what autograd would compute for that op:
 *
 * <ul>
 *   <li>on out: receives dL/dout, runs the fused backward, adds dW1..dW3 straight into the
 *       weights' {@code .grad} (they are leaves, so this is what their AccumulateGrad would do) and
 *       returns dX as out's gradient — the add passes it on to x unchanged, and from there autograd
 *       carries it upstream (text encoder, meta-net, the other level);
 *   <li>on the γ view: replaces the sum autograd made with the kernel's dγ.
 * </ul>
 *
 * The adjacency is a constant (no gradient). Second-order gradients and a second backward over the
 * same graph are not supported.
 */
public final class FusedHgcn {
  private FusedHgcn() {}

  /**
   * Forwards whose backward has not run yet. LibTorch calls a hook through a native thunk that
   * dies with its Java object, so each hook stays reachable here until it has fired.
   */
  private static final Set<Pending> PENDING = ConcurrentHashMap.newKeySet();

  /** The level's output, n×E in x's type; differentiable in x, W1..W3 and γ when grad mode is on. */
  public static Tensor apply(HgcnKernel kernel, Tensor x, Tensor adj, HgcnWeights w) {
    if (adj.requires_grad())
      throw new IllegalArgumentException("hgcn: the fused kernel treats the adjacency as a constant, but it requires grad");
    PENDING.removeIf(Pending::released);
    Tensor xc = x.contiguous(), ac = adj.contiguous();
    Tensor saved = HgcnBuffers.saved(xc), ws = HgcnBuffers.workspace(xc);
    boolean weightsTrain = w.w1().requires_grad() || w.w2().requires_grad() || w.w3().requires_grad();
    boolean track = GradMode.is_enabled() && (xc.requires_grad() || w.gamma().requires_grad() || weightsTrain);
    if (!track) {
      Tensor out = empty_like(xc);
      kernel.forward(xc, ac, w, out, saved, ws);
      return out;
    }
    // The link that gives out a grad_fn: γ, unless only the weights train (then one weight element).
    boolean viaGamma = w.gamma().requires_grad() || xc.requires_grad() || !weightsTrain;
    Tensor link = viaGamma ? w.gamma().squeeze() : firstTrainable(w).view(-1).select(0, 0);
    Tensor out = xc.add(link);
    try (NoGradGuard g = new NoGradGuard()) {
      kernel.forward(xc, ac, w, out, saved, ws);
    }
    Pending p = new Pending(kernel, xc.detach(), ac, w, saved, ws, link.requires_grad(), viaGamma);
    out.register_hook(p.outHook);
    if (p.linkHook != null) link.register_hook(p.linkHook);
    PENDING.add(p);
    return out;
  }

  /** Hooks registered and not yet run (for tests: it must drop to zero after every backward). */
  public static int pending() {
    return PENDING.size();
  }

  private static Tensor firstTrainable(HgcnWeights w) {
    return w.w1().requires_grad() ? w.w1() : w.w2().requires_grad() ? w.w2() : w.w3();
  }

  /** What one forward keeps for its backward, and the two hooks. */
  private static final class Pending {
    final HgcnKernel kernel;
    final Tensor x, adj, saved, workspace;
    final HgcnWeights w;
    final boolean viaGamma;
    final TensorTensorHook outHook, linkHook;
    volatile Tensor dgamma;

    Pending(HgcnKernel kernel, Tensor x, Tensor adj, HgcnWeights w, Tensor saved, Tensor workspace, boolean linkHooked,
        boolean viaGamma) {
      this.kernel = kernel;
      this.x = x;
      this.adj = adj;
      this.w = w;
      this.saved = saved;
      this.workspace = workspace;
      this.viaGamma = viaGamma;
      this.outHook = new TensorTensorHook() {
        @Override
        public TensorBase call(TensorBase grad) {
          return backward(new Tensor(grad));
        }
      };
      this.linkHook = !linkHooked ? null : new TensorTensorHook() {
        @Override
        public TensorBase call(TensorBase grad) {
          PENDING.remove(Pending.this);
          Tensor like = new Tensor(grad);
          return viaGamma ? dgamma.reshape(like.sizes()).to(like.scalar_type()) : zeros_like(like);
        }
      };
    }

    boolean released() {
      return outHook.isNull();
    }

    Tensor backward(Tensor dout) {
      try (NoGradGuard g = new NoGradGuard()) {
        Tensor dx = empty_like(x);
        Tensor d = HgcnBuffers.floats(x, 1);
        Tensor[] weights = {w.w1(), w.w2(), w.w3()};
        // Add into .grad where every trained weight already has one (the second level of a step,
        // or gradients kept across steps); write fresh tensors where none has (the first level
        // after zero_grad); in between, the missing ones start from zeros.
        boolean any = false;
        for (Tensor t : weights) any |= t.requires_grad() && usableGrad(t);
        boolean accumulate = any;
        Tensor[] targets = new Tensor[3];
        boolean[] fresh = new boolean[3];
        for (int i = 0; i < 3; i++) {
          Tensor t = weights[i];
          boolean existing = accumulate && t.requires_grad() && usableGrad(t);
          fresh[i] = t.requires_grad() && !existing;
          targets[i] = existing ? t.grad() : accumulate ? zeros_like(t) : empty_like(t);
        }
        kernel.backward(x, adj, w, saved, dout.contiguous(), new HgcnGrads(dx, targets[0], targets[1], targets[2], d),
            accumulate, workspace);
        for (int i = 0; i < 3; i++)
          if (fresh[i]) weights[i].mutable_grad().put(targets[i]);
        dgamma = d;
        if (linkHook == null) PENDING.remove(this);
        return dx;
      }
    }

    private static boolean usableGrad(Tensor t) {
      Tensor g = t.grad();
      return g.defined() && g.is_contiguous() && g.scalar_type().value == t.scalar_type().value
          && g.device().str().getString().equals(t.device().str().getString());
    }
  }
}
