package hspnet.data;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import hspnet.data.ClipTransform.ChannelOrder;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;

class ClipTransformTest {
  @TempDir Path dir;

  /** A BGR image of width × height filled with the colour given as RGB. */
  private static Mat image(int width, int height, int r, int g, int b) {
    return new Mat(height, width, CV_8UC3, new Scalar(b, g, r, 0));
  }

  private static void fill(Mat m, int x, int y, int w, int h, int r, int g, int b) {
    try (Rect rect = new Rect(x, y, w, h); Mat roi = m.apply(rect); Scalar s = new Scalar(b, g, r, 0)) {
      roi.put(s);
    }
  }

  private static double expected(int v, int channel) {
    return (v / 255.0 - ClipTransform.MEAN[channel]) / ClipTransform.STD[channel];
  }

  @Test
  void torchvisionGeometry() {
    assertArrayEquals(new int[] {64, 32}, ClipTransform.resizedSize(100, 50, 32));
    assertArrayEquals(new int[] {32, 64}, ClipTransform.resizedSize(50, 100, 32));
    assertArrayEquals(new int[] {298, 224}, ClipTransform.resizedSize(640, 480, 224), "int(224*640/480) = 298");
    assertArrayEquals(new int[] {224, 336}, ClipTransform.resizedSize(333, 500, 224), "int(336.33) = 336");
    assertArrayEquals(new int[] {224, 224}, ClipTransform.resizedSize(300, 300, 224));
    // Python's round() is half-to-even: round(2.5) = 2, round(1.5) = 2, round(0.5) = 0.
    assertEquals(2, ClipTransform.cropOffset(37, 32));
    assertEquals(2, ClipTransform.cropOffset(35, 32));
    assertEquals(0, ClipTransform.cropOffset(33, 32));
    assertEquals(37, ClipTransform.cropOffset(298, 224));
  }

  @Test
  void flatColourGivesNormalisedValuesInRgbChwOrder() {
    ClipTransform t = new ClipTransform(24);
    float[] out;
    try (Mat m = image(50, 31, 200, 100, 7)) {   // resized (cubic) and cropped
      out = t.apply(m, ChannelOrder.BGR);
    }
    assertEquals(3 * 24 * 24, out.length);
    int[] rgb = {200, 100, 7};
    double maxDiff = 0;
    for (int c = 0; c < 3; c++)
      for (int i = 0; i < 24 * 24; i++) maxDiff = Math.max(maxDiff, Math.abs(out[c * 576 + i] - expected(rgb[c], c)));
    System.out.println("flat colour: max |out - (v/255 - mean)/std| = " + maxDiff);
    assertTrue(maxDiff < 1e-6, "max diff " + maxDiff);
  }

  @Test
  void rgbInputIsTakenAsIs() {
    ClipTransform t = new ClipTransform(8);
    try (Mat m = image(8, 8, 10, 20, 30)) {   // BGR bytes 30, 20, 10
      float[] asBgr = t.apply(m, ChannelOrder.BGR), asRgb = t.apply(m, ChannelOrder.RGB);
      assertEquals(expected(10, 0), asBgr[0], 1e-6);
      assertEquals(expected(30, 0), asRgb[0], 1e-6);
      assertEquals(expected(10, 2), asRgb[2 * 64], 1e-6);
    }
  }

  /** Centroid (x, y) in pixel indices of the crop's pixels whose RGB value is near {@code rgb}. */
  private static double[] find(float[] out, int s, int[] rgb) {
    double sx = 0, sy = 0;
    int n = 0;
    for (int y = 0; y < s; y++)
      for (int x = 0; x < s; x++) {
        boolean match = true;
        for (int c = 0; c < 3; c++) {
          double v = (out[c * s * s + y * s + x] * ClipTransform.STD[c] + ClipTransform.MEAN[c]) * 255;
          match &= Math.abs(v - rgb[c]) < 40;
        }
        if (match) {
          sx += x;
          sy += y;
          n++;
        }
      }
    return n == 0 ? null : new double[] {sx / n, sy / n, n};
  }

