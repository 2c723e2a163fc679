package hspnet.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

/**
 * Pillow's bicubic resize, byte for byte. The golden bytes below were made with Pillow 9.4
 * ({@code Image.fromarray(a).resize((w, h), Image.BICUBIC)}, and {@code crop(box).resize} for the
 * view case) from the 13×9 pattern of {@link #pattern()}.
 */
class PilResizeTest {
  static final int W = 13, H = 9;

  /** Interleaved RGB: ((37x + 11y) % 256, (5x² + 23y) % 256, (29 (x xor y)) % 256). */
  static byte[] pattern() {
    byte[] a = new byte[W * H * 3];
    for (int y = 0; y < H; y++)
      for (int x = 0; x < W; x++) {
        int p = 3 * (y * W + x);
        a[p] = (byte) ((x * 37 + y * 11) % 256);
        a[p + 1] = (byte) ((x * x * 5 + y * 23) % 256);
        a[p + 2] = (byte) (((x ^ y) * 29) % 256);
      }
    return a;
  }

  static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
    return b;
  }

  static final byte[] PIL_5x4 = bytes(39, 21, 27, 140, 79, 97, 153, 152, 171, 62, 114, 110, 163, 154, 71, 63, 70, 71, 164,
      133, 99, 152, 150, 128, 86, 132, 76, 188, 117, 150, 89, 125, 167, 189, 174, 108, 98, 107, 38, 112, 120, 127, 211, 134,
      123, 117, 181, 142, 180, 159, 89, 66, 102, 78, 147, 150, 100, 165, 138, 86);

  /** The first two rows of the 20×7 result (upscaled across, shrunk down). */
  static final byte[] PIL_20x7_ROWS_0_1 = bytes(1, 4, 5, 16, 5, 7, 44, 10, 23, 68, 20, 59, 92, 33, 76, 116, 51, 84, 140, 73,
      111, 164, 100, 126, 188, 130, 135, 231, 169, 170, 163, 195, 193, 8, 195, 198, 17, 105, 197, 52, 77, 154, 76, 147, 69,
      100, 187, 36, 124, 176, 33, 148, 100, 54, 176, 156, 81, 193, 220, 99, 13, 33, 41, 30, 34, 39, 58, 39, 39, 82, 49, 47,
      106, 62, 43, 130, 80, 51, 154, 102, 131, 178, 129, 164, 202, 159, 155, 245, 213, 162, 177, 157, 170, 22, 15, 163, 31,
      52, 50, 66, 126, 35, 90, 183, 160, 114, 78, 175, 138, 18, 121, 162, 109, 14, 190, 203, 71, 207, 255, 142);

  /** crop((2, 1, 10, 8)) then resize((6, 6)): the first three rows. */
  static final byte[] PIL_VIEW_6x6_ROWS_0_2 = bytes(93, 49, 65, 141, 86, 101, 199, 149, 141, 180, 155, 192, 24, 41, 81, 82,
      157, 152, 106, 75, 0, 153, 112, 101, 213, 176, 209, 202, 191, 137, 36, 67, 89, 95, 183, 39, 119, 102, 86, 167, 140,
      101, 217, 195, 117, 128, 131, 109, 53, 98, 89, 108, 223, 70);

  @Test
  void matchesPillowByteForByte() {
    byte[] src = pattern();
    assertArrayEquals(PIL_5x4, PilResize.resize(src, W, 0, 0, W, H, 5, 4, 0, 0, 5, 4), "13x9 -> 5x4");
    byte[] wide = PilResize.resize(src, W, 0, 0, W, H, 20, 7, 0, 0, 20, 7);
    assertArrayEquals(PIL_20x7_ROWS_0_1, Arrays.copyOf(wide, 2 * 20 * 3), "13x9 -> 20x7");
    byte[] view = PilResize.resize(src, W, 2, 1, 8, 7, 6, 6, 0, 0, 6, 6);
    assertArrayEquals(PIL_VIEW_6x6_ROWS_0_2, Arrays.copyOf(view, 3 * 6 * 3), "crop then resize");
  }

  @Test
  void handComputedAntialiasedTaps() {
    // Row 0 0 255 255 halved: the kernel is stretched 2x, so output 0 (centre 1.0) weighs all four
    // inputs with bicubic(-0.25), bicubic(0.25), bicubic(0.75), bicubic(1.25) =
    // 0.8671875, 0.8671875, 0.2265625, -0.0703125 (sum 1.890625): 255 * 0.15625 / 1.890625 = 21.07.
    assertEquals(0.8671875, PilResize.bicubic(0.25), 1e-15);
    assertEquals(0.2265625, PilResize.bicubic(0.75), 1e-15);
    assertEquals(-0.0703125, PilResize.bicubic(1.25), 1e-15);
    byte[] row = bytes(0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255);
    byte[] out = PilResize.resize(row, 4, 0, 0, 4, 1, 2, 1, 0, 0, 2, 1);
    assertEquals(21, out[0] & 0xff);
    assertEquals(255 - 21, out[3] & 0xff, "mirror image of the first output");
  }

  @Test
  void windowIsTheCropOfTheWholeResult() {
    byte[] src = pattern();
    byte[] whole = PilResize.resize(src, W, 0, 0, W, H, 17, 11, 0, 0, 17, 11);
    byte[] window = PilResize.resize(src, W, 0, 0, W, H, 17, 11, 3, 2, 9, 6);
    for (int y = 0; y < 6; y++)
      assertArrayEquals(Arrays.copyOfRange(whole, 3 * ((y + 2) * 17 + 3), 3 * ((y + 2) * 17 + 12)),
          Arrays.copyOfRange(window, 3 * 9 * y, 3 * 9 * (y + 1)), "row " + y);
  }

  @Test
  void flatColourStaysExactAndSameSizeIsACopy() {
    byte[] flat = new byte[40 * 30 * 3];
    for (int p = 0; p < flat.length; p += 3) {
      flat[p] = (byte) 200;
      flat[p + 1] = 17;
      flat[p + 2] = (byte) 255;
    }
    byte[] out = PilResize.resize(flat, 40, 0, 0, 40, 30, 7, 5, 0, 0, 7, 5);
    for (int p = 0; p < out.length; p += 3) assertArrayEquals(bytes(200, 17, 255), Arrays.copyOfRange(out, p, p + 3));
    byte[] src = pattern();
    assertArrayEquals(src, PilResize.resize(src, W, 0, 0, W, H, W, H, 0, 0, W, H));
  }

  @Test
  void rejectsViewsAndWindowsOutside() {
    byte[] src = pattern();
    assertThrows(IllegalArgumentException.class, () -> PilResize.resize(src, W, 10, 0, 5, H, 4, 4, 0, 0, 4, 4));
    assertThrows(IllegalArgumentException.class, () -> PilResize.resize(src, W, 0, 0, W, H, 4, 4, 1, 0, 4, 4));
  }
}
