package hspnet.data;

import java.util.Random;
import java.util.Arrays;

/**
 * RandAugment (Cubuk et al. 2020) as torchvision's {@code RandAugment(num_ops, magnitude,
 * num_magnitude_bins=31)}: each of {@code ops} rounds picks one of 14 operations uniformly and
 * applies it at the magnitude's bin, with a random sign for the signed ones. Geometric operations
 * sample the nearest pixel and fill with black, as torchvision's defaults. Works on square
 * interleaved RGB bytes in place.
 */
public final class RandAugment {
  /** Magnitudes are bins 0..30 of torchvision's 31-bin scale. */
  public static final int MAX_MAGNITUDE = 30;

  /** The operations, in torchvision's order (the index the random draw picks). */
  public enum Op {
    IDENTITY, SHEAR_X, SHEAR_Y, TRANSLATE_X, TRANSLATE_Y, ROTATE, BRIGHTNESS, COLOR, CONTRAST, SHARPNESS,
    POSTERIZE, SOLARIZE, AUTO_CONTRAST, EQUALIZE;

    boolean signed() {
      return switch (this) {
        case SHEAR_X, SHEAR_Y, TRANSLATE_X, TRANSLATE_Y, ROTATE, BRIGHTNESS, COLOR, CONTRAST, SHARPNESS -> true;
        default -> false;
      };
    }

    /** The operation's strength at bin {@code m} (torchvision's linspace tables). */
    double magnitude(int m, int size) {
      double t = m / (double) MAX_MAGNITUDE;
      return switch (this) {
        case SHEAR_X, SHEAR_Y -> 0.3 * t;
        case TRANSLATE_X, TRANSLATE_Y -> 150.0 / 331.0 * size * t;
        case ROTATE -> 30.0 * t;
        case BRIGHTNESS, COLOR, CONTRAST, SHARPNESS -> 0.9 * t;
        case POSTERIZE -> 8 - (int) Math.rint(m / (MAX_MAGNITUDE / 4.0));   // bits kept
        case SOLARIZE -> 255.0 * (1 - t);                                   // threshold
        default -> 0;
      };
    }
  }

  private RandAugment() {}

  public static void apply(byte[] rgb, int size, int ops, int magnitude, Random random) {
    Op[] all = Op.values();
    for (int i = 0; i < ops; i++) {
      Op op = all[random.nextInt(all.length)];
      double m = op.magnitude(magnitude, size);
      if (op.signed() && random.nextBoolean()) m = -m;
      apply(op, m, rgb, size);
    }
  }

  /** One operation at strength {@code m} (already signed). */
  public static void apply(Op op, double m, byte[] rgb, int size) {
    switch (op) {
      case IDENTITY -> { }
      // Inverse maps: output pixel (x, y) takes the input pixel at the returned position.
      case SHEAR_X -> warp(rgb, size, (x, y, out) -> { out[0] = x + m * y; out[1] = y; });
      case SHEAR_Y -> warp(rgb, size, (x, y, out) -> { out[0] = x; out[1] = y + m * x; });
      case TRANSLATE_X -> { int t = (int) m; warp(rgb, size, (x, y, out) -> { out[0] = x - t; out[1] = y; }); }
      case TRANSLATE_Y -> { int t = (int) m; warp(rgb, size, (x, y, out) -> { out[0] = x; out[1] = y - t; }); }
      case ROTATE -> {
        double a = Math.toRadians(m), cos = Math.cos(a), sin = Math.sin(a), c = (size - 1) / 2.0;
        warp(rgb, size, (x, y, out) -> {
          double dx = x - c, dy = y - c;
          out[0] = c + cos * dx - sin * dy;
          out[1] = c + sin * dx + cos * dy;
        });
      }
      case BRIGHTNESS -> blendWith(rgb, new byte[rgb.length], 1 + m);
      case COLOR -> blendWith(rgb, grey(rgb), 1 + m);
      case CONTRAST -> {
        byte[] g = grey(rgb);
        double sum = 0;
        for (int p = 0; p < g.length; p += 3) sum += g[p] & 0xff;
        byte mean = (byte) Math.round(sum / (g.length / 3.0));
        byte[] flat = new byte[rgb.length];
        Arrays.fill(flat, mean);
        blendWith(rgb, flat, 1 + m);
      }
      case SHARPNESS -> blendWith(rgb, smoothed(rgb, size), 1 + m);
      case POSTERIZE -> {
        int mask = (0xff << (8 - (int) m)) & 0xff;
        for (int i = 0; i < rgb.length; i++) rgb[i] = (byte) (rgb[i] & mask);
      }
      case SOLARIZE -> {
        for (int i = 0; i < rgb.length; i++) {
          int v = rgb[i] & 0xff;
          if (v >= m) rgb[i] = (byte) (255 - v);
        }
      }
      case AUTO_CONTRAST -> autoContrast(rgb);
      case EQUALIZE -> equalize(rgb);
    }
  }

