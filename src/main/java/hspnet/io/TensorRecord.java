package hspnet.io;

import java.util.Arrays;

/**
 * What {@code torch._utils._rebuild_tensor_v2} receives for one tensor: which storage record of the
 * archive holds its elements, and the view (offset, size, stride) into that storage. Several
 * records may name the same storage: {@code torch.save} writes a shared storage once.
 */
record TensorRecord(String storageKey, TorchStorageType type, long storageNumel, long offset, long[] size, long[] stride,
    boolean requiresGrad) {

  TensorRecord {
    if (storageNumel < 0) throw new IllegalArgumentException("storage '" + storageKey + "' declares " + storageNumel + " elements");
    if (size.length > 64) throw new IllegalArgumentException("tensor of " + size.length + " dimensions");
    if (size.length != stride.length)
      throw new IllegalArgumentException("tensor has " + size.length + " sizes but " + stride.length + " strides");
    if (offset < 0) throw new IllegalArgumentException("negative storage offset " + offset);
    for (int i = 0; i < size.length; i++)
      if (size[i] < 0 || stride[i] < 0)
        throw new IllegalArgumentException("negative size or stride: size " + Arrays.toString(size)
            + ", stride " + Arrays.toString(stride));
    try {
      long n = 1;
      for (long x : size) n = Math.multiplyExact(n, x);
      Math.multiplyExact(storageNumel, (long) type.elementSize);
      if (n > 0) {
        long last = offset;
        for (int i = 0; i < size.length; i++) last = Math.addExact(last, Math.multiplyExact(size[i] - 1, stride[i]));
        Math.multiplyExact(n, (long) type.elementSize);
      }
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("tensor of size " + Arrays.toString(size) + ", stride " + Arrays.toString(stride)
          + " on a storage of " + storageNumel + " elements overflows 64-bit sizes");
    }
  }

  TensorRecord withRequiresGrad(boolean grad) {
    return new TensorRecord(storageKey, type, storageNumel, offset, size, stride, grad);
  }

  long nbytes() {
    return numel() * type.elementSize;
  }

  long numel() {
    long n = 1;
    for (long s : size) n = Math.multiplyExact(n, s);
    return n;
  }

  /** Storage elements the view reaches: one past its last element (0 for an empty tensor). */
  long extent() {
    if (numel() == 0) return 0;
    long last = offset;
    for (int i = 0; i < size.length; i++) last = Math.addExact(last, Math.multiplyExact(size[i] - 1, stride[i]));
    return last + 1;
  }

  @Override
  public String toString() {
    return "storage '" + storageKey + "' (" + type.className + ", " + storageNumel + " elements), offset " + offset
        + ", size " + Arrays.toString(size) + ", stride " + Arrays.toString(stride);
  }
}
