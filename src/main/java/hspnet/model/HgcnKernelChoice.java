package hspnet.model;

import java.util.Optional;

import org.bytedeco.pytorch.Tensor;

import hspnet.config.HgcnBackend;
import hspnet.kernel.HgcnKernel;
import hspnet.kernel.HgcnKernels;

/** The kernel an {@link HgcnBackend} choice means on a given device (probed once per library). */
public final class HgcnKernelChoice {
  private HgcnKernelChoice() {}

  /** The fused kernel for tensors on x's device, or empty for the LibTorch composition. */
  static Optional<HgcnKernel> kernelFor(HgcnBackend backend, Tensor x) {
    boolean cuda = x.is_cuda();
    return switch (backend) {
      case LIBTORCH -> Optional.empty();
      case AUTO -> cuda && HgcnKernels.cudaRuns(x) ? HgcnKernels.cuda() : Optional.empty();
      case FUSED -> Optional.of(cuda ? HgcnKernels.cuda().orElseThrow(() -> unavailable(true))
          : HgcnKernels.cpu().orElseThrow(() -> unavailable(false)));
    };
  }

  /** Why FUSED cannot run on the device ({@code null} when it can, and for the other choices). */
  public static String problem(HgcnBackend backend, boolean cuda) {
    if (backend != HgcnBackend.FUSED) return null;
    if (cuda) return HgcnKernels.cuda().isPresent() ? null : HgcnKernels.cudaProblem();
    return HgcnKernels.cpu().isPresent() ? null : HgcnKernels.cpuProblem();
  }

  private static IllegalStateException unavailable(boolean cuda) {
    return new IllegalStateException("hgcn_backend fused: the " + (cuda ? "CUDA" : "CPU") + " kernel library is not available: "
        + problem(HgcnBackend.FUSED, cuda));
  }
}
