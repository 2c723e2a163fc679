package hspnet.kernel;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.bytedeco.javacpp.PointerScope;

import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Stream;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorBase;
import org.bytedeco.pytorch.TensorTensorHook;

import static org.bytedeco.pytorch.global.torch.empty_like;
import static org.bytedeco.pytorch.global.torch.getCurrentStream;
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
 *
 * <p>Weight gradients go into {@code .grad} as AccumulateGrad would put them: the kernel adds
 * straight into a .grad it can write (contiguous, float32, on the weight's device); one it cannot
 * (strided, another type or device) is added to in place afterwards, keeping its type and layout;
 * a missing one is set.
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
    Tensor xc = contiguous(x), ac = contiguous(adj);
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

  /**
   * What a hook hands back to LibTorch. On CUDA the engine calls hooks on its own device thread,
   * where no PointerScope of the caller is open: everything the hook makes would then wait for the
   * GC to free its native memory. The body therefore runs in a scope of its own, freed when it
   * returns. The returned tensor must outlive that scope until the native side has copied it (the
   * JNI glue copies it only after call() has returned), so it is retained, and released at the next
   * hand-over on the same thread: by then the previous call has long returned. At most one handle
   * per autograd thread stays behind. The gradient LibTorch passes in is a copy the JNI glue made
   * (it holds dL/dout alive); it joins the hook's scope too (reference-counted: where the caller
   * has a scope open, as on the CPU, that scope frees it).
   */
  static Tensor handOver(TensorBase argument, Supplier<Tensor> body) {
    release(LAST_RETURNED.get());
    LAST_RETURNED.remove();
    Tensor result;
    try (PointerScope scope = new PointerScope()) {
      scope.attach(argument);
      result = body.get().retainReference();
    }
    LAST_RETURNED.set(result);
    return result;
  }

  private static final ThreadLocal<Tensor> LAST_RETURNED = new ThreadLocal<>();

  private static void release(Tensor t) {
    if (t != null) t.releaseReference();
  }

  /** t itself when it is contiguous: contiguous() would return the same tensor through a new native handle. */
  private static Tensor contiguous(Tensor t) {
    return t.is_contiguous() ? t : t.contiguous();
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
          return handOver(grad, () -> backward(new Tensor(grad)));
        }
      };
      this.linkHook = !linkHooked ? null : new TensorTensorHook() {
        @Override
        public TensorBase call(TensorBase grad) {
          PENDING.remove(Pending.this);
          return handOver(grad, () -> {
            Tensor like = new Tensor(grad);
            Tensor d = dgamma;
            dgamma = null;
            // made on the out hook's stream, read and freed on this one (see recordOnCurrentStream)
            if (d.is_cuda()) d.record_stream(getCurrentStream((byte) d.device().index()));
            try {
              return viaGamma ? d.reshape(like.sizes()).to(like.scalar_type()) : zeros_like(like);
            } finally {
              release(d);
            }
          });
        }
      };
    }

    boolean released() {
      return outHook.isNull();
    }

    Tensor backward(Tensor dout) {
      try (NoGradGuard g = new NoGradGuard()) {
        if (x.is_cuda()) recordOnCurrentStream();
        Tensor dx = empty_like(x);
        Tensor d = HgcnBuffers.floats(x, 1);
        Tensor[] weights = {w.w1(), w.w2(), w.w3()};
        // Add into .grad where every trained weight already has a .grad the kernel can write (the
        // second level of a step, or gradients kept across steps); write fresh tensors where none
        // has one (the first level after zero_grad); in between, the others start from zeros.
        Tensor[] grads = new Tensor[3];
        boolean[] inPlace = new boolean[3];
        boolean accumulate = false;
        for (int i = 0; i < 3; i++) {
          grads[i] = weights[i].requires_grad() ? weights[i].grad() : null;
          inPlace[i] = grads[i] != null && usableGrad(grads[i], weights[i]);
          accumulate |= inPlace[i];
        }
        Tensor[] targets = new Tensor[3];
        for (int i = 0; i < 3; i++) {
          Tensor t = weights[i];
          targets[i] = inPlace[i] ? grads[i] : accumulate ? zeros_like(t) : empty_like(t);
        }
        kernel.backward(x, adj, w, saved, contiguous(dout), new HgcnGrads(dx, targets[0], targets[1], targets[2], d),
            accumulate, workspace);
        for (int i = 0; i < 3; i++) {
          Tensor old = grads[i];
          if (old == null || inPlace[i]) continue;
          // A .grad the kernel cannot write (strided, another type or device) is added to in place,
          // as LibTorch's AccumulateGrad does (it keeps its type and layout); only a missing one is
          // replaced.
          if (old.defined()) old.add_(targets[i].to(old));
          else weights[i].mutable_grad().put(targets[i]);
        }
        if (linkHook != null) dgamma = d.retainReference(); // for the link hook, which runs next
        else PENDING.remove(this);
        return dx;
      }
    }

    /**
     * The buffers of the forward were allocated on the forward's stream and are read here on the
     * current one; recording them on it keeps LibTorch's caching allocator from handing their
     * memory out again (for work on the forward's stream) before this stream's kernels have read
     * them. The autograd engine normally runs this hook on the forward's stream, where recording
     * is a no-op; it matters when a caller switches streams between forward and backward. CUDA
     * only (checked on a GPU; the CPU tests cannot reach it).
     */
    private void recordOnCurrentStream() {
      Stream s = getCurrentStream((byte) x.device().index());
      for (Tensor t : new Tensor[] {saved, workspace, x, adj}) t.record_stream(s);
    }

    /** Whether the kernel can add into g, t's .grad, directly (compared without building native objects). */
    private static boolean usableGrad(Tensor g, Tensor t) {
      return g.defined() && g.is_contiguous() && g.scalar_type().value == t.scalar_type().value && HgcnArgs.sameDevice(g, t);
    }
  }
}
