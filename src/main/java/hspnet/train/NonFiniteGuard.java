package hspnet.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

import hspnet.nn.NumericalFault;

import static org.bytedeco.pytorch.global.torch.zeros;
import hspnet.nn.Tensors;

/**
 * Stops a training at the first step whose numbers are no longer numbers. Without loss scaling
 * (fp32 on the CPU, bf16) nothing else would: one NaN gradient reaches Adam's moments and every
 * weight after it, the validation scores follow, and the run would go on to its end at chance
 * level. With fp16 loss scaling a step with inf/NaN gradients is skipped and the scale halved, as
 * GradScaler does; that is normal now and then, but a run that skips {@link #MAX_CONSECUTIVE_SKIPS}
 * steps in a row has stopped learning and is stopped as well.
 *
 * <p>The checks run between backward and the optimizer step, so the weights are never touched by
 * the bad step: the last resume.pt and every checkpoint written so far stay good.
 */
final class NonFiniteGuard implements AutoCloseable {
  /** Steps in a row the loss scaler may skip before the run is declared diverged. */
  static final int MAX_CONSECUTIVE_SKIPS = 100;

  private final ParamGroups groups;
  private final List<Tensor> params = new ArrayList<>();
  private int consecutiveSkips;
  /** Device mode (fused optimizer): skips in a row, counted on the GPU and read only now and then. */
  private Tensor deviceSkips;

  /** Frees the device-mode skip counter. */
  @Override
  public void close() {
    if (deviceSkips != null) deviceSkips.close();
    deviceSkips = null;
  }

  NonFiniteGuard(ParamGroups groups) {
    this.groups = groups;
    for (int g = 0; g < ParamGroups.COUNT; g++) params.addAll(groups.group(g).values());
  }

  /**
   * Unscaled training: the loss and every gradient must be finite before the optimizer steps.
   * Whether all is finite is gathered on the device and read once: a synchronisation per step,
   * which the CPU does not notice and which equals the one loss-scaled training makes anyway.
   * (Plain tensor ops: the boxed multi-tensor call GradScaler uses kept native memory per step.)
   */
  void checkUnscaled(Tensor loss) {
    try (NoGradGuard g = new NoGradGuard()) {
      if (!loss.isfinite().all().item_bool()) throw new NumericalFault("the loss is " + loss.item_double());
      Tensor allFinite = null;
      for (Tensor p : params) {
        Tensor grad = p.grad();
        if (!grad.defined()) continue;
        Tensor finite = grad.isfinite().all();
        allFinite = allFinite == null ? finite : allFinite.logical_and(finite);
      }
      if (allFinite != null && !allFinite.item_bool()) throw new NumericalFault(firstNonFiniteGradient());
    }
  }

  /** Loss-scaled training, host mode: counts the skipped steps in a row. */
  void afterScaledStep(boolean stepped, double scale) {
    consecutiveSkips = stepped ? 0 : consecutiveSkips + 1;
    if (consecutiveSkips >= MAX_CONSECUTIVE_SKIPS) throw diverged(scale);
  }

  /**
   * Loss-scaled training, device mode: counts the skipped steps in a row on the device from the
   * step's found-inf flag, without reading anything.
   */
  void afterScaledStepOnDevice(Tensor foundInf) {
    if (foundInf == null) return;
    try (NoGradGuard g = new NoGradGuard()) {
      if (deviceSkips == null) deviceSkips = Tensors.kept(() -> zeros(new long[] {}, LossScaler.options(foundInf)));
      // skips = (skips + 1) if this step was skipped, else 0
      deviceSkips.add_(new Scalar(1.0)).mul_(foundInf.ne(new Scalar(0.0)));
    }
  }

  /** Device mode: reads the count (a synchronisation: call it where the host waits anyway, such as a log line). */
  void checkDeviceSkips(double scale) {
    if (deviceSkips != null && deviceSkips.item_double() >= MAX_CONSECUTIVE_SKIPS) throw diverged(scale);
  }

  private static NumericalFault diverged(double scale) {
    return new NumericalFault("the loss scaler skipped " + MAX_CONSECUTIVE_SKIPS
        + " steps in a row: the gradients are not finite at any loss scale (now " + scale + ")");
  }

  /** Names the first parameter (in group order) whose gradient holds inf or NaN, with how many. */
  private String firstNonFiniteGradient() {
    for (int g = 0; g < ParamGroups.COUNT; g++) {
      for (Map.Entry<String, Tensor> e : groups.group(g).entrySet()) {
        Tensor grad = e.getValue().grad();
        if (!grad.defined()) continue;
        long bad = grad.isfinite().logical_not().sum().item_long();
        if (bad > 0) {
          boolean nan = grad.isnan().any().item_bool();
          return "the gradient of " + e.getKey() + " holds " + bad + " non-finite value(s)" + (nan ? " (NaN)" : " (inf)");
        }
      }
    }
    return "a gradient holds non-finite values";
  }
}
