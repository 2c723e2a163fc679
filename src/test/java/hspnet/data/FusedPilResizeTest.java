package hspnet.data;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Random;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.junit.jupiter.api.Test;

/**
 * The fused resize + crop + normalisation gives, bit for bit, what the reference path gives:
 * {@link PilResize} (checked against Pillow's own bytes in PilResizeTest), then the channel order,
 * then torchvision's (v / 255 - mean) / std in float32.
 */
class FusedPilResizeTest {
  private static float expected(int v, int c) {
    return ((float) v / 255f - ClipTransform.MEAN[c]) / ClipTransform.STD[c];
  }

  /** The reference: PilResize's bytes, normalised, planar RGB. */
  private static float[] reference(byte[] px, int width, boolean bgr, int[] v, int outW, int outH, int[] win) {
    byte[] r = PilResize.resize(px, width, v[0], v[1], v[2], v[3], outW, outH, win[0], win[1], win[2], win[3]);
    int plane = win[2] * win[3];
    float[] out = new float[3 * plane];
    for (int i = 0; i < plane; i++)
      for (int c = 0; c < 3; c++) out[c * plane + i] = expected(r[3 * i + (bgr ? 2 - c : c)] & 0xff, c);
    return out;
  }

  private static Mat mat(byte[] px, int width, int height) {
    Mat m = new Mat(height, width, CV_8UC3);
    m.data().put(px);
    return m;
  }

  private static void assertBitwiseEqual(float[] want, FloatBuffer got, int offset, String what) {
    for (int i = 0; i < want.length; i++)
      if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got.get(offset + i)))
        assertEquals(want[i], got.get(offset + i), what + ": element " + i + " of " + want.length);
  }

  @Test
  void equalsTheReferenceOnRandomSizesViewsAndWindows() {
    Random random = new Random(20240611);
    FusedPilResize fused = new FusedPilResize(ClipTransform.MEAN, ClipTransform.STD);   // reused: stale buffers must not matter
    for (int round = 0; round < 400; round++) {
      int width = 1 + random.nextInt(round < 300 ? 40 : 300), height = 1 + random.nextInt(round < 300 ? 40 : 300);
      byte[] px = new byte[3 * width * height];
      random.nextBytes(px);
      if (round % 5 == 0) for (int i = 0; i < px.length; i++) px[i] = (byte) (random.nextBoolean() ? 0 : 255);   // hard edges overshoot: clipping
      int w = 1 + random.nextInt(width), h = 1 + random.nextInt(height);
      int[] view = {random.nextInt(width - w + 1), random.nextInt(height - h + 1), w, h};
      int outW = random.nextInt(4) == 0 ? w : 1 + random.nextInt(3 * w + 8), outH = random.nextInt(4) == 0 ? h : 1 + random.nextInt(3 * h + 8);
      int cw = 1 + random.nextInt(outW), ch = 1 + random.nextInt(outH);
      int[] win = {random.nextInt(outW - cw + 1), random.nextInt(outH - ch + 1), cw, ch};
      boolean bgr = random.nextBoolean();
      String what = "round " + round + ": " + width + "x" + height + " view " + Arrays.toString(view) + " -> " + outW + "x" + outH
          + " window " + Arrays.toString(win);
      float[] want = reference(px, width, bgr, view, outW, outH, win);
      FloatBuffer got = FloatBuffer.allocate(want.length + 7);
      try (Mat m = mat(px, width, height)) {
        fused.resize(m, bgr, view[0], view[1], view[2], view[3], outW, outH, win[0], win[1], win[2], win[3], got, 7);
      }
      assertBitwiseEqual(want, got, 7, what);
    }
  }

  @Test
  void photoSizedCenterCropIntoADirectBufferAndFromARegionOfInterest() {
    Random random = new Random(7);
    int width = 640, height = 480;
    byte[] px = new byte[3 * width * height];
    // smooth gradients plus noise, like a photo, rather than pure noise
    for (int y = 0; y < height; y++)
      for (int x = 0; x < width; x++)
        for (int c = 0; c < 3; c++) px[3 * (y * width + x) + c] = (byte) ((x * (c + 1) + y * (3 - c)) / 4 + random.nextInt(24));
    FusedPilResize fused = new FusedPilResize(ClipTransform.MEAN, ClipTransform.STD);
    float[] want = reference(px, width, true, new int[] {0, 0, width, height}, 298, 224, new int[] {37, 0, 224, 224});
    try (Mat m = mat(px, width, height); BytePointer native_ = new BytePointer(4L * want.length)) {
      FloatBuffer direct = native_.asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
      fused.resize(m, true, 0, 0, width, height, 298, 224, 37, 0, 224, 224, direct, 0);
      assertBitwiseEqual(want, direct, 0, "640x480 -> 298x224, crop 224");
      // a view that is a region of interest of a bigger image (rows not contiguous)
      try (Rect r = new Rect(100, 50, 300, 200); Mat roi = m.apply(r)) {
        float[] wantRoi = reference(px, width, false, new int[] {100, 50, 300, 200}, 64, 48, new int[] {5, 3, 50, 40});
        FloatBuffer got = FloatBuffer.allocate(wantRoi.length);
        fused.resize(roi, false, 0, 0, 300, 200, 64, 48, 5, 3, 50, 40, got, 0);
        assertBitwiseEqual(wantRoi, got, 0, "region of interest");
      }
    }
  }

  @Test
  void rejectsViewsAndWindowsOutside() {
    FusedPilResize fused = new FusedPilResize(ClipTransform.MEAN, ClipTransform.STD);
    FloatBuffer out = FloatBuffer.allocate(3 * 16);
    try (Mat m = new Mat(9, 13, CV_8UC3)) {
      assertThrows(IllegalArgumentException.class, () -> fused.resize(m, true, 10, 0, 5, 9, 4, 4, 0, 0, 4, 4, out, 0));
      assertThrows(IllegalArgumentException.class, () -> fused.resize(m, true, 0, 0, 13, 9, 4, 4, 1, 0, 4, 4, out, 0));
    }
  }
}
