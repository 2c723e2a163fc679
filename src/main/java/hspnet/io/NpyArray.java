package hspnet.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;

import static org.bytedeco.pytorch.global.torch.from_blob;

/** A numeric array read from (or to be written to) a {@code .npy} file: little-endian, C order. */
public final class NpyArray {
  /** The element types the project reads and writes, with their numpy descriptors. */
  public enum DType {
    FLOAT32("<f4", 4, ScalarType.Float),
    FLOAT64("<f8", 8, ScalarType.Double),
    INT64("<i8", 8, ScalarType.Long),
    INT32("<i4", 4, ScalarType.Int);

    final String descr;
    final int size;
    final ScalarType torchType;

    DType(String descr, int size, ScalarType torchType) {
      this.descr = descr;
      this.size = size;
      this.torchType = torchType;
    }

    static DType of(String descr) {
      for (DType d : values()) if (d.descr.equals(descr)) return d;
      return null;
    }
  }

  private final DType dtype;
  private final long[] shape;
  private final ByteBuffer data;

  NpyArray(DType dtype, long[] shape, ByteBuffer data) {
    this.dtype = dtype;
    this.shape = shape.clone();
    this.data = data.order(ByteOrder.LITTLE_ENDIAN);
    if (data.remaining() != numel() * dtype.size)
      throw new IllegalArgumentException("npy data holds " + data.remaining() + " bytes, shape "
          + Arrays.toString(shape) + " of " + dtype.descr + " needs " + numel() * dtype.size);
  }

  public static NpyArray ofFloats(float[] values, long... shape) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return new NpyArray(DType.FLOAT32, shape, b);
  }

  public static NpyArray ofLongs(long[] values, long... shape) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(values);
    return new NpyArray(DType.INT64, shape, b);
  }

  public DType dtype() { return dtype; }

  public long[] shape() { return shape.clone(); }

  public long numel() {
    long n = 1;
    for (long s : shape) n *= s;
    return n;
  }

  /** Raw little-endian bytes (a read-only view). */
  public ByteBuffer bytes() { return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN); }

  /** Every element as a double (integers converted exactly up to 2^53). */
  public double[] doubles() {
    int n = Math.toIntExact(numel());
    double[] out = new double[n];
    ByteBuffer b = bytes();
    for (int i = 0; i < n; i++) {
      switch (dtype) {
        case FLOAT32 -> out[i] = b.getFloat(i * 4);
        case FLOAT64 -> out[i] = b.getDouble(i * 8);
        case INT64 -> out[i] = b.getLong(i * 8);
        case INT32 -> out[i] = b.getInt(i * 4);
      }
    }
    return out;
  }

  public float[] floats() {
    double[] d = doubles();
    float[] out = new float[d.length];
    for (int i = 0; i < d.length; i++) out[i] = (float) d[i];
    return out;
  }

  /** Every element as a long; floating values must hold integers (label index files do). */
  public long[] longs() {
    int n = Math.toIntExact(numel());
    long[] out = new long[n];
    ByteBuffer b = bytes();
    for (int i = 0; i < n; i++) {
      switch (dtype) {
        case INT64 -> out[i] = b.getLong(i * 8);
        case INT32 -> out[i] = b.getInt(i * 4);
        default -> {
          double v = dtype == DType.FLOAT32 ? b.getFloat(i * 4) : b.getDouble(i * 8);
          if (v != Math.rint(v))
            throw new IllegalArgumentException("npy element " + i + " is " + v + ", not an integer");
          out[i] = (long) v;
        }
      }
    }
    return out;
  }

  /** A LibTorch tensor that owns a copy of the data (same dtype and shape). */
  public Tensor toTensor() {
    ByteBuffer b = bytes();
    byte[] raw = new byte[b.remaining()];
    b.get(raw);
    try (BytePointer p = new BytePointer(raw.length == 0 ? 1 : raw.length)) {
      p.put(raw);
      return from_blob(p, shape, new TensorOptions().dtype(new ScalarTypeOptional(dtype.torchType))).clone();
    }
  }
}