  @Test
  void wideImageKeepsAspectAndCropsTheCentre() {
    // 100×50 -> resize 64×32 (scale 0.64) -> crop columns [16, 48).
    ClipTransform t = new ClipTransform(32);
    float[] out;
    try (Mat m = image(100, 50, 128, 128, 128)) {
      fill(m, 0, 0, 15, 50, 255, 0, 0);        // red band on the left: maps to x < 9.6, cropped away
      fill(m, 90, 0, 10, 50, 0, 0, 255);       // blue band on the right: maps to x > 57.6, cropped away
      fill(m, 60, 10, 10, 10, 0, 255, 0);      // green marker centred at (65, 15)
      out = t.apply(m, ChannelOrder.BGR);
    }
    assertEquals(null, find(out, 32, new int[] {255, 0, 0}), "left band is outside the crop");
    assertEquals(null, find(out, 32, new int[] {0, 0, 255}), "right band is outside the crop");
    double[] g = find(out, 32, new int[] {0, 255, 0});
    // Centre 65 * 0.64 - 16 = 25.6 (continuous) = index 25.1; 15 * 0.64 = 9.6 = index 9.1.
    System.out.printf("wide: marker centroid (%.2f, %.2f), expected (25.10, 9.10)%n", g[0], g[1]);
    assertEquals(25.1, g[0], 0.5);
    assertEquals(9.1, g[1], 0.5);
    assertEquals(6.4 * 6.4, g[2], 20, "marker area scales by 0.64²");
  }

  @Test
  void tallImageKeepsAspectAndCropsTheCentre() {
    ClipTransform t = new ClipTransform(32);
    float[] out;
    try (Mat m = image(50, 100, 128, 128, 128)) {
      fill(m, 0, 0, 50, 15, 255, 0, 0);
      fill(m, 10, 60, 10, 10, 0, 255, 0);
      out = t.apply(m, ChannelOrder.BGR);
    }
    assertEquals(null, find(out, 32, new int[] {255, 0, 0}), "top band is outside the crop");
    double[] g = find(out, 32, new int[] {0, 255, 0});
    assertEquals(9.1, g[0], 0.5);
    assertEquals(25.1, g[1], 0.5);
  }

  @Test
  void fileAndInMemoryImageAgreeAndWriteAtTheOffset() {
    ClipTransform t = new ClipTransform(16);
    Path f = dir.resolve("img.png");
    float[] fromMat;
    try (Mat m = image(40, 24, 30, 60, 90)) {
      fill(m, 5, 5, 10, 8, 250, 240, 10);
      assertTrue(imwrite(f.toString(), m));
      fromMat = t.apply(m, ChannelOrder.BGR);
    }
    float[] batch = new float[2 * t.floatsPerImage() + 3];
    Arrays.fill(batch, -99f);
    t.apply(f, batch, t.floatsPerImage() + 1);
    assertEquals(-99f, batch[t.floatsPerImage()], "before the offset untouched");
    assertEquals(-99f, batch[2 * t.floatsPerImage() + 1], "after the image untouched");
    assertArrayEquals(fromMat, Arrays.copyOfRange(batch, t.floatsPerImage() + 1, 2 * t.floatsPerImage() + 1));
    assertArrayEquals(t.apply(f), t.apply(f), "deterministic");
    assertThrows(IllegalArgumentException.class, () -> t.apply(f, new float[t.floatsPerImage()], 1));
  }

  @Test
  void missingFileIsNamed() {
    Path f = dir.resolve("missing.jpg");
    String msg = assertThrows(IllegalArgumentException.class, () -> new ClipTransform(8).apply(f)).getMessage();
    assertTrue(msg.contains(f.toString()), msg);
  }

  @Test
  void corruptFileIsNamed() throws IOException {
    Path f = dir.resolve("corrupt.jpg");
    Files.write(f, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, 2, 3, 4, 5, 6, 7});
    String msg = assertThrows(IllegalArgumentException.class, () -> new ClipTransform(8).apply(f)).getMessage();
    assertTrue(msg.contains(f.toString()) && msg.contains("cannot decode"), msg);
  }

  @Test
  void refusesOtherMatTypes() {
    try (Mat grey = new Mat(8, 8, CV_8UC1)) {
      assertThrows(IllegalArgumentException.class, () -> new ClipTransform(8).apply(grey, ChannelOrder.BGR));
    }
  }
}
