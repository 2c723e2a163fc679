package hspnet.kernel;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import static org.bytedeco.pytorch.global.torch.leaky_relu;
import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.bytedeco.pytorch.global.torch.rand;
import static org.bytedeco.pytorch.global.torch.softmax;
import static org.bytedeco.pytorch.global.torch.where;

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

  /**
   * The kernels' plan (native/src/hgcn_plan.h: the same association and buffers) written out in
   * LibTorch with every product's operands rounded to t — the arithmetic of the tensor-core
   * variants (HGCN_MATH_HALF_OPERANDS) — and everything else in float32. Returns out, dX, dW1..dW3,
   * dγ in float32, out and dX rounded to t as the kernels store them.
   */
  Tensor[] halfOperandPlan(ScalarType t) {
    Tensor xs = round(x, t), a = round(adj, t), g = round(dout, t), gm = gamma;
    Tensor one = gm.neg().add(new Scalar(1.0));
    Tensor y1 = mm(a, xs, t);
    Tensor h1 = leaky(mm(y1, w1, t));
    Tensor z2 = mm(h1, w2, t);
    Tensor h2 = leaky(mm(a, z2, t));
    Tensor z3 = mm(h2, w3, t);
    Tensor h3 = mm(a, z3, t);
    Tensor out = gm.mul(h3).add(one.mul(xs));
    Tensor dz3 = gm.mul(mm(a.t(), g, t));
    Tensor dgamma = g.to(ScalarType.Double).mul(h3.to(ScalarType.Double).sub(xs.to(ScalarType.Double))).sum().to(ScalarType.Float).reshape(new long[] {1});
    Tensor dp2 = leakyGrad(mm(dz3, w3.t(), t), h2);
    Tensor dw3 = mm(h2.t(), dz3, t);
    Tensor dz2 = mm(a.t(), dp2, t);
    Tensor dp1 = leakyGrad(mm(dz2, w2.t(), t), h1);
    Tensor dw2 = mm(h1.t(), dz2, t);
    Tensor dy1 = mm(dp1, w1.t(), t);
    Tensor dw1 = mm(y1.t(), dp1, t);
    Tensor dx = mm(a.t(), dy1, t).add(one.mul(g));
    return new Tensor[] {round(out, t), round(dx, t), dw1, dw2, dw3, dgamma};
  }

  private static Tensor round(Tensor v, ScalarType t) {
    return v.to(t).to(ScalarType.Float);
  }

  private static Tensor mm(Tensor p, Tensor q, ScalarType t) {
    return round(p, t).matmul(round(q, t));
  }

  private static Tensor leaky(Tensor v) {
    return leaky_relu(v, new Scalar(0.2));
  }

  /** v where the activation's output is positive, 0.2·v elsewhere. */
  private static Tensor leakyGrad(Tensor v, Tensor activated) {
    return where(activated.gt(new Scalar(0.0)), v, v.mul(new Scalar(0.2)));
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
