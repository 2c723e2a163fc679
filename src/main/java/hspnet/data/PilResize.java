package hspnet.data;

import java.util.Arrays;

/**
 * Pillow's bicubic resize ({@code Image.resize(size, BICUBIC)}, Pillow's Resample.c) on 8-bit
 * 3-channel pixels, written out in Java so that images are shrunk exactly as CLIP's preprocessing
 * and the original implementation shrink them.
 *
 * <p>What makes it differ from OpenCV's {@code INTER_CUBIC}: the cubic kernel has a = -0.5 (OpenCV:
 * -0.75), and when shrinking by a factor f > 1 the kernel is stretched by f (support 2f source
 * pixels instead of 2), so every source pixel contributes: an antialiasing filter. OpenCV samples
 * only 4 source pixels per output pixel whatever the factor, which aliases fine texture when a
 * 640×480 photo becomes 224 pixels high.
 *
 * <p>Arithmetic as Pillow's 8-bit path: coefficients normalised to sum 1 in double, then converted
 * to 22-bit fixed point (rounded away from zero); a horizontal pass into an 8-bit intermediate
 * (rounded and clipped), then a vertical pass. Only the output window that is asked for is
 * computed (the center crop), which gives the same pixels as resizing everything and cropping.
 *
 * <p>Kept simple on purpose: it is the reference that {@link FusedPilResize} (the fast path) is
 * tested against, and the path of augmented images, which need the 8-bit pixels.
 */
public final class PilResize {
  private static final int PRECISION_BITS = PilTaps.PRECISION_BITS;

  private PilResize() {}

  /** Pillow's bicubic filter (a = -0.5). */
  static double bicubic(double x) {
    return PilTaps.bicubic(x);
  }

  private static PilTaps taps(int inSize, int outSize, int from, int count) {
    return PilTaps.of(inSize, outSize, from, count);
  }

  private static int clip8(int v) {
    v >>= PRECISION_BITS;
    return v < 0 ? 0 : Math.min(v, 255);
  }

  /**
   * Resizes the view (x0, y0, w, h) of {@code src} (interleaved 3-channel bytes, {@code srcWidth}
   * pixels a row) to outW × outH and returns the window (cropX, cropY, cropW, cropH) of the result
   * as interleaved bytes, channel order unchanged. The view is what Pillow's {@code crop} would
   * give before {@code resize}.
   */
  public static byte[] resize(byte[] src, int srcWidth, int x0, int y0, int w, int h,
      int outW, int outH, int cropX, int cropY, int cropW, int cropH) {
    if (x0 < 0 || y0 < 0 || w < 1 || h < 1 || (long) (y0 + h) * srcWidth * 3 > src.length || x0 + w > srcWidth)
      throw new IllegalArgumentException("view " + w + "x" + h + "+" + x0 + "+" + y0 + " outside the " + srcWidth + "-pixel-wide source");
    if (cropX < 0 || cropY < 0 || cropW < 1 || cropH < 1 || cropX + cropW > outW || cropY + cropH > outH)
      throw new IllegalArgumentException("window " + cropW + "x" + cropH + "+" + cropX + "+" + cropY + " outside " + outW + "x" + outH);
    boolean horizontal = outW != w, vertical = outH != h;
    PilTaps tx = horizontal ? taps(w, outW, cropX, cropW) : null;
    PilTaps ty = vertical ? taps(h, outH, cropY, cropH) : null;

    // Rows of the view the vertical pass reads (all window rows when there is no vertical pass).
    int rowFirst = vertical ? ty.first()[0] : cropY;
    int rowEnd = vertical ? ty.first()[cropH - 1] + ty.count()[cropH - 1] : cropY + cropH;
    int rows = rowEnd - rowFirst;

    // Horizontal pass: rows [rowFirst, rowEnd) of the view, window columns only.
    byte[] mid = new byte[rows * cropW * 3];
    int[] first = horizontal ? tx.first() : null, count = horizontal ? tx.count() : null, weights = horizontal ? tx.weights() : null;
    int ksize = horizontal ? tx.ksize() : 0;
    final int half = 1 << (PRECISION_BITS - 1);
    for (int r = 0; r < rows; r++) {
      int srcRow = ((y0 + rowFirst + r) * srcWidth + x0) * 3;
      int o = r * cropW * 3;
      if (!horizontal) {
        System.arraycopy(src, srcRow + cropX * 3, mid, o, cropW * 3);
        continue;
      }
      for (int i = 0; i < cropW; i++) {
        int base = i * ksize, p = srcRow + first[i] * 3, end = base + count[i];
        int s0 = half, s1 = half, s2 = half;
        for (int t = base; t < end; t++, p += 3) {
          int k = weights[t];
          s0 += (src[p] & 0xff) * k;
          s1 += (src[p + 1] & 0xff) * k;
          s2 += (src[p + 2] & 0xff) * k;
        }
        mid[o++] = (byte) clip8(s0);
        mid[o++] = (byte) clip8(s1);
        mid[o++] = (byte) clip8(s2);
      }
    }
    if (!vertical) {
      if (rows == cropH) return mid;
      byte[] out = new byte[cropH * cropW * 3];
      System.arraycopy(mid, (cropY - rowFirst) * cropW * 3, out, 0, out.length);
      return out;
    }

    // Vertical pass over the intermediate rows, a whole row at a time (sequential reads).
    int stride = cropW * 3;
    byte[] out = new byte[cropH * stride];
    int[] acc = new int[stride];
    for (int j = 0; j < cropH; j++) {
      Arrays.fill(acc, 1 << (PRECISION_BITS - 1));
      int base = j * ty.ksize(), start = (ty.first()[j] - rowFirst) * stride, n = ty.count()[j];
      for (int y = 0; y < n; y++) {
        int k = ty.weights()[base + y], row = start + y * stride;
        for (int c = 0; c < stride; c++) acc[c] += (mid[row + c] & 0xff) * k;
      }
      int o = j * stride;
      for (int c = 0; c < stride; c++) out[o + c] = (byte) clip8(acc[c]);
    }
    return out;
  }
}
