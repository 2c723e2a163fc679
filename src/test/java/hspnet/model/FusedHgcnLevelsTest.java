package hspnet.model;

import hspnet.config.HgcnBackend;
import static org.junit.jupiter.api.Assertions.*;
import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.bytedeco.pytorch.global.torch.softmax;
import static org.bytedeco.pytorch.global.torch.tanh;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import hspnet.kernel.FusedHgcn;
import hspnet.testutil.NativeScope;

/**
 * The fused backend (its CPU reference plugged in) inside autograd, at the sizes of the paper's four
 * datasets: the group level, then a coupling standing for the meta-net, then the label level with
 * the SAME weights, as HSPNet runs them. Output and the gradients of everything upstream (the
 * group features' source, the coupling, W1..W3, γ — which sum contributions of both levels) must
 * equal the LibTorch composition's.
 */
@ExtendWith(NativeScope.class)
class FusedHgcnLevelsTest {
  static final double BOUND = 1e-5;

  /** Output of the label level and the gradients, in a fixed order. */
  static Tensor[] run(HgcnBackend backend, long groups, long labels, long e, long seed) {
    manual_seed(seed);
    HierarchicalGcn gcn = new HierarchicalGcn(e);
    gcn.useBackend(backend);
    Tensor source = randn(groups, e).requires_grad_(true);
    Tensor coupling = randn(labels, groups).mul(new Scalar(0.5)).requires_grad_(true);
    Tensor parentAdj = softmax(randn(groups, groups), 1), childAdj = softmax(randn(labels, labels), 1);
    Tensor probe = randn(labels, e);
    Tensor parent = gcn.forward(tanh(source), parentAdj);
    Tensor child = gcn.forward(coupling.matmul(parent), childAdj);
    child.mul(probe).sum().backward();
    return new Tensor[] {child.detach(), source.grad(), coupling.grad(), gcn.w1.grad(), gcn.w2.grad(), gcn.w3.grad(),
        gcn.gamma.grad()};
  }

  static final String[] NAMES = {"out", "d source", "d coupling", "dW1", "dW2", "dW3", "dgamma"};

  static double relDiff(Tensor actual, Tensor expected) {
    Tensor a = actual.to(ScalarType.Double), b = expected.to(ScalarType.Double);
    double d = a.sub(b).abs().max().item_double() / Math.max(b.abs().max().item_double(), 1e-30);
    return Double.isNaN(a.sum().item_double()) ? Double.NaN : d;
  }

  private static void compare(String dataset, long groups, long labels) {
    long t0 = System.nanoTime();
    Tensor[] want = run(HgcnBackend.LIBTORCH, groups, labels, 1024, 2023);
    long t1 = System.nanoTime();
    Tensor[] got = run(HgcnBackend.FUSED, groups, labels, 1024, 2023);
    long t2 = System.nanoTime();
    assertEquals(0, FusedHgcn.pending(), "every hook has run");
    for (int i = 0; i < NAMES.length; i++) {
      assertTrue(got[i].defined(), dataset + ": " + NAMES[i] + " was not computed");
      double d = relDiff(got[i], want[i]);
      System.out.printf("hgcn levels %-8s %dx1024 + %dx1024 %-10s max rel diff %.2e (bound %.0e)%n", dataset, groups, labels,
          NAMES[i], d, BOUND);
      assertTrue(d <= BOUND, dataset + " " + NAMES[i] + ": relative difference " + d + " exceeds " + BOUND);
    }
    System.out.printf("hgcn levels %-8s forward+backward on the CPU: libtorch %.0f ms, fused reference %.0f ms%n", dataset,
        (t1 - t0) / 1e6, (t2 - t1) / 1e6);
  }

  @Test
  void coco() { compare("COCO", 4, 80); }

  @Test
  void voc() { compare("VOC", 4, 20); }

  @Test
  void nusWide() { compare("NUS-WIDE", 6, 81); }

  @Test
  void cub() { compare("CUB", 20, 312); }

  @Test
  void demo() {
    Tensor[] want = run(HgcnBackend.LIBTORCH, 4, 16, 64, 7);
    Tensor[] got = run(HgcnBackend.FUSED, 4, 16, 64, 7);
    for (int i = 0; i < NAMES.length; i++) {
      double d = relDiff(got[i], want[i]);
      System.out.printf("hgcn levels demo 4x64 + 16x64 %-10s max rel diff %.2e (bound %.0e)%n", NAMES[i], d, BOUND);
      assertTrue(d <= BOUND, "demo " + NAMES[i] + ": relative difference " + d);
    }
  }
}
