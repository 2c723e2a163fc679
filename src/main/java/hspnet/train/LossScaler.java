package hspnet.train;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

import static org.bytedeco.pytorch.global.torch.isfinite;

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
   * steps). Also updates the scale. One host synchronisation per step, only when enabled.
   */
  public boolean unscaleAndCheck(Iterable<Tensor> params) {
    if (!enabled) return true;
    boolean finite = true;
    try (NoGradGuard g = new NoGradGuard()) {
      Scalar inv = new Scalar(1.0 / scale);
      Tensor allFinite = null;
      for (Tensor p : params) {
        Tensor grad = p.grad();
        if (!grad.defined()) continue;
        grad.mul_(inv);
        Tensor ok = isfinite(grad).all();
        allFinite = allFinite == null ? ok : allFinite.logical_and(ok);
      }
      if (allFinite != null) finite = allFinite.item_bool();
    }
    if (finite) {
      if (++cleanSteps >= growthInterval) {
        scale *= growth;
        cleanSteps = 0;
      }
    } else {
      scale *= backoff;
      cleanSteps = 0;
    }
    return finite;
  }
}
