package hspnet.nn;

import static org.bytedeco.pytorch.global.torch.from_blob;

import java.util.List;
import java.util.function.Supplier;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Java arrays to tensors and back. Data goes through native memory that the tensor then owns (a
 * clone of from_blob), because from_blob alone does not own its memory and array-ref views of Java
 * arrays can be freed under the tensor (see the cookbook).
 */
public final class Tensors {
  private Tensors() {}

  public static Tensor ofFloats(float[] data, long... shape) {
    try (FloatPointer p = new FloatPointer(data.length == 0 ? new float[1] : data)) {
      return from_blob(p, shape, new TensorOptions().dtype(new ScalarTypeOptional(ScalarType.Float))).clone();
    }
  }

  /** uint8 values (a byte's bits, 0..255) as a uint8 tensor of {@code shape}. */
  public static Tensor ofBytes(byte[] data, long... shape) {
    try (BytePointer p = new BytePointer(data.length == 0 ? new byte[1] : data)) {
      return from_blob(p, shape, new TensorOptions().dtype(new ScalarTypeOptional(ScalarType.Byte))).clone();
    }
  }

  public static Tensor ofDoubles(double[] data, long... shape) {
    try (DoublePointer p = new DoublePointer(data.length == 0 ? new double[1] : data)) {
      return from_blob(p, shape, new TensorOptions().dtype(new ScalarTypeOptional(ScalarType.Double))).clone();
    }
  }

  public static Tensor ofLongs(long[] data, long... shape) {
    try (LongPointer p = new LongPointer(data.length == 0 ? new long[1] : data)) {
      return from_blob(p, shape, new TensorOptions().dtype(new ScalarTypeOptional(ScalarType.Long))).clone();
    }
  }

  /**
   * Makes a tensor that outlives any PointerScope open around the call (for a field such as a
   * cache or a device copy). It is made inside a scope of its own, which frees the intermediates;
   * detach() releases that scope's reference, hence the retain first, so the handle keeps one.
   */
  public static Tensor kept(Supplier<Tensor> make) {
    try (PointerScope scope = new PointerScope()) {
      Tensor t = make.get();
      scope.detach(t.retainReference());
      return t;
    }
  }

  /** Same for several tensors made together (each handle keeps its own reference). */
  public static List<Tensor> keptAll(Supplier<List<Tensor>> make) {
    try (PointerScope scope = new PointerScope()) {
      List<Tensor> list = List.copyOf(make.get());
      for (Tensor t : list) scope.detach(t.retainReference());
      return list;
    }
  }

  /** A CPU float32 copy of any tensor, flattened into a Java array. */
  public static float[] toFloats(Tensor t) {
    Tensor c = t.detach().to(ScalarType.Float).cpu().contiguous();
    float[] out = new float[(int) c.numel()];
    new FloatPointer(c.data_ptr()).capacity(out.length).get(out);
    return out;
  }

  /** A CPU float64 copy of any tensor, flattened into a Java array. */
  public static double[] toDoubles(Tensor t) {
    Tensor c = t.detach().to(ScalarType.Double).cpu().contiguous();
    double[] out = new double[(int) c.numel()];
    if (out.length > 0) new DoublePointer(c.data_ptr()).capacity(out.length).get(out);
    return out;
  }

  public static long[] toLongs(Tensor t) {
    Tensor c = t.detach().to(ScalarType.Long).cpu().contiguous();
    long[] out = new long[(int) c.numel()];
    new LongPointer(c.data_ptr()).capacity(out.length).get(out);
    return out;
  }

  public static long[] shape(Tensor t) {
    return t.sizes().vec().get();
  }
}
