package hspnet.nn;

import java.util.Locale;

import org.bytedeco.pytorch.global.torch;

/**
 * One set of CPU kernels on every x86-64 machine, so that the CPU's instruction set changes
 * neither the correctness nor the numbers of a run. {@link #pin()} runs before a process's first
 * tensor operation (every main calls it first; {@link Layers} calls it before the first
 * convolution is built; the test JVM calls it at start) and
 * <ul>
 * <li>caps oneDNN (MKL-DNN, LibTorch's CPU convolutions) at AVX2 (ONEDNN_MAX_CPU_ISA): its
 * AVX-512 backward-data kernel in LibTorch 2.10 returns wrong or NaN input gradients for channel
 * counts that are not multiples of 16 (see {@link ConvGradientCheck}); its AVX2 kernels use 8-wide
 * blocks and are right. If a tensor operation ran before the pin, oneDNN may already have chosen
 * its kernels: then it is switched off instead (LibTorch's own im2col + GEMM, right but about
 * 2.5 times slower for the demo);</li>
 * <li>switches NNPACK off: it would take over gradient-free convolutions of batches of 16 or more
 * (validation) with Winograd arithmetic of other rounding, and prints initialisation failures on
 * some AMD CPUs;</li>
 * <li>selects LibTorch's AVX2 kernels (ATEN_CPU_CAPABILITY) on CPUs that have AVX2, so that
 * AVX-512 machines vectorise reductions and element-wise math exactly as AVX2 machines do;</li>
 * <li>checks convolution gradients against float64 once ({@link ConvGradientCheck}) and stops
 * with a {@link NumericalFault} if they are wrong.</li>
 * </ul>
 * OpenBLAS (LibTorch's GEMM) picks its kernels when it is loaded, before any Java code can run:
 * the launchers and the test JVM export {@code OPENBLAS_CORETYPE=Haswell} on AVX2 CPUs, and
 * {@link Pinned#describe()} says which kernels a process actually has.
 */
public final class CpuNumerics {
  /** LibTorch's kernel set on AVX2 CPUs (the name get_cpu_capability() reports). */
  public static final String ATEN_CAPABILITY = "AVX2";
  /** The widest instruction set oneDNN may use (ONEDNN_MAX_CPU_ISA). */
  public static final String ONEDNN_MAX_ISA = "AVX2";
  /** OpenBLAS's kernel set on AVX2 CPUs (the OPENBLAS_CORETYPE the launchers export). */
  public static final String OPENBLAS_CORE = "Haswell";

  /**
   * What the pin achieved in this process: LibTorch's kernel set and whether the pin chose it,
   * OpenBLAS's, oneDNN's state ("at most AVX2" or "off"), NNPACK off, the worst relative error of
   * the convolution gradient check.
   */
  public record Pinned(String atenCapability, boolean atenPinned, String openBlasCore, String oneDnn, boolean nnpackOff,
      double convGradientError) {
    /** One line for logs and summaries. */
    public String describe() {
      return String.format(Locale.ROOT, "LibTorch %s kernels%s, OpenBLAS %s kernels, oneDNN %s, NNPACK %s, "
              + "conv gradient check %.1e",
          atenCapability, atenPinned ? "" : " (not pinned)", openBlasCore, oneDnn, nnpackOff ? "off" : "on",
          convGradientError);
    }
  }

  private static Pinned pinned;

  private CpuNumerics() {}

  /** Pins the CPU kernels (once per process; later calls return the first result). */
  public static synchronized Pinned pin() {
    if (pinned != null) return pinned;
    boolean avx2 = CpuFlags.hasAvx2();
    // Both are read when first needed (LibTorch's at its first kernel, oneDNN's at its first
    // primitive), not when the libraries load: set here, they are in time unless a tensor
    // operation already ran in this process.
    if (avx2) torch.set_env("ATEN_CPU_CAPABILITY", ATEN_CAPABILITY.toLowerCase(Locale.ROOT), true);
    torch.set_env("ONEDNN_MAX_CPU_ISA", ONEDNN_MAX_ISA, true);
    String capability = torch.get_cpu_capability().getString();
    boolean inTime = !avx2 || ATEN_CAPABILITY.equals(capability);
    // too late to be sure of oneDNN's kernels: do without it
    if (!inTime) torch.globalContext().setUserEnabledMkldnn(false);
    torch.globalContext().setUserEnabledNNPACK(false);
    String core = System.getenv("OPENBLAS_CORETYPE");
    double error = ConvGradientCheck.verify(ConvGradientCheck.LIBTORCH);
    pinned = new Pinned(capability, inTime, core == null ? "default" : core,
        torch.globalContext().userEnabledMkldnn() ? "at most " + ONEDNN_MAX_ISA : "off",
        !torch.globalContext().userEnabledNNPACK(), error);
    return pinned;
  }
}
