package hspnet.data;

import java.util.Random;

/**
 * Training-time augmentation, every option off by default because the published recipe uses none.
 * In the order applied: torchvision's {@code RandomResizedCrop} (instead of resize + center crop),
 * {@code RandomHorizontalFlip}, Cutout (as ASL's {@code CutoutPIL}: a square of side
 * {@code cutout × imageSize} at a random center, random colour) and {@link RandAugment}.
 *
 * <p>Every random draw comes from the {@link Random} handed in, which the loader seeds from (run
 * seed, epoch, sample index): the same seed gives the same images whatever the worker count.
 */
public record Augmentation(boolean hflip, boolean randomResizedCrop, double cropMinScale, double cutout,
    int randAugmentOps, int randAugmentMagnitude) {

  public static final Augmentation NONE = new Augmentation(false, false, 0.08, 0, 0, 9);

  /** torchvision's RandomResizedCrop aspect ratio range (3/4, 4/3). */
  static final double MIN_RATIO = 3.0 / 4.0, MAX_RATIO = 4.0 / 3.0;

  public Augmentation {
    if (!(cropMinScale > 0 && cropMinScale <= 1)) throw new IllegalArgumentException("cropMinScale must lie in (0, 1], got " + cropMinScale);
    if (!(cutout >= 0 && cutout <= 1)) throw new IllegalArgumentException("cutout must lie in [0, 1], got " + cutout);
    if (randAugmentOps < 0) throw new IllegalArgumentException("randAugmentOps must be 0 or more, got " + randAugmentOps);
    if (randAugmentMagnitude < 0 || randAugmentMagnitude > RandAugment.MAX_MAGNITUDE)
      throw new IllegalArgumentException("randAugmentMagnitude must lie in 0.." + RandAugment.MAX_MAGNITUDE + ", got " + randAugmentMagnitude);
  }

  public boolean isNone() {
    return !hflip && !randomResizedCrop && cutout == 0 && randAugmentOps == 0;
  }

  /**
   * torchvision {@code RandomResizedCrop.get_params} with scale (cropMinScale, 1) and ratio
   * (3/4, 4/3): ten tries at a random area and log-uniform aspect, then the central crop of the
   * clamped aspect. Returns {x, y, w, h}.
   */
  static int[] randomResizedCropBox(int width, int height, double minScale, Random random) {
    double area = (double) width * height;
    double logMin = Math.log(MIN_RATIO), logMax = Math.log(MAX_RATIO);
    for (int attempt = 0; attempt < 10; attempt++) {
      double target = area * (minScale + (1 - minScale) * random.nextDouble());
      double aspect = Math.exp(logMin + (logMax - logMin) * random.nextDouble());
      int w = (int) Math.rint(Math.sqrt(target * aspect));
      int h = (int) Math.rint(Math.sqrt(target / aspect));
      if (w > 0 && w <= width && h > 0 && h <= height) {
        int y = random.nextInt(height - h + 1), x = random.nextInt(width - w + 1);
        return new int[] {x, y, w, h};
      }
    }
    double inRatio = (double) width / height;
    int w, h;
    if (inRatio < MIN_RATIO) {
      w = width;
      h = (int) Math.rint(w / MIN_RATIO);
    } else if (inRatio > MAX_RATIO) {
      h = height;
      w = (int) Math.rint(h * MAX_RATIO);
    } else {
      w = width;
      h = height;
    }
    return new int[] {(width - w) / 2, (height - h) / 2, w, h};
  }

  /** Flip, Cutout and RandAugment on the size² interleaved RGB bytes, in place. */
  void applyToPixels(byte[] rgb, int size, Random random) {
    if (hflip && random.nextBoolean()) flipHorizontally(rgb, size);
    if (cutout > 0) cutout(rgb, size, cutout, random);
    if (randAugmentOps > 0) RandAugment.apply(rgb, size, randAugmentOps, randAugmentMagnitude, random);
  }

  static void flipHorizontally(byte[] rgb, int size) {
    for (int y = 0; y < size; y++) {
      int row = y * size * 3;
      for (int a = 0, b = size - 1; a < b; a++, b--)
        for (int c = 0; c < 3; c++) {
          byte t = rgb[row + 3 * a + c];
          rgb[row + 3 * a + c] = rgb[row + 3 * b + c];
          rgb[row + 3 * b + c] = t;
        }
    }
  }

  /** ASL's CutoutPIL: a filled square (PIL rectangles include their far edge) clipped to the image. */
  static void cutout(byte[] rgb, int size, double fraction, Random random) {
    int side = (int) (fraction * size + 0.5);
    int yc = random.nextInt(size), xc = random.nextInt(size);
    int y1 = clamp(yc - side / 2, size), y2 = clamp(yc + side / 2, size);
    int x1 = clamp(xc - side / 2, size), x2 = clamp(xc + side / 2, size);
    byte r = (byte) random.nextInt(256), g = (byte) random.nextInt(256), b = (byte) random.nextInt(256);
    for (int y = y1; y <= Math.min(y2, size - 1); y++)
      for (int x = x1; x <= Math.min(x2, size - 1); x++) {
        int p = 3 * (y * size + x);
        rgb[p] = r;
        rgb[p + 1] = g;
        rgb[p + 2] = b;
      }
  }

  private static int clamp(int v, int size) {
    return Math.max(0, Math.min(size, v));
  }
}
