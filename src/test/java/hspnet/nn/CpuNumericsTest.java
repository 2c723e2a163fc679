package hspnet.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import java.util.Locale;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The CPU kernels are pinned in every process that computes: oneDNN and NNPACK off, LibTorch's AVX2
 * kernels and OpenBLAS's Haswell kernels on AVX2 CPUs, convolution gradients checked. This machine
 * may lack AVX-512 (where oneDNN's defect shows), so the tests check that the switch is in effect
 * on the code path the models take, not that the defect is gone.
 */
class CpuNumericsTest {
  @Test
  void thePinIsInEffectInTheTestJvm() {
    CpuNumerics.Pinned p = CpuNumerics.pin();
    System.out.println("CPU kernels: " + p.describe());
    assertEquals(CpuNumerics.ONEDNN_MAX_ISA, torch.get_env("ONEDNN_MAX_CPU_ISA").get().getString());
    assertFalse(torch.globalContext().userEnabledNNPACK(), "NNPACK must be off");
    assertTrue(p.nnpackOff());
    if (CpuFlags.hasAvx2()) {
      assertEquals(CpuNumerics.ATEN_CAPABILITY, torch.get_cpu_capability().getString());
      assertTrue(p.atenPinned());
      // pinned in time: oneDNN stays, capped at AVX2
      assertTrue(torch.globalContext().userEnabledMkldnn());
      assertEquals("at most " + CpuNumerics.ONEDNN_MAX_ISA, p.oneDnn());
      // set by the pom for the test JVM, as bin/cpu-env.sh sets it for the launchers
      assertEquals(CpuNumerics.OPENBLAS_CORE, System.getenv("OPENBLAS_CORETYPE"));
      assertEquals(CpuNumerics.OPENBLAS_CORE, p.openBlasCore());
    }
  }

  @Test
  void convolutionGradientsMatchFloat64OnTheShapesTheDefectHits() {
    double worst = ConvGradientCheck.worstError(ConvGradientCheck.LIBTORCH);
    System.out.printf("conv gradients vs float64: worst relative error %.2e (bound %.0e)%n", worst, ConvGradientCheck.BOUND);
    assertTrue(worst <= ConvGradientCheck.BOUND, "relative error " + worst);
    assertTrue(worst > 0, "float32 against float64 must show some rounding: the comparison ran");
  }

  @Test
  void theCheckStopsOnWrongOrNonFiniteGradients() {
    // a backend that leaks NaN into one input gradient, as the AVX-512 kernel does with ±inf leftovers
    ConvGradientCheck.Backend nan = (x, w, g) -> {
      Tensor[] r = ConvGradientCheck.LIBTORCH.gradients(x, w, g);
      if (x.scalar_type().intern() == ScalarType.Float)
        r[0].view(-1).narrow(0, 7, 1).fill_(new Scalar(Double.NaN));
      return r;
    };
    NumericalFault e = assertThrows(NumericalFault.class, () -> ConvGradientCheck.verify(nan));
    assertTrue(e.getMessage().contains("convolution gradients are wrong"), e.getMessage());
    // finite but wrong (heap leftovers that were ordinary numbers)
    ConvGradientCheck.Backend off = (x, w, g) -> {
      Tensor[] r = ConvGradientCheck.LIBTORCH.gradients(x, w, g);
      // only the float32 result is wrong, as with the defect (float64 takes another kernel)
      if (x.scalar_type().intern() == ScalarType.Float)
        r[0].view(-1).narrow(0, 3, 1).add_(new Scalar(0.5));
      return r;
    };
    assertThrows(NumericalFault.class, () -> ConvGradientCheck.verify(off));
  }

  @Test
  void onTheModelsPathOneDnnRunsItsAvx2KernelsOnly() throws Exception {
    // the environment asks for other kernels: the pin, run before the first tensor, wins
    String out = probe("model", Map.of("ATEN_CPU_CAPABILITY", "default", "ONEDNN_MAX_CPU_ISA", "SSE41"));
    assertTrue(out.contains("onednn_verbose,v1,info,cpu,isa:Intel AVX2"), "oneDNN's instruction set:\n" + out);
    assertTrue(out.contains("primitive,exec,cpu,convolution") && out.contains("backward_data"),
        "oneDNN ran the convolution (the verbose log is read):\n" + out);
    assertFalse(out.toLowerCase(Locale.ROOT).contains("avx512"), "an AVX-512 kernel ran:\n" + out);
    assertTrue(out.contains("grad_input finite: true"), out);
    assertTrue(out.contains("mkldnn: true"), out);
    if (CpuFlags.hasAvx2()) {
      assertTrue(out.contains("capability: " + CpuNumerics.ATEN_CAPABILITY), out);
      assertTrue(out.contains("Core: " + CpuNumerics.OPENBLAS_CORE), "OpenBLAS kernels:\n" + out);
    }
  }

  @Test
  void aPinAfterTheFirstTensorSwitchesOneDnnOff() throws Exception {
    // oneDNN may have read its settings already: no convolution may go through it then
    String out = probe("late", Map.of("ATEN_CPU_CAPABILITY", "default"));
    assertFalse(out.contains("primitive,exec,cpu,convolution"), "oneDNN ran a convolution:\n" + out);
    assertTrue(out.contains("mkldnn: false"), out);
    assertTrue(out.contains("oneDNN off"), out);
    assertTrue(out.contains("(not pinned)") || !CpuFlags.hasAvx2(), out);
    assertTrue(out.contains("grad_input finite: true"), out);
  }

  @Test
  void theLaunchersExportOpenBlasKernelsOnAvx2Cpus() throws Exception {
    Path script = Path.of("bin", "cpu-env.sh").toAbsolutePath();
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", "source \"$0\"; echo \"coretype=${OPENBLAS_CORETYPE:-}\"", script.toString());
    pb.environment().remove("OPENBLAS_CORETYPE");
    String out = run(pb);
    assertEquals("coretype=" + (CpuFlags.hasAvx2() ? CpuNumerics.OPENBLAS_CORE : ""), out.strip());
    // a value the user chose is kept
    pb.environment().put("OPENBLAS_CORETYPE", "Sandybridge");
    assertEquals("coretype=Sandybridge", run(pb).strip());
  }

  private static String probe(String mode, Map<String, String> env) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> cmd = new ArrayList<>(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
        ConvProbe.class.getName(), mode));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("ONEDNN_VERBOSE", "1");
    pb.environment().put("OPENBLAS_VERBOSE", "2");
    pb.environment().putAll(env);
    return run(pb);
  }

  private static String run(ProcessBuilder pb) throws IOException, InterruptedException {
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    return out;
  }
}
