package hspnet.bench;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import hspnet.kernel.HgcnWeights;

import static org.bytedeco.pytorch.global.torch.leaky_relu;
import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.rand;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.bytedeco.pytorch.global.torch.softmax;

/**
 * Seeded inputs of one HGCN level on a device — activations in the case's type, weights float32
 * as the model keeps them — and the LibTorch composition in float32 on the same (rounded) inputs,
 * which the fused kernels must match.
 */
final class HgcnCase {
  final long n, e;
  final ScalarType type;
  final Tensor x, adj, dout, w1, w2, w3, gamma;

  HgcnCase(long n, long e, ScalarType type, Device device, long seed) {
    this.n = n;
    this.e = e;
    this.type = type;
    manual_seed(seed);
    x = randn(n, e).to(device, type);
    adj = softmax(randn(n, n).mul(new Scalar(2.0)), 1).to(device, type);
    dout = randn(n, e).to(device, type);
    w1 = uniform(e, 2 * e).to(device, ScalarType.Float);
    w2 = uniform(2 * e, 2 * e).to(device, ScalarType.Float);
    w3 = uniform(2 * e, e).to(device, ScalarType.Float);
    gamma = randn(1).mul(new Scalar(0.0)).add(new Scalar(0.9)).to(device, ScalarType.Float);
  }

  private static Tensor uniform(long in, long out) {
    double stdv = 1.0 / Math.sqrt(out);
    return rand(in, out).mul(new Scalar(2 * stdv)).sub(new Scalar(stdv));
  }

  HgcnWeights weights() {
    return new HgcnWeights(w1, w2, w3, gamma);
  }

  String shape() {
    return n + "×" + e;
  }

  /** out, dX, dW1, dW2, dW3, dγ of the float32 composition A·(H·W) for dout. */
  Tensor[] reference() {
    Tensor xl = x.to(ScalarType.Float).detach().requires_grad_(true);
    Tensor[] w = {w1.detach().clone().requires_grad_(true), w2.detach().clone().requires_grad_(true),
        w3.detach().clone().requires_grad_(true), gamma.detach().clone().requires_grad_(true)};
    Tensor a = adj.to(ScalarType.Float);
    Tensor h = leaky_relu(a.matmul(xl.matmul(w[0])), new Scalar(0.2));
    h = leaky_relu(a.matmul(h.matmul(w[1])), new Scalar(0.2));
    h = a.matmul(h.matmul(w[2]));
    Tensor out = w[3].mul(h).add(w[3].neg().add(new Scalar(1.0)).mul(xl));
    Backward.of(out, dout.to(ScalarType.Float));
    return new Tensor[] {out.detach(), xl.grad(), w[0].grad(), w[1].grad(), w[2].grad(), w[3].grad()};
  }

  /** max |actual − expected| / max |expected| in double; NaN (never within a bound) if either holds NaN. */
  static double relDiff(Tensor actual, Tensor expected) {
    Tensor a = actual.to(ScalarType.Double), b = expected.to(ScalarType.Double);
    if (Double.isNaN(a.sum().item_double()) || Double.isNaN(b.sum().item_double())) return Double.NaN;
    return a.sub(b).abs().max().item_double() / Math.max(b.abs().max().item_double(), 1e-30);
  }

  /** ‖actual − expected‖ / ‖expected‖ over all elements, in double; NaN if either holds NaN. */
  static double rmsDiff(Tensor actual, Tensor expected) {
    Tensor a = actual.to(ScalarType.Double), b = expected.to(ScalarType.Double);
    if (Double.isNaN(a.sum().item_double()) || Double.isNaN(b.sum().item_double())) return Double.NaN;
    return a.sub(b).norm().item_double() / Math.max(b.norm().item_double(), 1e-30);
  }
}
