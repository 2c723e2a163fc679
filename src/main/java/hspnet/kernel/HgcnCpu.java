package hspnet.kernel;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP binding of the CPU reference implementation of the fused HGCN level (native/include/hgcn.h).
 * Pointers travel as raw addresses (a tensor's {@code data_ptr().address()}); the library is
 * {@code libhgcn_cpu.so} and its JNI glue {@code libjniHgcnCpu.so}, both built by CMake during the
 * Maven build and found by {@link Loader} under {@code hspnet/kernel/linux-x86_64/}.
 */
@Platform(value = "linux-x86_64", include = "hgcn.h", link = "hgcn_cpu")
public final class HgcnCpu {
  static {
    Loader.load();
  }

  private HgcnCpu() {}

  public static native int hgcn_cpu_forward(int dtype, long n, long e, @Cast("const void*") long x,
      @Cast("const void*") long adj, @Cast("const float*") long w1, @Cast("const float*") long w2,
      @Cast("const float*") long w3, @Cast("const float*") long gamma, @Cast("void*") long out,
      @Cast("float*") long saved, @Cast("float*") long workspace, int math);

  public static native int hgcn_cpu_backward(int dtype, long n, long e, @Cast("const void*") long x,
      @Cast("const void*") long adj, @Cast("const float*") long w1, @Cast("const float*") long w2,
      @Cast("const float*") long w3, @Cast("const float*") long gamma, @Cast("const float*") long saved,
      @Cast("const void*") long dout, @Cast("void*") long dx, @Cast("float*") long dw1, @Cast("float*") long dw2,
      @Cast("float*") long dw3, @Cast("float*") long dgamma, int accumulate, @Cast("float*") long workspace, int math);

  public static native @Cast("const char*") String hgcn_cpu_last_error();

  public static native long hgcn_saved_elems(long n, long e);

  public static native long hgcn_workspace_elems(long n, long e);
}