  private interface InverseMap {
    void source(int x, int y, double[] out);
  }

  /** Nearest-pixel resampling through an inverse map; outside the image is black. */
  private static void warp(byte[] rgb, int size, InverseMap map) {
    byte[] src = rgb.clone();
    double[] at = new double[2];
    for (int y = 0; y < size; y++)
      for (int x = 0; x < size; x++) {
        map.source(x, y, at);
        int sx = (int) Math.floor(at[0] + 0.5), sy = (int) Math.floor(at[1] + 0.5);
        int p = 3 * (y * size + x);
        if (sx >= 0 && sx < size && sy >= 0 && sy < size) {
          int q = 3 * (sy * size + sx);
          rgb[p] = src[q];
          rgb[p + 1] = src[q + 1];
          rgb[p + 2] = src[q + 2];
        } else {
          rgb[p] = rgb[p + 1] = rgb[p + 2] = 0;
        }
      }
  }

  /** PIL's ImageEnhance: degenerate + factor × (image − degenerate), rounded and clipped. */
  private static void blendWith(byte[] rgb, byte[] degenerate, double factor) {
    for (int i = 0; i < rgb.length; i++) {
      double d = degenerate[i] & 0xff;
      long v = Math.round(d + factor * ((rgb[i] & 0xff) - d));
      rgb[i] = (byte) Math.max(0, Math.min(255, v));
    }
  }

  /** ITU-R 601 luma in all three channels, as PIL's convert('L'). */
  private static byte[] grey(byte[] rgb) {
    byte[] g = new byte[rgb.length];
    for (int p = 0; p < rgb.length; p += 3) {
      int l = ((rgb[p] & 0xff) * 19595 + (rgb[p + 1] & 0xff) * 38470 + (rgb[p + 2] & 0xff) * 7471 + 0x8000) >> 16;
      g[p] = g[p + 1] = g[p + 2] = (byte) l;
    }
    return g;
  }

  /** PIL's SMOOTH filter (3×3, centre weight 5, sum 13); the border keeps its pixels. */
  private static byte[] smoothed(byte[] rgb, int size) {
    byte[] out = rgb.clone();
    for (int y = 1; y < size - 1; y++)
      for (int x = 1; x < size - 1; x++)
        for (int c = 0; c < 3; c++) {
          int sum = 0;
          for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++)
              sum += (rgb[3 * ((y + dy) * size + x + dx) + c] & 0xff) * (dx == 0 && dy == 0 ? 5 : 1);
          out[3 * (y * size + x) + c] = (byte) ((sum + 6) / 13);
        }
    return out;
  }

  /** Each channel stretched to the full range [0, 255]. */
  private static void autoContrast(byte[] rgb) {
    for (int c = 0; c < 3; c++) {
      int lo = 255, hi = 0;
      for (int p = c; p < rgb.length; p += 3) {
        int v = rgb[p] & 0xff;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      if (hi <= lo) continue;
      double scale = 255.0 / (hi - lo);
      for (int p = c; p < rgb.length; p += 3) rgb[p] = (byte) Math.min(255, Math.round(((rgb[p] & 0xff) - lo) * scale));
    }
  }

  /** PIL's ImageOps.equalize per channel. */
  private static void equalize(byte[] rgb) {
    for (int c = 0; c < 3; c++) {
      int[] hist = new int[256];
      for (int p = c; p < rgb.length; p += 3) hist[rgb[p] & 0xff]++;
      int last = 255;
      while (last > 0 && hist[last] == 0) last--;
      int total = rgb.length / 3;
      int step = (total - hist[last]) / 255;
      if (step == 0) continue;
      int[] lut = new int[256];
      int n = step / 2;
      for (int v = 0; v < 256; v++) {
        lut[v] = Math.min(255, n / step);
        n += hist[v];
      }
      for (int p = c; p < rgb.length; p += 3) rgb[p] = (byte) lut[rgb[p] & 0xff];
    }
  }
}
