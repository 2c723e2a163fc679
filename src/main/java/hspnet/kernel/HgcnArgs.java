package hspnet.kernel;

import java.util.Arrays;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Checks the tensors of one call against the C ABI's contract and turns them into raw addresses.
 * The native code trusts its arguments, so anything it would read out of bounds is refused here,
 * with the name of the tensor at fault.
 */
final class HgcnArgs {
  static final int F32 = 0, F16 = 1, BF16 = 2;

  final int dtype;
  final long n, e;
  private final boolean cuda;
  private final long deviceIndex;

  HgcnArgs(Tensor x, Tensor adj, HgcnWeights w, boolean cuda) {
    this.cuda = cuda;
    if (x.dim() != 2) throw new IllegalArgumentException("hgcn: x must be n×E, got " + Arrays.toString(x.sizes().vec().get()));
    n = x.size(0);
    e = x.size(1);
    dtype = activationType(x);
    deviceIndex = x.device().index();
    check("x", x, dtype, n, e);
    check("adj", adj, dtype, n, n);
    check("w1", w.w1(), F32, e, 2 * e);
    check("w2", w.w2(), F32, 2 * e, 2 * e);
    check("w3", w.w3(), F32, 2 * e, e);
    check("gamma", w.gamma(), F32, 1);
  }

  static int activationType(Tensor t) {
    ScalarType s = t.scalar_type();
    if (s.value == ScalarType.Float.value) return F32;
    if (s.value == ScalarType.Half.value) return F16;
    if (s.value == ScalarType.BFloat16.value) return BF16;
    throw new IllegalArgumentException("hgcn: activations must be float32, float16 or bfloat16, got " + s);
  }

  /** The device index of x, for the CUDA library (-1, LibTorch's "current", is 0 here). */
  int device() {
    return deviceIndex < 0 ? 0 : (int) deviceIndex;
  }

  /** The address of a tensor that must have the given type and shape. */
  long address(String name, Tensor t, int type, long... shape) {
    check(name, t, type, shape);
    return t.data_ptr().address();
  }

  void check(String name, Tensor t, int type, long... shape) {
    if (t == null || !t.defined()) throw new IllegalArgumentException("hgcn: " + name + " is undefined");
    long[] got = t.sizes().vec().get();
    boolean sameShape = shape.length == 1 ? t.numel() == shape[0] : Arrays.equals(got, shape);
    if (!sameShape)
      throw new IllegalArgumentException("hgcn: " + name + " has shape " + Arrays.toString(got) + ", expected "
          + Arrays.toString(shape));
    if (activationType(t) != type)
      throw new IllegalArgumentException("hgcn: " + name + " is " + t.scalar_type() + ", expected " + typeName(type));
    if (!t.is_contiguous()) throw new IllegalArgumentException("hgcn: " + name + " must be contiguous");
    if (t.is_cuda() != cuda || (cuda && t.device().index() != deviceIndex))
      throw new IllegalArgumentException("hgcn: " + name + " is on " + t.device().str().getString() + ", not on x's device");
  }

  static String typeName(int type) {
    return type == F32 ? "Float" : type == F16 ? "Half" : "BFloat16";
  }
}
