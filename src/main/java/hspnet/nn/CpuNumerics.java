package hspnet.nn;

import java.util.Locale;

import org.bytedeco.pytorch.global.torch;

/**
 * One set of CPU kernels on every x86-64 machine, so that the CPU's instruction set changes
 * neither the correctness nor the numbers of a run. {@link #pin()} runs before a process's first
 * tensor operation (every main calls it first; {@link Layers} calls it before the first
 * convolution is built; the test JVM calls it at start) and
 * <ul>
 * <li>switches oneDNN (MKL-DNN) off for CPU convolutions: its AVX-512 backward-data kernel in
 * LibTorch 2.10 returns wrong or NaN input gradients for channel counts that are not multiples of
 * 16 (see {@link ConvGradientCheck}). Convolutions then run as LibTorch's own im2col + BLAS GEMM;</li>
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
  /** OpenBLAS's kernel set on AVX2 CPUs (the OPENBLAS_CORETYPE the launchers export). */
  public static final String OPENBLAS_CORE = "Haswell";

  /** What the pin achieved in this process. */
  public record Pinned(String atenCapability, boolean atenPinned, String openBlasCore, boolean oneDnnOff, boolean nnpackOff,
      double convGradientError) {
    /** One line for logs and summaries. */
    public String describe() {
      return String.format(Locale.ROOT, "LibTorch %s kernels%s, OpenBLAS %s kernels, oneDNN %s, NNPACK %s, "
              + "conv gradient check %.1e",
          atenCapability, atenPinned ? "" : " (not pinned)", openBlasCore, oneDnnOff ? "off" : "on", nnpackOff ? "off" : "on",
          convGradientError);
    }
  }

  private static Pinned pinned;

  private CpuNumerics() {}

  /** Pins the CPU kernels (once per process; later calls return the first result). */
  public static synchronized Pinned pin() {
    if (pinned != null) return pinned;
    boolean avx2 = CpuFlags.hasAvx2();
    // Read by LibTorch when its first kernel is dispatched, not when the library loads: setting it
    // here is in time unless a tensor operation already ran in this process.
    if (avx2) torch.set_env("ATEN_CPU_CAPABILITY", ATEN_CAPABILITY.toLowerCase(Locale.ROOT), true);
    String capability = torch.get_cpu_capability().getString();
    torch.globalContext().setUserEnabledMkldnn(false);
    torch.globalContext().setUserEnabledNNPACK(false);
    String core = System.getenv("OPENBLAS_CORETYPE");
    double error = ConvGradientCheck.verify(ConvGradientCheck.LIBTORCH);
    pinned = new Pinned(capability, !avx2 || ATEN_CAPABILITY.equals(capability), core == null ? "default" : core,
        !torch.globalContext().userEnabledMkldnn(), !torch.globalContext().userEnabledNNPACK(), error);
    return pinned;
  }
}
