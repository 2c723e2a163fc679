package hspnet.nn;

import java.util.List;

import org.bytedeco.pytorch.Dispatcher;
import org.bytedeco.pytorch.GenericList;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.OperatorHandle;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorType;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.Type;
import org.bytedeco.pytorch.Scalar;

/**
 * ATen's multi-tensor ("foreach") operators, which the presets do not map as functions, called
 * through LibTorch's dispatcher with boxed arguments — the operators PyTorch's GradScaler, fused
 * Adam and foreach optimizers run. Each processes a whole list of tensors in a few kernel launches
 * on CUDA (one per chunk of tensors) where a per-tensor loop launches one or more per tensor.
 */
public final class MultiTensorOps {
  private MultiTensorOps() {}

  /**
   * GradScaler's unscale: multiplies every tensor by {@code invScale} in place and sets
   * {@code foundInf} to 1 if any element of any tensor is inf or NaN (both 0-dimensional float32
   * tensors on the tensors' device, as GradScaler makes them). Element for element what
   * isfinite() and mul_ compute.
   */
  public static void nonFiniteCheckAndUnscale(List<Tensor> tensors, Tensor foundInf, Tensor invScale) {
    call("aten::_amp_foreach_non_finite_check_and_unscale_", "", tensorList(tensors), new IValue(foundInf), new IValue(invScale));
  }

  /** {@code t *= s} for every tensor ({@code _foreach_mul_.Scalar}). */
  public static void mulInPlace(List<Tensor> tensors, double s) {
    call("aten::_foreach_mul_", "Scalar", tensorList(tensors), new IValue(new Scalar(s)));
  }

  /** {@code t * s} for every tensor, as new tensors ({@code _foreach_mul.Scalar}). */
  public static List<Tensor> mul(List<Tensor> tensors, double s) {
    IValueVector stack = call("aten::_foreach_mul", "Scalar", tensorList(tensors), new IValue(new Scalar(s)));
    TensorVector out = stack.get(0).toTensorVector();
    return List.of(out.get());
  }

  /** {@code a += b} element-wise for every pair of tensors ({@code _foreach_add_.List}, alpha 1). */
  public static void addInPlace(List<Tensor> a, List<Tensor> b) {
    call("aten::_foreach_add_", "List", tensorList(a), tensorList(b), new IValue(new Scalar(1.0)));
  }

  /** {@code a -= b} element-wise for every pair of tensors ({@code _foreach_sub_.List}, alpha 1). */
  public static void subInPlace(List<Tensor> a, List<Tensor> b) {
    call("aten::_foreach_sub_", "List", tensorList(a), tensorList(b), new IValue(new Scalar(1.0)));
  }

  /**
   * GradScaler's update on the device ({@code _amp_update_scale_}): {@code scale} halves (×backoff)
   * when {@code foundInf} is nonzero and {@code growthTracker} (int32) restarts; otherwise the
   * tracker counts up and the scale grows ×growth when it reaches {@code interval}.
   */
  public static void updateScale(Tensor scale, Tensor growthTracker, Tensor foundInf, double growth, double backoff, long interval) {
    call("aten::_amp_update_scale_", "", new IValue(scale), new IValue(growthTracker), new IValue(foundInf), new IValue(growth),
        new IValue(backoff), new IValue(interval));
  }

  /** {@code t += s} for every tensor ({@code _foreach_add_.Scalar}). */
  public static void addInPlace(List<Tensor> tensors, double s) {
    call("aten::_foreach_add_", "Scalar", tensorList(tensors), new IValue(new Scalar(s)));
  }

  /**
   * One Adam step of torch.optim.Adam(fused=True) over a group: coupled L2 weight decay, bias
   * correction from {@code steps} (float32 tensors on the parameters' device, already incremented
   * for this step, as torch's _fused_adam does before calling the kernel). With {@code gradScale}
   * and {@code foundInf} (0-dimensional tensors, or null) the kernel divides the gradients by the
   * scale itself and leaves everything untouched when foundInf is nonzero — no host
   * synchronisation needed to skip a step.
   */
  public static void fusedAdam(List<Tensor> params, List<Tensor> grads, List<Tensor> expAvgs, List<Tensor> expAvgSqs,
      List<Tensor> steps, double lr, double beta1, double beta2, double weightDecay, double eps, Tensor gradScale,
      Tensor foundInf) {
    call("aten::_fused_adam_", "", tensorList(params), tensorList(grads), tensorList(expAvgs), tensorList(expAvgSqs),
        tensorList(List.of()), tensorList(steps), new IValue(lr), new IValue(beta1), new IValue(beta2),
        new IValue(weightDecay), new IValue(eps), new IValue(false), new IValue(false),
        gradScale == null ? new IValue() : new IValue(gradScale), foundInf == null ? new IValue() : new IValue(foundInf));
  }

  /** Whether this LibTorch has the operator (all of the above exist since torch 2.1). */
  public static boolean has(String name, String overload) {
    try {
      Dispatcher.singleton().findSchemaOrThrow(name, overload);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static IValueVector call(String name, String overload, IValue... args) {
    OperatorHandle op = Dispatcher.singleton().findSchemaOrThrow(name, overload);
    IValueVector stack = new IValueVector(args);
    op.callBoxed(stack);
    return stack;
  }

  /** A boxed Tensor[] argument: a list whose element type is Tensor (a generic list would not do). */
  private static IValue tensorList(List<Tensor> tensors) {
    GenericList list = new GenericList(new Type.TypePtr(TensorType.get()));
    for (Tensor t : tensors) list.push_back(new IValue(t));
    return new IValue(list);
  }
}
