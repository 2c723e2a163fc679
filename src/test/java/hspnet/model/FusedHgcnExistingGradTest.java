package hspnet.model;

import static org.junit.jupiter.api.Assertions.*;
import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.bytedeco.pytorch.global.torch.softmax;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import hspnet.config.HgcnBackend;
import hspnet.kernel.FusedHgcn;
import hspnet.testutil.NativeScope;

/**
 * Weight gradients that already exist but that the kernel cannot write in place — strided (a
 * transposed tensor) or of another type (float64) — are added to, as LibTorch's AccumulateGrad
 * does, never replaced: with either backend the result is old + new, in the old tensor's type and
 * layout. Once with a third weight whose .grad the kernel does accumulate into (the kernel runs
 * in accumulate mode, the others get zero-started buffers), once with a third weight without a
 * .grad (the kernel overwrites fresh buffers).
 */
@ExtendWith(NativeScope.class)
class FusedHgcnExistingGradTest {
  static final long N = 6, E = 32;

  /** The three weight gradients after one level's backward, starting from the given .grad values. */
  static Tensor[] run(HgcnBackend backend, boolean w3HasGrad) {
    manual_seed(41);
    HierarchicalGcn gcn = new HierarchicalGcn(E);
    gcn.useBackend(backend);
    Tensor x = randn(N, E).requires_grad_(true), adj = softmax(randn(N, N), 1), probe = randn(N, E);
    Tensor[] old = oldGrads();
    gcn.w1.mutable_grad().put(old[0]);
    gcn.w2.mutable_grad().put(old[1]);
    if (w3HasGrad) gcn.w3.mutable_grad().put(old[2]);
    gcn.forward(x, adj).mul(probe).sum().backward();
    assertEquals(0, FusedHgcn.pending(), "every hook has run");
    return new Tensor[] {gcn.w1.grad(), gcn.w2.grad(), gcn.w3.grad()};
  }

  /** A strided float32 gradient for W1 (E×2E), a float64 one for W2, a plain one for W3. */
  static Tensor[] oldGrads() {
    manual_seed(5);
    Tensor w1 = randn(2 * E, E).t();
    assertFalse(w1.is_contiguous(), "the test needs a strided .grad");
    return new Tensor[] {w1, randn(2 * E, 2 * E).to(ScalarType.Double), randn(2 * E, E)};
  }

  /** The gradients of one backward without any existing .grad (what the old ones are added to). */
  static Tensor[] fresh() {
    manual_seed(41);
    HierarchicalGcn gcn = new HierarchicalGcn(E);
    gcn.useBackend(HgcnBackend.LIBTORCH);
    Tensor x = randn(N, E).requires_grad_(true), adj = softmax(randn(N, N), 1), probe = randn(N, E);
    gcn.forward(x, adj).mul(probe).sum().backward();
    return new Tensor[] {gcn.w1.grad(), gcn.w2.grad(), gcn.w3.grad()};
  }

  private static void check(boolean w3HasGrad) {
    Tensor[] lib = run(HgcnBackend.LIBTORCH, w3HasGrad), fused = run(HgcnBackend.FUSED, w3HasGrad);
    Tensor[] old = oldGrads(), add = fresh();
    String[] names = {"dW1 (strided .grad)", "dW2 (float64 .grad)", w3HasGrad ? "dW3 (usable .grad)" : "dW3 (no .grad)"};
    for (int i = 0; i < 3; i++) {
      Tensor want = i < 2 || w3HasGrad ? old[i].to(ScalarType.Double).add(add[i].to(ScalarType.Double)) : add[i];
      double dLib = FusedHgcnLevelsTest.relDiff(lib[i], want), dFused = FusedHgcnLevelsTest.relDiff(fused[i], want),
          dBoth = FusedHgcnLevelsTest.relDiff(fused[i], lib[i]);
      assertTrue(dLib <= 1e-6, names[i] + ": LibTorch's own result is not old + new (" + dLib + ")");
      assertTrue(dFused <= 1e-5, names[i] + ": fused result differs from old + new by " + dFused);
      assertTrue(dBoth <= 1e-5, names[i] + ": fused result differs from LibTorch's by " + dBoth);
      assertEquals(lib[i].scalar_type().value, fused[i].scalar_type().value, names[i] + ": type of .grad");
      assertEquals(lib[i].is_contiguous(), fused[i].is_contiguous(), names[i] + ": layout of .grad");
    }
    assertEquals(ScalarType.Double.value, fused[1].scalar_type().value, "the float64 .grad stays float64, as AccumulateGrad keeps it");
  }

  @Test
  void addsToStridedAndFloat64GradsBesideAnAccumulatedOne() {
    check(true);
  }

  @Test
  void addsToStridedAndFloat64GradsBesideAMissingOne() {
    check(false);
  }
}
