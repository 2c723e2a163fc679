package hspnet.data;

import org.bytedeco.pytorch.Tensor;

/**
 * Decodes a JPEG file's bytes into planar uint8 RGB {@code [3, H, W]} on a device: nvJPEG on a
 * CUDA device ({@link NvJpegDecoder}); on machines without CUDA the tests stand in a CPU decoder.
 * One decoder serves one thread.
 */
public interface JpegDecoder extends AutoCloseable {
  /**
   * The pixels of {@code jpeg}; {@code name} names the file in errors.
   *
   * @throws IllegalArgumentException when the decoder refuses the data (the loader then decodes
   *     the file on the CPU path, which either recovers it as Pillow does or names what is wrong)
   */
  Tensor decode(byte[] jpeg, String name);

  @Override
  void close();
}
