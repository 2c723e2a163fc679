package hspnet.kernel;

import java.util.Optional;
import java.util.Properties;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;

import static org.bytedeco.pytorch.global.torch.empty_like;
import static org.bytedeco.pytorch.global.torch.ones;

/**
 * The native implementations, loaded once on first use. A library that does not load (not built:
 * no nvcc on the build machine; no CUDA driver at run time) leaves its kernel absent and says why.
 */
public final class HgcnKernels {
  private HgcnKernels() {}

  private static final class Cpu {
    static final Loaded LOADED = Loaded.of(HgcnCpu.class, "");
  }

  private static final class Cuda {
    static final Loaded LOADED = Loaded.of(HgcnCuda.class, "-gpu");
  }

  private record Loaded(boolean ok, String reason) {
    /**
     * Loads a binding whose @Platform may carry a platform extension. JavaCPP's Loader skips such
     * a binding — returns null, loads nothing, binds no native method — unless the JVM runs with
     * that extension (org.bytedeco.javacpp.platform.extension), so it is asked again with the
     * extension set for this one class: the CUDA library then loads wherever it was built,
     * whichever LibTorch natives the process uses.
     */
    static Loaded of(Class<?> binding, String extension) {
      try {
        String path = Loader.load(binding);
        if (path == null && !extension.isEmpty()) {
          Properties p = new Properties();
          p.putAll(Loader.loadProperties());
          p.setProperty("platform.extension", extension);
          path = Loader.load(binding, p, false);
        }
        if (path == null)
          return new Loaded(false, binding.getSimpleName() + " has no native library for " + Loader.getPlatform() + extension);
        return new Loaded(true, "");
      } catch (UnsatisfiedLinkError | ExceptionInInitializerError | NoClassDefFoundError e) {
        return new Loaded(false, binding.getSimpleName() + " did not load: " + e);
      }
    }
  }

  /** The CPU reference, when libhgcn_cpu.so loads (it is built on every machine with CMake). */
  public static Optional<HgcnKernel> cpu() {
    return Cpu.LOADED.ok() ? Optional.of(new CpuHgcnKernel(false)) : Optional.empty();
  }

  /**
   * The CPU reference computing what the tensor-core variants ({@link HgcnVariant#tensorCores()})
   * do: each product's operands rounded to the activation type, float32 sums. The same as
   * {@link #cpu()} for float32 activations.
   */
  public static Optional<HgcnKernel> cpuHalfOperands() {
    return Cpu.LOADED.ok() ? Optional.of(new CpuHgcnKernel(true)) : Optional.empty();
  }

  /** The CUDA kernels with the default variant, when libhgcn_cuda.so loads. */
  public static Optional<HgcnKernel> cuda() {
    return cuda(HgcnVariant.DEFAULT);
  }

  public static Optional<HgcnKernel> cuda(HgcnVariant variant) {
    return Cuda.LOADED.ok() ? Optional.of(new CudaHgcnKernel(variant)) : Optional.empty();
  }

  private static volatile String cudaRunProblem;

  /**
   * Whether the CUDA kernels run on x's device: the library can load and still fail at its first
   * call (a driver older than the CUDA runtime it was built with, an architecture it has no code
   * for). Probed once, on a 1×1 level; {@link #cudaProblem()} then says why not.
   */
  public static boolean cudaRuns(Tensor like) {
    if (!Cuda.LOADED.ok()) return false;
    String p = cudaRunProblem;
    if (p == null) {
      synchronized (HgcnKernels.class) {
        if ((p = cudaRunProblem) == null) cudaRunProblem = p = probe(new CudaHgcnKernel(HgcnVariant.DEFAULT), like);
      }
    }
    return p.isEmpty();
  }

  /** "" when the kernel computes a 1×1 level right on like's device, else what went wrong. */
  static String probe(HgcnKernel kernel, Tensor like) {
    try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      TensorOptions f = like.options().dtype(new ScalarTypeOptional(ScalarType.Float));
      Tensor x = ones(new long[] {1, 1}, f), w1 = ones(new long[] {1, 2}, f), w2 = ones(new long[] {2, 2}, f),
          w3 = ones(new long[] {2, 1}, f), gamma = ones(new long[] {1}, f);
      Tensor out = empty_like(x);
      kernel.forward(x, x, new HgcnWeights(w1, w2, w3, gamma), out, HgcnBuffers.saved(x), HgcnBuffers.workspace(x));
      // all ones: H1 = [1, 1], H2 = [2, 2], H3 = 4, and γ = 1 keeps H3
      float v = out.item_float();
      return v == 4f ? "" : kernel.describe() + " computed " + v + " instead of 4 on a 1×1 probe";
    } catch (RuntimeException e) {
      return kernel.describe() + " does not run here: " + e.getMessage();
    }
  }

  /** A CUDA device as the driver names it, and its memory use (for benchmark rows). */
  public record DeviceInfo(String name, long freeBytes, long totalBytes) {}

  public static Optional<DeviceInfo> cudaDevice(int device) {
    if (!Cuda.LOADED.ok()) return Optional.empty();
    try (BytePointer name = new BytePointer(256); LongPointer free = new LongPointer(1); LongPointer total = new LongPointer(1)) {
      if (HgcnCuda.hgcn_cuda_device_info(device, name, 256, free, total) != 0) return Optional.empty();
      // getString() reads the pointer's whole capacity: the C string ends at its first NUL
      String text = name.getString();
      int end = text.indexOf('\0');
      return Optional.of(new DeviceInfo(end < 0 ? text : text.substring(0, end), free.get(), total.get()));
    }
  }

  /**
   * Turns the CUDA library's synchronise-and-check mode on or off (native/include/hgcn.h): every
   * call then waits for its stream and fails on an error the kernels raised while running, which
   * launch checks alone miss. For device checks (it costs a round trip per call); the environment
   * variable HSPNET_HGCN_SYNC_CHECK=1 turns it on too. Returns whether the mode is now on (false
   * when the CUDA library is not loaded).
   */
  public static boolean cudaSyncCheck(boolean on) {
    if (!Cuda.LOADED.ok()) return false;
    HgcnCuda.hgcn_cuda_set_sync_check(on ? 1 : 0);
    return HgcnCuda.hgcn_cuda_sync_check() != 0;
  }

  /** Why {@link #cpu()} is empty ("" when it is not). */
  public static String cpuProblem() {
    return Cpu.LOADED.reason();
  }

  /** Why {@link #cuda()} is empty or {@link #cudaRuns} false ("" when neither). */
  public static String cudaProblem() {
    String run = cudaRunProblem;
    return !Cuda.LOADED.ok() ? Cuda.LOADED.reason() : run == null ? "" : run;
  }
}
