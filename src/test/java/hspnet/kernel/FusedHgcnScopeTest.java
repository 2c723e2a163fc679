package hspnet.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import hspnet.testutil.NativeScope;

/**
 * The fused backward's hooks free what they allocate when they return. On CUDA the autograd engine
 * calls them on its device thread, where no scope of the caller is open, so anything they left to
 * an outer scope would wait for the GC there. On the CPU the engine calls them on the thread that
 * called backward(), which lets the test open a scope around backward() and count what lands in
 * what is still alive in it when backward() returns: a hook without its own scope would leave its
 * temporaries (dX, dγ, the contiguous dOut, the weight-gradient buffers, …) there.
 */
@ExtendWith(NativeScope.class)
class FusedHgcnScopeTest {
  /** A scope that remembers the native objects attached to it. */
  private static final class CountingScope extends PointerScope {
    final List<Pointer> attached = new ArrayList<>();

    @Override
    public PointerScope attach(Pointer p) {
      attached.add(p);
      return super.attach(p);
    }

    /**
     * Those not freed yet, but for the copies of the incoming gradient the JNI glue makes before
     * a hook runs (plain TensorBase objects): they are attached here before the hook's own scope
     * exists, and that scope only adds a reference to them, so an open outer scope keeps them.
     */
    long live() {
      return attached.stream().filter(p -> !p.isNull() && p.getClass() != TensorBase.class).count();
    }
  }

  private static HgcnKernel cpu() {
    return HgcnKernels.cpu().orElseThrow(() -> new AssertionError("the CPU kernel library must load: " + HgcnKernels.cpuProblem()));
  }

  @Test
  void hooksFreeTheirTemporariesAndTheGradientsSurvive() {
    HgcnReference r = new HgcnReference(5, 24, 17, 0.9);
    Tensor x = r.x.clone().requires_grad_(true);
    HgcnWeights w = new HgcnWeights(r.w1.clone().requires_grad_(true), r.w2.clone().requires_grad_(true),
        r.w3.clone().requires_grad_(true), r.gamma.clone().requires_grad_(true));
    int steps = 20;
    long live = 0;
    for (int i = 0; i < steps; i++) {
      Tensor loss = FusedHgcn.apply(cpu(), x, r.adj, w).mul(r.dout).sum();
      try (CountingScope outer = new CountingScope()) {
        loss.backward();
        live += outer.live();
      }
    }
    assertEquals(0, FusedHgcn.pending(), "every hook has run");
    assertEquals(0, live, "native objects the hooks left alive in the caller's scope over " + steps + " backward steps");
    // what the hooks returned outlived their scopes: the gradients are the composition's, summed over the steps
    Tensor[] want = r.expected();
    Tensor[] got = {x.grad(), w.w1().grad(), w.w2().grad(), w.w3().grad(), w.gamma().grad()};
    String[] names = {"dX", "dW1", "dW2", "dW3", "dgamma"};
    for (int i = 0; i < got.length; i++) {
      double d = HgcnReference.relDiff(got[i].div(new Scalar((double) steps)), want[i + 1]);
      assertTrue(d <= 1e-5, names[i] + " after " + steps + " steps: relative difference " + d);
    }
  }
}
