package hspnet.train;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;

import hspnet.nn.MultiTensorOps;

import static org.bytedeco.pytorch.global.torch.full;
import static org.bytedeco.pytorch.global.torch.zeros;

/**
 * Dynamic loss scaling for fp16 training, as torch.cuda.amp.GradScaler with its defaults (scale
 * 2^16, growth ×2 after 2000 clean steps, backoff ×0.5): the loss is multiplied by the scale before
 * backward, gradients are divided by it before the optimizer step, and a step whose gradients hold
 * an inf or NaN is skipped and the scale halved. LibTorch has no GradScaler, hence this class. A
 * disabled scaler (CPU, or amp off) is the identity and always steps.
 */
public final class LossScaler {
  private final boolean enabled;
  private double scale;
  private int cleanSteps;
  private final double growth = 2.0, backoff = 0.5;
  private final int growthInterval;

  public LossScaler(boolean enabled) {
    this(enabled, 65536.0, 2000);
  }

  LossScaler(boolean enabled, double initialScale, int growthInterval) {
    this.enabled = enabled;
    this.scale = initialScale;
    this.growthInterval = growthInterval;
  }

  public boolean enabled() { return enabled; }

  public double scale() { return enabled ? scale : 1.0; }

  /** Clean steps since the scale last changed (part of a resume state). */
  public int cleanSteps() { return cleanSteps; }

  /** Puts back the scale and clean-step count of a resumed run. */
  public void restore(double scale, int cleanSteps) {
    if (!(scale > 0) || Double.isInfinite(scale) || cleanSteps < 0)
      throw new IllegalArgumentException("loss scale " + scale + " / clean steps " + cleanSteps + " cannot be restored");
    this.scale = scale;
    this.cleanSteps = cleanSteps;
  }

  public Tensor scaleLoss(Tensor loss) {
    return enabled ? loss.mul(new Scalar(scale)) : loss;
  }

  /**
   * Divides the gradients by the scale and tells whether they are all finite (then the caller
   * steps). Also updates the scale. All gradients are unscaled and checked by GradScaler's own
   * multi-tensor operator (_amp_foreach_non_finite_check_and_unscale_: one pass, a few kernels),
   * then the verdict is read on the host: one synchronisation per step, only when enabled — the
   * same one torch's GradScaler.step() makes (it reads found_inf with .item() before deciding
   * whether to call optimizer.step()). {@link FusedSteps} avoids even that one.
   */
  public boolean unscaleAndCheck(Iterable<Tensor> params) {
    if (!enabled) return true;
    boolean finite = true;
    try (NoGradGuard g = new NoGradGuard()) {
      List<Tensor> grads = definedGrads(params);
      if (!grads.isEmpty()) {
        Tensor foundInf = zeros(new long[] {1}, options(grads.get(0)));
        Tensor inv = full(new long[] {1}, new Scalar(1.0 / scale), options(grads.get(0)));
        MultiTensorOps.nonFiniteCheckAndUnscale(grads, foundInf, inv);
        finite = foundInf.item_float() == 0f;
      }
    }
    update(finite);
    return finite;
  }

  /**
   * The scale after a step: halved after a step with inf/NaN gradients, doubled after
   * {@code growthInterval} clean steps in a row (GradScaler's update()).
   */
  void update(boolean finite) {
    if (finite) {
      if (++cleanSteps >= growthInterval) {
        scale *= growth;
        cleanSteps = 0;
      }
    } else {
      scale *= backoff;
      cleanSteps = 0;
    }
  }

  static List<Tensor> definedGrads(Iterable<Tensor> params) {
    List<Tensor> grads = new ArrayList<>();
    for (Tensor p : params) {
      Tensor grad = p.grad();
      if (grad.defined()) grads.add(grad);
    }
    return grads;
  }

  /** float32 on the device of {@code like}. */
  static TensorOptions options(Tensor like) {
    return new TensorOptions().dtype(new ScalarTypeOptional(ScalarType.Float)).device(new DeviceOptional(like.device()));
  }
}
