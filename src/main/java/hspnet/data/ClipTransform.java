package hspnet.data;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_CUBIC;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;

import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;
import java.io.IOException;
import java.io.InputStream;

/**
 * CLIP's image preprocessing, the same for training and evaluation (SPEC §5): resize the shorter
 * side to {@code imageSize} (bicubic), center crop {@code imageSize²}, scale to [0,1], normalise
 * with CLIP's mean and std, CHW float32 in RGB order. Training may add {@link Augmentation}s.
 *
 * <p>Decoding: OpenCV {@code IMREAD_COLOR | IMREAD_IGNORE_ORIENTATION}, so any common format
 * becomes 8-bit colour and the EXIF orientation tag is ignored, as the original's
 * {@code PIL.Image.open(...).convert('RGB')} ignores it (a photo stored sideways stays sideways).
 *
 * <p>Geometry follows torchvision exactly: {@code Resize(int)} gives the long side
 * {@code int(size * long / short)} and {@code CenterCrop} starts at {@code int(round((h - th) / 2.0))}
 * with Python's half-to-even rounding.
 *
 * <p>Resampling ({@link Resize}): by default Pillow's antialiased bicubic ({@link PilResize}),
 * which is what CLIP was trained with and what the original feeds it. Measured against Pillow 9.4
 * on the normalised 3×224×224 tensor (docs/datasets.md, "Transform"): OpenCV's INTER_CUBIC differs by a mean
 * absolute 0.036 (max 1.16) on 640×480 photos and 0.11–0.14 (max 2.6) on synthetic 640×480 and
 * 1600×1200 dead-leaves images; {@link PilResize} gives Pillow's tensor exactly (difference 0 on
 * all 38 test images). OpenCV's resize stays available as {@code image_resize: opencv}. Without
 * augmentation the Pillow path is {@link FusedPilResize} (the same bits, about twice as fast,
 * written straight into the output buffer); augmented images go through {@link PilResize}.
 *
 * <p>Safe to share between threads: its only state after construction is each thread's own
 * {@link FusedPilResize} buffers.
 */
