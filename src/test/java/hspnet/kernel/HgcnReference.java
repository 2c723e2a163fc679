package hspnet.kernel;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import static org.bytedeco.pytorch.global.torch.leaky_relu;
import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.bytedeco.pytorch.global.torch.rand;
import static org.bytedeco.pytorch.global.torch.softmax;

/**
 * Random inputs of one HGCN level and the LibTorch composition the fused kernel must match,
 * written out here (not taken from the model) so that the tests compare against an independent
 * statement of SPEC §2.
 */
final class HgcnReference {
  final long n, e;
  final Tensor x, adj, w1, w2, w3, gamma, dout;

  /** Seeded inputs: adjacency rows are positive and sum to one, as the relation split makes them. */
  HgcnReference(long n, long e, long seed, double gammaValue) {
    this.n = n;
    this.e = e;
    manual_seed(seed);
    x = randn(n, e);
    adj = softmax(randn(n, n).mul(new Scalar(2.0)), 1);
    w1 = uniform(e, 2 * e);
    w2 = uniform(2 * e, 2 * e);
    w3 = uniform(2 * e, e);
    gamma = randn(1).mul(new Scalar(0.0)).add(new Scalar(gammaValue));
    dout = randn(n, e);
  }

  private static Tensor uniform(long in, long out) {
    double stdv = 1.0 / Math.sqrt(out);
    return rand(in, out).mul(new Scalar(2 * stdv)).sub(new Scalar(stdv));
  }

  HgcnWeights weights() {
    return new HgcnWeights(w1, w2, w3, gamma);
  }

  /** γ·A·leaky(A·leaky(A·X·W1)·W2)·W3 + (1−γ)·X, each product as A·(H·W) like the original. */
  static Tensor compose(Tensor x, Tensor adj, Tensor w1, Tensor w2, Tensor w3, Tensor gamma) {
    Tensor h = leaky_relu(adj.matmul(x.matmul(w1)), new Scalar(0.2));
    h = leaky_relu(adj.matmul(h.matmul(w2)), new Scalar(0.2));
    h = adj.matmul(h.matmul(w3));
    return gamma.mul(h).add(gamma.neg().add(new Scalar(1.0)).mul(x));
  }

  /** Output and gradients of the composition for dout, in float32. */
  Tensor[] expected() {
    Tensor[] leaves = {x.clone().requires_grad_(true), w1.clone().requires_grad_(true), w2.clone().requires_grad_(true),
        w3.clone().requires_grad_(true), gamma.clone().requires_grad_(true)};
    Tensor out = compose(leaves[0], adj, leaves[1], leaves[2], leaves[3], leaves[4]);
    out.mul(dout).sum().backward();
    return new Tensor[] {out.detach(), leaves[0].grad(), leaves[1].grad(), leaves[2].grad(), leaves[3].grad(), leaves[4].grad()};
  }

  /** max |actual − expected| / max |expected|, in double; NaN when either holds a NaN. */
  static double relDiff(Tensor actual, Tensor expected) {
    Tensor a = actual.to(ScalarType.Double), b = expected.to(ScalarType.Double);
    double scale = Math.max(b.abs().max().item_double(), 1e-30);
    double diff = a.sub(b).abs().max().item_double();
    if (Double.isNaN(a.sum().item_double()) || Double.isNaN(b.sum().item_double())) return Double.NaN;
    return diff / scale;
  }
}
