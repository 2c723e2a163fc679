package hspnet.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import hspnet.nn.Tensors;
import hspnet.testutil.PlanarRgb;

/**
 * The GPU decode path's transform (LibTorch ops), run here on the CPU, against the Pillow-exact
 * transform of the same decoded pixels: the same geometry, and values within a few levels of
 * Pillow's where Pillow's two 8-bit roundings and fixed-point weights differ from float.
 */
class DeviceTransformTest {
  /** Normalised units per 8-bit level for the smallest std: 1 / (255 · 0.2613). */
  private static final double LEVEL = 1 / (255 * 0.26130258);

  @ParameterizedTest
  @CsvSource({"640, 480", "480, 640", "300, 227", "1000, 224", "224, 224", "150, 100"})
  void matchesThePillowExactTransformWithinThreeLevels(int width, int height) {
    int size = 224;
    try (PointerScope scope = new PointerScope(); Mat bgr = TestJpegs.picture(width, height, 3, width * 31L + height)) {
      float[] exact = new ClipTransform(size).apply(bgr, ClipTransform.ChannelOrder.BGR);
      Tensor rgb = PlanarRgb.of(bgr);
      Tensor out = new DeviceTransform(size, new Device(DeviceType.CPU)).apply(rgb);
      assertArrayEquals(new long[] {3, size, size}, Tensors.shape(out));
      float[] device = Tensors.toFloats(out.contiguous());
      double worst = 0, sum = 0;
      for (int i = 0; i < exact.length; i++) {
        double d = Math.abs(exact[i] - device[i]);
        worst = Math.max(worst, d);
        sum += d;
      }
      double mean = sum / exact.length;
      System.out.printf("device transform %dx%d vs Pillow-exact: max %.2f levels, mean %.3f levels%n", width, height,
          worst / LEVEL, mean / LEVEL);
      assertTrue(worst <= 3.01 * LEVEL, "max difference " + worst / LEVEL + " levels");
      assertTrue(mean <= 0.5 * LEVEL, "mean difference " + mean / LEVEL + " levels");
    }
  }

  @Test
  void nvJpegIsRefusedOffCudaAndWithoutItsNatives() {
    IllegalArgumentException cpu = assertThrows(IllegalArgumentException.class, () -> NvJpegDecoder.open(new Device(DeviceType.CPU)));
    assertTrue(cpu.getMessage().contains("nvJPEG decodes on a CUDA device"), cpu.getMessage());
    assumeFalse(torch.cuda_is_available(), "a CUDA build has nvJPEG's natives");
    IllegalStateException none = assertThrows(IllegalStateException.class, () -> NvJpegDecoder.open(new Device(DeviceType.CUDA)));
    assertTrue(none.getMessage().startsWith("image_decode gpu needs nvJPEG: the CUDA build (mvn -Pgpu package)"), none.getMessage());
  }
}
