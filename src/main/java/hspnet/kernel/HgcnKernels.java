package hspnet.kernel;

import java.util.Optional;

import org.bytedeco.javacpp.Loader;

/**
 * The native implementations, loaded once on first use. A library that does not load (not built:
 * no nvcc on the build machine; no CUDA driver at run time) leaves its kernel absent and says why.
 */
public final class HgcnKernels {
  private HgcnKernels() {}

  private static final class Cpu {
    static final Loaded LOADED = Loaded.of(HgcnCpu.class);
  }

  private static final class Cuda {
    static final Loaded LOADED = Loaded.of(HgcnCuda.class);
  }

  private record Loaded(boolean ok, String reason) {
    static Loaded of(Class<?> binding) {
      try {
        Loader.load(binding);
        return new Loaded(true, "");
      } catch (UnsatisfiedLinkError | ExceptionInInitializerError | NoClassDefFoundError e) {
        return new Loaded(false, binding.getSimpleName() + " did not load: " + e);
      }
    }
  }

  /** The CPU reference, when libhgcn_cpu.so loads (it is built on every machine with CMake). */
  public static Optional<HgcnKernel> cpu() {
    return Cpu.LOADED.ok() ? Optional.of(new CpuHgcnKernel()) : Optional.empty();
  }

  /** The CUDA kernels with the default variant, when libhgcn_cuda.so loads. */
  public static Optional<HgcnKernel> cuda() {
    return cuda(HgcnVariant.DEFAULT);
  }

  public static Optional<HgcnKernel> cuda(HgcnVariant variant) {
    return Cuda.LOADED.ok() ? Optional.of(new CudaHgcnKernel(variant)) : Optional.empty();
  }

  /** Why {@link #cpu()} is empty ("" when it is not). */
  public static String cpuProblem() {
    return Cpu.LOADED.reason();
  }

  /** Why {@link #cuda()} is empty ("" when it is not). */
  public static String cudaProblem() {
    return Cuda.LOADED.reason();
  }
}
