package hspnet.nn;

import java.util.Locale;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Checks LibTorch's CPU convolution gradients against float64 on the shapes a known defect hits:
 * oneDNN 3.7's AVX-512 backward-data kernel, which LibTorch 2.10 bundles, reads unzeroed padding of
 * its 16-wide blocked layout when the channel count is not a multiple of 16, and returns wrong or
 * NaN input gradients (forward and weight gradients stay right, so forward parity cannot see it).
 * The inputs are made from a formula, not from LibTorch's generator, so the check draws no random
 * numbers: a run's initialisation is the same with or without it.
 */
public final class ConvGradientCheck {
  /** Channel counts of 3×3 convolutions: those seen to fail (not multiples of 16) and one that never did. */
  static final long[] CHANNELS = {4, 8, 12, 24, 40, 16};
  /** float32 against float64 over at most 9·40 products: rounding stays near 1e-6 of the largest value. */
  static final double BOUND = 1e-4;

  private ConvGradientCheck() {}

  /** What a convolution backend computes for the check: the input and weight gradients of sum(conv(x, w) * g). */
  @FunctionalInterface
  public interface Backend {
    Tensor[] gradients(Tensor x, Tensor w, Tensor g);
  }

  /** LibTorch's own conv2d (stride 1, padding 1), the path every convolution of the models takes. */
  public static final Backend LIBTORCH = (x, w, g) -> {
    Tensor xi = x.detach().requires_grad_(true), wi = w.detach().requires_grad_(true);
    Tensor y = torch.conv2d(xi, wi, new TensorOptional(), new long[] {1, 1}, new long[] {1, 1}, new long[] {1, 1}, 1);
    y.mul(g).sum().backward();
    return new Tensor[] {xi.grad(), wi.grad()};
  };

  /**
   * The largest error of {@code backend}'s float32 gradients relative to their float64 values, over
   * every checked shape; NaN or infinity when a gradient is not finite.
   */
  public static double worstError(Backend backend) {
    double worst = 0;
    for (long c : CHANNELS) {
      try (PointerScope scope = new PointerScope()) {
        long[] xs = {4, c, 12, 12}, ws = {c, c, 3, 3};
        Tensor x = pattern(xs, 1), w = pattern(ws, 2), g = pattern(xs, 3);
        Tensor[] f32 = backend.gradients(x, w, g);
        Tensor[] f64 = backend.gradients(x.to(ScalarType.Double), w.to(ScalarType.Double), g.to(ScalarType.Double));
        for (int k = 0; k < 2; k++) {
          double ref = f64[k].abs().max().item_double();
          double err = f32[k].to(ScalarType.Double).sub(f64[k]).abs().max().item_double() / Math.max(ref, 1e-30);
          boolean finite = f32[k].isfinite().all().item_bool();
          if (!finite) return Double.NaN;
          worst = Math.max(worst, err);
        }
      }
    }
    return worst;
  }

  /** Fails with a {@link NumericalFault} when {@code backend}'s gradients are wrong on this machine. */
  public static double verify(Backend backend) {
    double worst = worstError(backend);
    if (!(worst <= BOUND))
      throw new NumericalFault(String.format(Locale.ROOT,
          "CPU convolution gradients are wrong on this machine (relative error %.3g against float64, bound %.0e): "
              + "LibTorch's CPU kernels cannot be trusted here; run on a GPU or report this CPU", worst, BOUND));
    return worst;
  }

  /** Values in [-1, 1) from a hash of the position: varied, deterministic, no generator involved. */
  private static Tensor pattern(long[] shape, int salt) {
    int n = 1;
    for (long s : shape) n *= (int) s;
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      long h = (i + 1L) * 2654435761L + salt * 40503L;
      h ^= h >>> 13;
      v[i] = (float) ((h & 0xFFFF) / 32768.0 - 1.0);
    }
    return Tensors.ofFloats(v, shape);
  }
}
