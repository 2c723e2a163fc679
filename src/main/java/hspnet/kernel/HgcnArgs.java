package hspnet.kernel;

import java.util.Arrays;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Checks the tensors of one call against the C ABI's contract and turns them into raw addresses.
 * The native code trusts its arguments, so anything it would read out of bounds is refused here,
 * with the name of the tensor at fault.
 *
 * <p>Every tensor is checked once, through accessors that return primitives: the kernel is called
 * twice per level and step, and the accessors that build native objects ({@code sizes().vec()},
 * {@code device()}: a few microseconds each through JavaCPP) made the checks cost more than a small
 * level's kernels (about 200 µs a step, measured on the CPU). Those run only to word an error, and
 * {@code device()} for the index only where more than one CUDA device exists.
 */
final class HgcnArgs {
  static final int F32 = 0, F16 = 1, BF16 = 2;

  final int dtype;
  final long n, e;
  private final boolean cuda;
  private final long deviceIndex;

  /** Reads n, E, the activation type and the device from x (checked when its address is taken). */
  HgcnArgs(Tensor x, boolean cuda) {
    this.cuda = cuda;
    if (x == null || !x.defined()) throw new IllegalArgumentException("hgcn: x is undefined");
    if (x.dim() != 2) throw new IllegalArgumentException("hgcn: x must be n×E, got " + shapeOf(x));
    n = x.size(0);
    e = x.size(1);
    dtype = activationType(x);
    deviceIndex = cuda && x.is_cuda() && MultiDevice.present() ? x.device().index() : -1;
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

  /** The address of an n×E tensor of the activation type. */
  long activation(String name, Tensor t) {
    return address(name, t, dtype, n, e);
  }

  /** The address of a tensor that must have the given type and shape (one number: its element count). */
  long address(String name, Tensor t, int type, long... shape) {
    check(name, t, type, shape);
    return t.data_ptr().address();
  }

  void check(String name, Tensor t, int type, long... shape) {
    if (t == null || !t.defined()) throw new IllegalArgumentException("hgcn: " + name + " is undefined");
    if (!hasShape(t, shape))
      throw new IllegalArgumentException("hgcn: " + name + " has shape " + shapeOf(t) + ", expected " + Arrays.toString(shape));
    if (t.scalar_type().value != scalarType(type).value)
      throw new IllegalArgumentException("hgcn: " + name + " is " + t.scalar_type() + ", expected " + typeName(type));
    if (!t.is_contiguous()) throw new IllegalArgumentException("hgcn: " + name + " must be contiguous");
    if (t.is_cuda() != cuda || (deviceIndex >= 0 && t.device().index() != deviceIndex))
      throw new IllegalArgumentException("hgcn: " + name + " is on " + t.device().str().getString() + ", not on x's device");
  }

  private static boolean hasShape(Tensor t, long[] shape) {
    if (shape.length == 1) return t.numel() == shape[0];
    if (t.dim() != shape.length) return false;
    for (int i = 0; i < shape.length; i++) if (t.size(i) != shape[i]) return false;
    return true;
  }

  private static String shapeOf(Tensor t) {
    return Arrays.toString(t.sizes().vec().get());
  }

  private static ScalarType scalarType(int type) {
    return type == F32 ? ScalarType.Float : type == F16 ? ScalarType.Half : ScalarType.BFloat16;
  }

  static String typeName(int type) {
    return type == F32 ? "Float" : type == F16 ? "Half" : "BFloat16";
  }

  /** Whether a and b are on the same device (a CPU tensor and a CUDA one never are). */
  static boolean sameDevice(Tensor a, Tensor b) {
    boolean cuda = a.is_cuda();
    if (cuda != b.is_cuda()) return false;
    return !cuda || !MultiDevice.present() || a.device().index() == b.device().index();
  }

  /** Whether the process sees more than one CUDA device (asked once: a tensor's index matters only then). */
  private static final class MultiDevice {
    private static final boolean PRESENT = torch.cuda_device_count() > 1;

    static boolean present() {
      return PRESENT;
    }
  }
}