public final class ClipTransform {
  public static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
  public static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};

  /** Channel order of an in-memory 8-bit 3-channel image. */
  public enum ChannelOrder { BGR, RGB }

  /** How images are shrunk or enlarged. */
  public enum Resize {
    /** Pillow's bicubic with antialiasing (the reference). */
    PIL,
    /** OpenCV's {@code INTER_CUBIC}: a = -0.75, four taps whatever the scale (no antialiasing). */
    OPENCV;

    public static Resize of(String name) {
      return switch (name) {
        case "pil" -> PIL;
        case "opencv" -> OPENCV;
        default -> throw new IllegalArgumentException("unknown resize '" + name + "' (pil or opencv)");
      };
    }
  }

  private static final int DECODE_FLAGS = IMREAD_COLOR | IMREAD_IGNORE_ORIENTATION;

  private final int imageSize;
  private final Resize resize;
  /** normalised[c][v]: the value torchvision gives byte v of RGB channel c, computed the same way in float32. */
  private final float[][] normalised = new float[3][256];
  /** The Pillow resize fused with crop and normalisation, one per thread (it keeps buffers). */
  private final ThreadLocal<FusedPilResize> fused = ThreadLocal.withInitial(() -> new FusedPilResize(MEAN, STD));

  public ClipTransform(int imageSize) {
    this(imageSize, Resize.PIL);
  }

  public ClipTransform(int imageSize, Resize resize) {
    if (imageSize <= 0) throw new IllegalArgumentException("imageSize must be positive, got " + imageSize);
    this.imageSize = imageSize;
    this.resize = resize;
    for (int c = 0; c < 3; c++)
      for (int v = 0; v < 256; v++)
        normalised[c][v] = ((float) v / 255f - MEAN[c]) / STD[c];
  }

  public int imageSize() {
    return imageSize;
  }

  public Resize resize() {
    return resize;
  }

  /** Number of floats one image occupies: 3 × imageSize × imageSize. */
  public int floatsPerImage() {
    return 3 * imageSize * imageSize;
  }

  /** Decodes {@code file} and writes its CHW tensor into {@code out} starting at {@code offset}. */
  public void apply(Path file, float[] out, int offset) {
    apply(file, out, offset, Augmentation.NONE, null);
  }

  /**
   * Same, with training augmentation drawn from {@code random} (unused, and may be null, when
   * {@code augmentation} is {@link Augmentation#NONE}).
   */
  public void apply(Path file, float[] out, int offset, Augmentation augmentation, Random random) {
    apply(file, out, offset, augmentation, random, STDERR);
  }

  /**
   * Same, with the warning about a JPEG whose data are corrupt (decoded anyway, see
   * {@link #decode(Path, Consumer)}) going to {@code warnings}.
   */
  public void apply(Path file, float[] out, int offset, Augmentation augmentation, Random random, Consumer<String> warnings) {
    apply(file, FloatBuffer.wrap(out), offset, augmentation, random, warnings);
  }

  /**
   * Same, into a buffer: a heap buffer, or a direct one over native memory such as a batch
   * tensor's (absolute puts only: its position and limit are left as they are).
   */
  public void apply(Path file, FloatBuffer out, int offset, Augmentation augmentation, Random random, Consumer<String> warnings) {
    checkRoom(out, offset);
    try (Mat bgr = decode(file, warnings)) {
      transform(bgr, ChannelOrder.BGR, out, offset, augmentation, random);
    }
  }

  public float[] apply(Path file) {
    float[] out = new float[floatsPerImage()];
    apply(file, out, 0);
    return out;
  }

  /** Where {@link #decode(Path)} and the overloads without a warnings sink report corrupt JPEG data. */
  public static final Consumer<String> STDERR = line -> System.err.println(line);
  /** The end of the warning about corrupt JPEG data: what was done with the file. */
  public static final String RECOVERED = "(decoded with libjpeg's recovery, as Pillow does)";

  /** The file as 8-bit BGR, orientation tag ignored; the caller closes it. Warnings go to stderr. */
  public static Mat decode(Path file) {
    return decode(file, STDERR);
  }

  /**
   * Same, with a JPEG whose entropy-coded data are corrupt ({@link JpegScanCheck}) still decoded,
   * with libjpeg's recovery, as Pillow decodes it, and named in one line to {@code warnings}:
   * "&lt;file&gt;: corrupt JPEG data: ... (decoded with libjpeg's recovery, as Pillow does)". libjpeg's own
   * line on stderr does not say which file it is about. A null {@code warnings} skips the check.
   */
  public static Mat decode(Path file, Consumer<String> warnings) {
    if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": no such image file");
    ImageHeader.check(file); // decompression bombs and truncated JPEGs, before the decoder sees them
    Optional<String> corrupt = warnings == null ? Optional.empty() : corruptJpegData(file);
    Mat bgr;
    try {
      bgr = imread(file.toString(), DECODE_FLAGS);
    } catch (RuntimeException e) {
      // OpenCV's own checks (its pixel limit, decoder errors) throw cv::Exception: a bad image too
      String m = String.valueOf(e.getMessage());
      int nl = m.indexOf('\n');
      throw new IllegalArgumentException(file + ": cannot decode image (" + (nl < 0 ? m : m.substring(0, nl)).trim() + ")");
    }
    if (bgr == null || bgr.empty()) {
      if (bgr != null) bgr.close();
      throw new IllegalArgumentException(file + ": cannot decode image (corrupt or unsupported format)");
    }
    corrupt.ifPresent(p -> warnings.accept(file + ": " + p + " " + RECOVERED));
    return bgr;
  }

  /**
   * What {@link JpegScanCheck} finds in a JPEG file's entropy-coded data; empty for other formats
   * (and for an unreadable file, which imread will report).
   */
  static Optional<String> corruptJpegData(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(3);
      if (head.length < 3 || (head[0] & 0xff) != 0xff || (head[1] & 0xff) != 0xd8 || (head[2] & 0xff) != 0xff) return Optional.empty();
      byte[] rest = in.readAllBytes(), all = new byte[3 + rest.length];
      System.arraycopy(head, 0, all, 0, 3);
      System.arraycopy(rest, 0, all, 3, rest.length);
      return JpegScanCheck.check(all);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Same as {@link #apply(Path, float[], int)} for an 8-bit 3-channel image already in memory. */
  public void apply(Mat image, ChannelOrder order, float[] out, int offset) {
    apply(image, order, out, offset, Augmentation.NONE, null);
  }

  public void apply(Mat image, ChannelOrder order, float[] out, int offset, Augmentation augmentation, Random random) {
    apply(image, order, FloatBuffer.wrap(out), offset, augmentation, random);
  }

  public void apply(Mat image, ChannelOrder order, FloatBuffer out, int offset, Augmentation augmentation, Random random) {
    checkRoom(out, offset);
    if (image.empty() || image.type() != CV_8UC3)
      throw new IllegalArgumentException("expected a non-empty 8-bit 3-channel image, got type " + image.type()
          + " of " + image.cols() + "x" + image.rows());
    transform(image, order, out, offset, augmentation, random);
  }

  public float[] apply(Mat image, ChannelOrder order) {
    float[] out = new float[floatsPerImage()];
    apply(image, order, out, 0);
    return out;
  }

  /** torchvision {@code Resize(size)}: (width, height) with the short side = size. */
  static int[] resizedSize(int width, int height, int size) {
    boolean wide = width >= height;
    int shortSide = wide ? height : width, longSide = wide ? width : height;
    int newLong = (int) ((double) size * longSide / shortSide);
    return wide ? new int[] {newLong, size} : new int[] {size, newLong};
  }

  /** torchvision {@code CenterCrop}: offset of the crop along a side of length {@code length}. */
  static int cropOffset(int length, int crop) {
    return (int) Math.rint((length - crop) / 2.0);   // rint: Python's round() is half-to-even
  }

  private void transform(Mat image, ChannelOrder order, FloatBuffer out, int offset, Augmentation aug, Random random) {
    if (!aug.isNone() && random == null) throw new IllegalArgumentException("augmentation needs a Random");
    int s = imageSize;
    if (aug.isNone() && resize == Resize.PIL) {
      int[] wh = resizedSize(image.cols(), image.rows(), s);
      int left = cropOffset(wh[0], s), top = cropOffset(wh[1], s);
      fused.get().resize(image, order == ChannelOrder.BGR, 0, 0, image.cols(), image.rows(), wh[0], wh[1], left, top, s, s,
          out, offset);
      return;
    }
    int[] view = aug.randomResizedCrop()
        ? Augmentation.randomResizedCropBox(image.cols(), image.rows(), aug.cropMinScale(), random)
        : new int[] {0, 0, image.cols(), image.rows()};
    byte[] rgb = aug.randomResizedCrop() ? resized(image, view, s, s, 0, 0) : centerCropped(image);
    if (order == ChannelOrder.BGR) swapRedBlue(rgb);
    if (!aug.isNone()) aug.applyToPixels(rgb, s, random);
    int plane = s * s;
    float[] chw = new float[3 * plane];
    for (int i = 0, p = 0; i < plane; i++, p += 3) {
      chw[i] = normalised[0][rgb[p] & 0xff];
      chw[plane + i] = normalised[1][rgb[p + 1] & 0xff];
      chw[2 * plane + i] = normalised[2][rgb[p + 2] & 0xff];
    }
    out.put(offset, chw);
  }

  /** Resize of the shorter side to imageSize, then the center crop, as interleaved bytes. */
  private byte[] centerCropped(Mat image) {
    int[] wh = resizedSize(image.cols(), image.rows(), imageSize);
    int left = cropOffset(wh[0], imageSize), top = cropOffset(wh[1], imageSize);
    return resized(image, new int[] {0, 0, image.cols(), image.rows()}, wh[0], wh[1], left, top);
  }

  /**
   * The view {x, y, w, h} of {@code image} resized to outW × outH, window (left, top) of
   * imageSize² taken from it, as interleaved bytes in the image's channel order.
   */
  private byte[] resized(Mat image, int[] view, int outW, int outH, int left, int top) {
    int s = imageSize;
    if (resize == Resize.PIL) {
      byte[] src = bytes(image);
      return PilResize.resize(src, image.cols(), view[0], view[1], view[2], view[3], outW, outH, left, top, s, s);
    }
    try (Rect r = new Rect(view[0], view[1], view[2], view[3]); Mat roi = image.apply(r)) {
      if (outW == view[2] && outH == view[3]) return window(roi, left, top);
      try (Mat scaled = new Mat(); Size size = new Size(outW, outH)) {
        opencv_imgproc.resize(roi, scaled, size, 0, 0, INTER_CUBIC);
        return window(scaled, left, top);
      }
    }
  }

  /** All pixels of an 8-bit 3-channel image, one native copy when it is continuous. */
  static byte[] bytes(Mat m) {
    int rowBytes = 3 * m.cols();
    byte[] out = new byte[rowBytes * m.rows()];
    if (m.isContinuous()) {
      m.data().get(out);
    } else {
      for (int y = 0; y < m.rows(); y++) m.ptr(y).get(out, y * rowBytes, rowBytes);
    }
    return out;
  }

  /** The imageSize² window at (left, top): one native copy of the image, then row copies in Java. */
  private byte[] window(Mat m, int left, int top) {
    int s = imageSize, rowBytes = 3 * m.cols();
    byte[] all = bytes(m), out = new byte[3 * s * s];
    for (int y = 0; y < s; y++) System.arraycopy(all, (top + y) * rowBytes + 3 * left, out, 3 * s * y, 3 * s);
    return out;
  }

  private static void swapRedBlue(byte[] px) {
    for (int p = 0; p < px.length; p += 3) {
      byte t = px[p];
      px[p] = px[p + 2];
      px[p + 2] = t;
    }
  }

  private void checkRoom(FloatBuffer out, int offset) {
    if (offset < 0 || (long) offset + floatsPerImage() > out.limit())
      throw new IllegalArgumentException("output buffer of " + out.limit() + " floats has no room for "
          + floatsPerImage() + " floats at offset " + offset);
  }
}
