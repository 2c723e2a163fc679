package hspnet.io;

import java.util.Arrays;

/**
 * What {@code torch._utils._rebuild_tensor_v2} receives for one tensor: which storage record of the
 * archive holds its elements, and the view (offset, size, stride) into that storage. Several
 * records may name the same storage: {@code torch.save} writes a shared storage once.
 */
record TensorRecord(String storageKey, TorchStorageType type, long storageNumel, long offset, long[] size, long[] stride) {

  TensorRecord {
    if (size.length != stride.length)
      throw new IllegalArgumentException("tensor has " + size.length + " sizes but " + stride.length + " strides");
    if (offset < 0) throw new IllegalArgumentException("negative storage offset " + offset);
    for (int i = 0; i < size.length; i++)
      if (size[i] < 0 || stride[i] < 0)
        throw new IllegalArgumentException("negative size or stride: size " + Arrays.toString(size)
            + ", stride " + Arrays.toString(stride));
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
