package hspnet.kernel;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP binding of the CUDA implementation of the fused HGCN level (native/include/hgcn.h):
 * {@code libhgcn_cuda.so} (CUDA runtime linked statically, so only the driver is needed) and its
 * JNI glue {@code libjniHgcnCuda.so}, built only where the build machine has nvcc. Loading fails
 * with an UnsatisfiedLinkError where they were not built or no CUDA driver exists.
 */
@Platform(value = "linux-x86_64", extension = "-gpu", include = "hgcn.h", link = "hgcn_cuda")
public final class HgcnCuda {
  static {
    Loader.load();
  }

  private HgcnCuda() {}

  public static native int hgcn_cuda_forward(int dtype, long n, long e, @Cast("const void*") long x,
      @Cast("const void*") long adj, @Cast("const float*") long w1, @Cast("const float*") long w2,
      @Cast("const float*") long w3, @Cast("const float*") long gamma, @Cast("void*") long out,
      @Cast("float*") long saved, @Cast("float*") long workspace, int variant, int device,
      @Cast("void*") long stream);

  public static native int hgcn_cuda_backward(int dtype, long n, long e, @Cast("const void*") long x,
      @Cast("const void*") long adj, @Cast("const float*") long w1, @Cast("const float*") long w2,
      @Cast("const float*") long w3, @Cast("const float*") long gamma, @Cast("const float*") long saved,
      @Cast("const void*") long dout, @Cast("void*") long dx, @Cast("float*") long dw1, @Cast("float*") long dw2,
      @Cast("float*") long dw3, @Cast("float*") long dgamma, int accumulate, @Cast("float*") long workspace,
      int variant, int device, @Cast("void*") long stream);

  public static native int hgcn_cuda_device_info(int device, @Cast("char*") BytePointer name, int nameLen,
      @Cast("int64_t*") LongPointer freeBytes, @Cast("int64_t*") LongPointer totalBytes);

  public static native void hgcn_cuda_set_sync_check(int on);

  public static native int hgcn_cuda_sync_check();

  public static native @Cast("const char*") String hgcn_cuda_last_error();
}
