package hspnet.data;

/**
 * Pillow's fixed-point resampling taps along one axis (Resample.c's precompute_coeffs with its
 * 8-bit normalisation): the input span [0, inSize) resized to outSize by the bicubic filter
 * (a = -0.5, stretched by the shrink factor: antialiasing), for the outputs [from, from+count).
 * Output i reads the inputs [first[i], first[i]+count[i]) with the weights
 * weights[i*ksize ...], each a 22-bit fixed-point number.
 *
 * <p>When inSize == outSize Pillow skips the pass; {@link #identity} gives the one-tap filter
 * (weight 1.0) that reproduces that skip exactly, so callers need only one code path.
 */
record PilTaps(int[] first, int[] count, int[] weights, int ksize) {
  static final int PRECISION_BITS = 32 - 8 - 2;
  /** Added before the shift: Pillow rounds half up. */
  static final int HALF = 1 << (PRECISION_BITS - 1);
  private static final double SUPPORT = 2.0;

  /** Pillow's bicubic filter (a = -0.5). */
  static double bicubic(double x) {
    final double a = -0.5;
    if (x < 0) x = -x;
    if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
    if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
    return 0;
  }

  static PilTaps of(int inSize, int outSize, int from, int count) {
    double scale = (double) inSize / outSize;
    double filterScale = Math.max(scale, 1.0);
    double support = SUPPORT * filterScale;
    int ksize = (int) Math.ceil(support) * 2 + 1;
    int[] first = new int[count], n = new int[count], weights = new int[count * ksize];
    double[] k = new double[ksize];
    double ss = 1.0 / filterScale;
    for (int i = 0; i < count; i++) {
      int xx = from + i;
      double center = (xx + 0.5) * scale;
      int xmin = (int) (center - support + 0.5);   // C's (int) truncates toward zero, as Java's cast
      if (xmin < 0) xmin = 0;
      int xmax = (int) (center + support + 0.5);
      if (xmax > inSize) xmax = inSize;
      xmax -= xmin;
      double ww = 0;
      for (int x = 0; x < xmax; x++) {
        double w = bicubic((x + xmin - center + 0.5) * ss);
        k[x] = w;
        ww += w;
      }
      for (int x = 0; x < xmax; x++) {
        double w = ww != 0 ? k[x] / ww : k[x];
        weights[i * ksize + x] = (int) (w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS));
      }
      first[i] = xmin;
      n[i] = xmax;
    }
    return new PilTaps(first, n, weights, ksize);
  }

  /** Output i is input from + i, unchanged: what Pillow does when the size stays. */
  static PilTaps identity(int from, int count) {
    int[] first = new int[count], n = new int[count], weights = new int[count];
    for (int i = 0; i < count; i++) {
      first[i] = from + i;
      n[i] = 1;
      weights[i] = 1 << PRECISION_BITS;
    }
    return new PilTaps(first, n, weights, 1);
  }

  /** First input any output reads. */
  int lowest() {
    return first[0];
  }

  /** One past the last input any output reads (first and first + count never decrease). */
  int highest() {
    int last = first.length - 1;
    return first[last] + count[last];
  }
}
