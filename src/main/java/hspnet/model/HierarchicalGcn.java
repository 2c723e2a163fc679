package hspnet.model;

import java.util.Optional;

import hspnet.config.HgcnBackend;
import hspnet.nn.JavaModule;
import hspnet.nn.Registered;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

import hspnet.kernel.FusedHgcn;
import hspnet.kernel.HgcnKernel;
import hspnet.kernel.HgcnWeights;
import hspnet.nn.Ops;

import static org.bytedeco.pytorch.global.torch.empty;
import static org.bytedeco.pytorch.global.torch.leaky_relu;
import static org.bytedeco.pytorch.global.torch.uniform_;

/**
 * The graph-convolution network HSPNet shares between the group level and the label level: three
 * bias-free layers A·(X·W) (E→2E→2E→E) with LeakyReLU(0.2) after the first two, and a learnable
 * residual mix γ·H + (1−γ)·X (γ starts at 0.9). Registered as {@code gc1..gc3.weight} and
 * {@code gamma}; W is (in, out) and initialised uniform(±1/sqrt(out)) as the original.
 *
 * <p>Computed either as LibTorch ops or by the fused native kernel ({@link HgcnBackend}); both give
 * the same values and gradients.
 */
public final class HierarchicalGcn extends JavaModule {
  final Tensor w1, w2, w3, gamma;
  private HgcnBackend backend = HgcnBackend.AUTO;

  public HierarchicalGcn(long embedDim) {
    w1 = graphConv("gc1", embedDim, 2 * embedDim);
    w2 = graphConv("gc2", 2 * embedDim, 2 * embedDim);
    w3 = graphConv("gc3", 2 * embedDim, embedDim);
    gamma = Registered.parameter(this, "gamma", empty(1));
    try (NoGradGuard g = new NoGradGuard()) {
      gamma.fill_(Ops.s(0.9));
    }
  }

  private Tensor graphConv(String name, long in, long out) {
    JavaModule layer = container(name);
    Tensor w = Registered.parameter(layer, "weight", empty(in, out));
    double stdv = 1.0 / Math.sqrt(out);
    try (NoGradGuard g = new NoGradGuard()) {
      uniform_(w, -stdv, stdv);
    }
    return w;
  }

  public HgcnBackend backend() { return backend; }

  public void useBackend(HgcnBackend backend) { this.backend = backend; }

  /** x: (n, E) node features; adj: (n, n) adjacency of the level, in x's type. */
  public Tensor forward(Tensor x, Tensor adj) {
    Optional<HgcnKernel> kernel = HgcnKernelChoice.kernelFor(backend, x);
    return kernel.isPresent() ? FusedHgcn.apply(kernel.get(), x, adj, new HgcnWeights(w1, w2, w3, gamma)) : composed(x, adj);
  }

  /** The LibTorch composition: three A·(H·W) products, LeakyReLU, the residual mix. */
  public Tensor composed(Tensor x, Tensor adj) {
    Tensor h = leaky_relu(adj.matmul(x.matmul(w1.to(x.scalar_type()))), Ops.s(0.2));
    h = leaky_relu(adj.matmul(h.matmul(w2.to(h.scalar_type()))), Ops.s(0.2));
    h = adj.matmul(h.matmul(w3.to(h.scalar_type())));
    Tensor g = gamma.to(h.scalar_type());
    return g.mul(h).add(g.neg().add(Ops.s(1.0)).mul(x));
  }
}
