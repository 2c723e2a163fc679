package hspnet.kernel;

import java.util.Optional;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;

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

  /** A CUDA device as the driver names it, and its memory use (for benchmark rows). */
  public record DeviceInfo(String name, long freeBytes, long totalBytes) {}

  public static Optional<DeviceInfo> cudaDevice(int device) {
    if (!Cuda.LOADED.ok()) return Optional.empty();
    try (BytePointer name = new BytePointer(256); LongPointer free = new LongPointer(1); LongPointer total = new LongPointer(1)) {
      if (HgcnCuda.hgcn_cuda_device_info(device, name, 256, free, total) != 0) return Optional.empty();
      return Optional.of(new DeviceInfo(name.getString(), free.get(), total.get()));
    }
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
