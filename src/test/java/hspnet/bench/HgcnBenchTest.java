package hspnet.bench;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import hspnet.kernel.HgcnGrads;
import hspnet.kernel.HgcnKernel;
import hspnet.kernel.HgcnKernels;
import hspnet.kernel.HgcnVariant;
import hspnet.kernel.HgcnWeights;
import hspnet.testutil.NativeScope;

/**
 * The device check program: its quick run (on the CPU here, the CPU reference standing in for the
 * fused kernel) passes its parity checks and writes benchmark rows of the table's eight columns;
 * and, tagged gpu and skipped without CUDA, every CUDA variant matches the composition at the
 * datasets' sizes.
 */
@ExtendWith(NativeScope.class)
class HgcnBenchTest {
  @TempDir Path dir;

  @Test
  void quickRunPassesAndWritesRows() throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    int rc = HgcnBench.run(dir, "abc1234", true, new PrintStream(log, true, StandardCharsets.UTF_8));
    String text = log.toString(StandardCharsets.UTF_8);
    System.out.print(text);
    assertEquals(0, rc, "parity failed:\n" + text);
    assertTrue(text.contains("HGCN CHECK PASSED"));
    List<String> rows = Files.readAllLines(dir.resolve("hgcn-rows.md"));
    assertEquals(2 * HgcnBench.QUICK_SHAPES.length, rows.size());
    for (String row : rows) {
      String[] cells = row.split("\\|", -1);
      assertEquals(10, cells.length, "eight columns: " + row);
      assertEquals("abc1234", cells[2].trim());
      assertTrue(cells[4].trim().matches("hgcn-(fused|libtorch)"), row);
      assertTrue(cells[5].trim().matches("\\d+×\\d+"), row);
      assertTrue(Double.parseDouble(cells[6].trim()) > 0, row);
    }
    String details = Files.readString(dir.resolve("hgcn-details.txt"));
    assertTrue(details.contains("speed-up"));
    assertTrue(details.matches("(?s).*host overhead, 4×8 Float, µs per forward\\+backward: hgcn-cpu [0-9.]+, fused level [0-9.]+, "
        + "LibTorch composition [0-9.]+ \\(JavaCPP resident-size check off\\).*"), details);
  }

  /**
   * The tensor cores' check against the CPU reference of their arithmetic, run here with CPU
   * kernels in both roles: the reference against itself with its float32 weights moved by about an
   * ulp (what another summation order does to intermediates) passes; the same kernel reading W2
   * transposed (an indexing fault) fails, in the forward and in the backward.
   */
  @Test
  void sameArithmeticToleratesSummationOrderAndCatchesAnIndexingFault() {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    HgcnParity parity = new HgcnParity(new PrintStream(log, true, StandardCharsets.UTF_8));
    HgcnKernel emulated = HgcnKernels.cpuHalfOperands().orElseThrow();
    for (ScalarType t : new ScalarType[] {ScalarType.Half, ScalarType.BFloat16}) {
      HgcnCase c = new HgcnCase(16, 64, t, new Device(DeviceType.CPU), 7);
      parity.sameArithmetic(new Altered(emulated, false), emulated, c);
    }
    assertEquals(4, parity.checks, log.toString(StandardCharsets.UTF_8));
    assertEquals(0, parity.failures, log.toString(StandardCharsets.UTF_8));
    for (ScalarType t : new ScalarType[] {ScalarType.Half, ScalarType.BFloat16}) {
      HgcnCase c = new HgcnCase(16, 64, t, new Device(DeviceType.CPU), 7);
      parity.sameArithmetic(new Altered(emulated, true), emulated, c);
    }
    String text = log.toString(StandardCharsets.UTF_8);
    System.out.print(text);
    assertEquals(4, parity.failures, "a transposed W2 passed:\n" + text);
  }

  /**
   * A kernel run with every weight scaled by 1 + 2⁻²² (the values its sums see move by about an
   * ulp), and with W2 read transposed when {@code faulty}.
   */
  private record Altered(HgcnKernel inner, boolean faulty) implements HgcnKernel {
    @Override
    public String describe() {
      return inner.describe() + (faulty ? "-w2-transposed" : "-nudged");
    }

    @Override
    public boolean halfOperands() {
      return inner.halfOperands();
    }

    private HgcnWeights alter(HgcnWeights w) {
      Scalar f = new Scalar(1 + 0x1p-22);
      Tensor w2 = faulty ? w.w2().t().contiguous() : w.w2();
      return new HgcnWeights(w.w1().mul(f), w2.mul(f), w.w3().mul(f), w.gamma());
    }

    @Override
    public void forward(Tensor x, Tensor adj, HgcnWeights w, Tensor out, Tensor saved, Tensor workspace) {
      inner.forward(x, adj, alter(w), out, saved, workspace);
    }

    @Override
    public void backward(Tensor x, Tensor adj, HgcnWeights w, Tensor saved, Tensor dout, HgcnGrads g, boolean accumulate,
        Tensor workspace) {
      inner.backward(x, adj, alter(w), saved, dout, g, accumulate, workspace);
    }
  }

  @Test
  @Tag("gpu")
  void everyCudaVariantMatchesTheComposition() {
    assumeTrue(torch.cuda_is_available(), "no CUDA device: the GPU check runs on the device (bench/device-hgcn.sh)");
    HgcnParity parity = new HgcnParity(System.out);
    Device cuda = new Device(DeviceType.CUDA);
    for (long[] s : HgcnBench.SHAPES)
      for (ScalarType t : new ScalarType[] {ScalarType.Float, ScalarType.Half, ScalarType.BFloat16}) {
        HgcnCase c = new HgcnCase(s[0], s[1], t, cuda, 99);
        Tensor[] want = c.reference();
        for (HgcnVariant v : HgcnVariant.values()) {
          HgcnKernel k = HgcnKernels.cuda(v).orElseThrow(() -> new AssertionError(HgcnKernels.cudaProblem()));
          parity.direct(k, c, want);
        }
        parity.autograd(HgcnKernels.cuda().orElseThrow(), c, want);
      }
    assertEquals(0, parity.failures, parity.failures + " of " + parity.checks + " CUDA parity checks failed");
  }
}
