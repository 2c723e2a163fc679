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
import org.bytedeco.pytorch.Device;
import hspnet.nn.Tensors;

/**
 * Dynamic loss scaling for fp16 training, as torch.cuda.amp.GradScaler with its defaults (scale
 * 2^16, growth ×2 after 2000 clean steps, backoff ×0.5): the loss is multiplied by the scale before
 * backward, gradients are divided by it before the optimizer step, and a step whose gradients hold
 * an inf or NaN is skipped and the scale halved. LibTorch has no GradScaler, hence this class. A
 * disabled scaler (CPU, or amp off) is the identity and always steps.
 */
public final class LossScaler implements AutoCloseable {
  private final boolean enabled;
  private double scale;
  private int cleanSteps;
  private final double growth = 2.0, backoff = 0.5;
  private final int growthInterval;
  /** Device mode (with the fused optimizer): scale and clean-step count live on the GPU, never read per step. */
  private Tensor scaleOnDevice, growthTracker;

  public LossScaler(boolean enabled) {
    this(enabled, 65536.0, 2000);
  }

  LossScaler(boolean enabled, double initialScale, int growthInterval) {
    this.enabled = enabled;
    this.scale = initialScale;
    this.growthInterval = growthInterval;
  }

  /** Frees the device-mode scale and tracker. */
  @Override
  public void close() {
    if (scaleOnDevice != null) scaleOnDevice.close();
    if (growthTracker != null) growthTracker.close();
    scaleOnDevice = growthTracker = null;
  }

  public boolean enabled() { return enabled; }

  /** The current scale (in device mode a host read: a synchronisation, for logs and resume states only). */
  public double scale() {
    if (!enabled) return 1.0;
    return scaleOnDevice != null ? scaleOnDevice.item_double() : scale;
  }

  /** Clean steps since the scale last changed (part of a resume state). */
  public int cleanSteps() {
    return growthTracker != null ? (int) growthTracker.item_long() : cleanSteps;
  }

  /**
   * Keeps the scale on {@code device} from now on, as torch's GradScaler does: the whole
   * unscale / check / skip / update cycle then runs there ({@link #unscaleOnDevice},
   * {@link #updateOnDevice}), for an optimizer that skips on the device (FusedAdam).
   */
  public void keepOnDevice(Device device) {
    if (!enabled) return;
    TensorOptions f32 = new TensorOptions().dtype(new ScalarTypeOptional(ScalarType.Float)).device(new DeviceOptional(device));
    TensorOptions i32 = new TensorOptions().dtype(new ScalarTypeOptional(ScalarType.Int)).device(new DeviceOptional(device));
    double s = scale;
    int c = cleanSteps;
    scaleOnDevice = Tensors.kept(() -> full(new long[] {}, new Scalar(s), f32));
    growthTracker = Tensors.kept(() -> full(new long[] {}, new Scalar((long) c), i32));
  }

  /** Puts back the scale and clean-step count of a resumed run. */
  public void restore(double scale, int cleanSteps) {
    if (!(scale > 0) || Double.isInfinite(scale) || cleanSteps < 0)
      throw new IllegalArgumentException("loss scale " + scale + " / clean steps " + cleanSteps + " cannot be restored");
    this.scale = scale;
    this.cleanSteps = cleanSteps;
    if (scaleOnDevice != null) {
      try (NoGradGuard g = new NoGradGuard()) {
        scaleOnDevice.fill_(new Scalar(scale));
        growthTracker.fill_(new Scalar((long) cleanSteps));
      }
    }
  }

  public Tensor scaleLoss(Tensor loss) {
    if (!enabled) return loss;
    return scaleOnDevice != null ? loss.mul(scaleOnDevice.to(loss.scalar_type())) : loss.mul(new Scalar(scale));
  }

  /**
   * Device mode: divides the gradients by the scale on the device and returns the found-inf flag
   * (a 0-dimensional float32 tensor (as GradScaler makes it), nonzero when a gradient holds inf/NaN) without reading it; null
   * when the scaler is disabled (nothing to check). Call {@link #updateOnDevice} after the step.
   */
  public Tensor unscaleOnDevice(Iterable<Tensor> params) {
    if (!enabled) return null;
    if (scaleOnDevice == null) throw new IllegalStateException("the loss scaler was not put on the device (keepOnDevice)");
    try (NoGradGuard g = new NoGradGuard()) {
      Tensor foundInf = zeros(new long[] {}, options(scaleOnDevice));
      List<Tensor> grads = definedGrads(params);
      // GradScaler's inverse: computed in double, then float32
      Tensor inv = scaleOnDevice.to(ScalarType.Double).reciprocal().to(ScalarType.Float);
      if (!grads.isEmpty()) MultiTensorOps.nonFiniteCheckAndUnscale(grads, foundInf, inv);
      return foundInf;
    }
  }

  /** Device mode: the scale update of {@link #update} for the flag {@link #unscaleOnDevice} returned. */
  public void updateOnDevice(Tensor foundInf) {
    if (foundInf == null) return;
    MultiTensorOps.updateScale(scaleOnDevice, growthTracker, foundInf, growth, backoff, growthInterval);
  }

  /**
   * Divides the gradients by the scale and tells whether they are all finite (then the caller
   * steps). Also updates the scale. All gradients are unscaled and checked by GradScaler's own
   * multi-tensor operator (_amp_foreach_non_finite_check_and_unscale_: one pass, a few kernels),
   * then the verdict is read on the host: one synchronisation per step, only when enabled — the
   * same one torch's GradScaler.step() makes (it reads found_inf with .item() before deciding
   * whether to call optimizer.step()). Device mode ({@link #keepOnDevice}, with FusedAdam) avoids even that one.
   */
  public boolean unscaleAndCheck(Iterable<Tensor> params) {
    if (!enabled) return true;
    boolean finite = true;
    try (NoGradGuard g = new NoGradGuard()) {
      List<Tensor> grads = definedGrads(params);
      if (!grads.isEmpty()) {
        Tensor foundInf = zeros(new long[] {}, options(grads.get(0)));
        Tensor inv = full(new long[] {}, new Scalar(1.0 / scale), options(grads.get(0)));
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
