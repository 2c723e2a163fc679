package hspnet.io;

import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The legacy typed-storage classes ({@code torch.FloatStorage}, ...) that {@code torch.save} names in
 * a tensor's persistent id: they are how the pickle says which dtype a storage record holds.
 */
enum TorchStorageType {
  FLOAT("FloatStorage", ScalarType.Float, 4),
  DOUBLE("DoubleStorage", ScalarType.Double, 8),
  HALF("HalfStorage", ScalarType.Half, 2),
  BFLOAT16("BFloat16Storage", ScalarType.BFloat16, 2),
  LONG("LongStorage", ScalarType.Long, 8),
  INT("IntStorage", ScalarType.Int, 4),
  SHORT("ShortStorage", ScalarType.Short, 2),
  CHAR("CharStorage", ScalarType.Char, 1),
  BYTE("ByteStorage", ScalarType.Byte, 1),
  BOOL("BoolStorage", ScalarType.Bool, 1);

  /** The class name inside module {@code torch}. */
  final String className;
  final ScalarType scalarType;
  final int elementSize;

  TorchStorageType(String className, ScalarType scalarType, int elementSize) {
    this.className = className;
    this.scalarType = scalarType;
    this.elementSize = elementSize;
  }

  /** The storage class {@code torch.<name>}, or null when the name is not one of these. */
  static TorchStorageType ofClassName(String name) {
    for (TorchStorageType t : values())
      if (t.className.equals(name)) return t;
    return null;
  }

  /** The storage class holding tensors of this dtype, or null for dtypes torch.save has no typed storage for. */
  static TorchStorageType of(ScalarType scalarType) {
    // compared by value: JavaCPP hands out fresh enum objects for values coming from native code
    for (TorchStorageType t : values())
      if (t.scalarType.value == scalarType.value) return t;
    return null;
  }
}
