package hspnet.model;

import java.util.Locale;
import java.util.Optional;

import org.bytedeco.pytorch.Tensor;

import hspnet.kernel.HgcnKernel;
import hspnet.kernel.HgcnKernels;

/**
 * How the hierarchical GCN is computed (config key {@code hgcn_backend}): as LibTorch ops, or by
 * the fused native kernel of native/ (on CUDA the CUDA kernels, on the CPU their reference
 * implementation). AUTO takes the fused kernel on CUDA when its library loads and runs there
 * (probed once), LibTorch otherwise (on the CPU the composition with BLAS is faster than the
 * single-threaded reference).
 */
public enum HgcnBackend {
  AUTO, LIBTORCH, FUSED;

  public static HgcnBackend parse(String value) {
    for (HgcnBackend b : values()) if (b.key().equals(value)) return b;
    throw new IllegalArgumentException("hgcn_backend must be one of auto, libtorch, fused; got '" + value + "'");
  }

  /** The value as written in configs. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The fused kernel for tensors on x's device, or empty for the LibTorch composition. */
  Optional<HgcnKernel> kernelFor(Tensor x) {
    boolean cuda = x.is_cuda();
    return switch (this) {
      case LIBTORCH -> Optional.empty();
      case AUTO -> cuda && HgcnKernels.cudaRuns(x) ? HgcnKernels.cuda() : Optional.empty();
      case FUSED -> Optional.of(cuda ? HgcnKernels.cuda().orElseThrow(() -> unavailable(true))
          : HgcnKernels.cpu().orElseThrow(() -> unavailable(false)));
    };
  }

  /** Why FUSED cannot run on the device ({@code null} when it can). */
  public String problem(boolean cuda) {
    if (this != FUSED) return null;
    if (cuda) return HgcnKernels.cuda().isPresent() ? null : HgcnKernels.cudaProblem();
    return HgcnKernels.cpu().isPresent() ? null : HgcnKernels.cpuProblem();
  }

  private IllegalStateException unavailable(boolean cuda) {
    return new IllegalStateException("hgcn_backend fused: the " + (cuda ? "CUDA" : "CPU") + " kernel library is not available: "
        + problem(cuda));
  }
}
