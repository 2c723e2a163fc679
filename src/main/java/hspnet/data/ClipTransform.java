package hspnet.data;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_CUBIC;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.nio.file.Files;
import java.nio.file.Path;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * CLIP's image preprocessing, the same for training and evaluation (SPEC §5): resize the shorter
 * side to {@code imageSize} (bicubic), center crop {@code imageSize²}, scale to [0,1], normalise
 * with CLIP's mean and std, CHW float32 in RGB order.
 *
 * <p>Geometry follows torchvision exactly: {@code Resize(int)} gives the long side
 * {@code int(size * long / short)} and {@code CenterCrop} starts at {@code int(round((h - th) / 2.0))}
 * with Python's half-to-even rounding. The bicubic kernel is OpenCV's (a = -0.75, no antialiasing),
 * not PIL's, so pixels differ slightly from the reference when an image is shrunk a lot.
 *
 * <p>Stateless after construction and safe to share between threads.
 */
public final class ClipTransform {
  public static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
  public static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};

  /** Channel order of an in-memory 8-bit 3-channel image. */
  public enum ChannelOrder { BGR, RGB }

  private final int imageSize;
  /** normalised[c][v]: the value torchvision gives byte v of RGB channel c, computed the same way in float32. */
  private final float[][] normalised = new float[3][256];

  public ClipTransform(int imageSize) {
    if (imageSize <= 0) throw new IllegalArgumentException("imageSize must be positive, got " + imageSize);
    this.imageSize = imageSize;
    for (int c = 0; c < 3; c++)
      for (int v = 0; v < 256; v++)
        normalised[c][v] = ((float) v / 255f - MEAN[c]) / STD[c];
  }

  public int imageSize() {
    return imageSize;
  }

  /** Number of floats one image occupies: 3 × imageSize × imageSize. */
  public int floatsPerImage() {
    return 3 * imageSize * imageSize;
  }

  /** Decodes {@code file} and writes its CHW tensor into {@code out} starting at {@code offset}. */
  public void apply(Path file, float[] out, int offset) {
    checkRoom(out, offset);
    if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": no such image file");
    // IMREAD_COLOR gives 8-bit BGR whatever the file holds (grey, alpha, 16-bit) and applies the
    // EXIF orientation (a plain PIL Image.open does not: rotated photos differ from the reference).
    try (Mat bgr = imread(file.toString(), IMREAD_COLOR)) {
      if (bgr == null || bgr.empty()) throw new IllegalArgumentException(file + ": cannot decode image (corrupt or unsupported format)");
      transform(bgr, ChannelOrder.BGR, out, offset);
    }
  }

  public float[] apply(Path file) {
    float[] out = new float[floatsPerImage()];
    apply(file, out, 0);
    return out;
  }

  /** Same as {@link #apply(Path, float[], int)} for an 8-bit 3-channel image already in memory. */
  public void apply(Mat image, ChannelOrder order, float[] out, int offset) {
    checkRoom(out, offset);
    if (image.empty() || image.type() != CV_8UC3)
      throw new IllegalArgumentException("expected a non-empty 8-bit 3-channel image, got type " + image.type()
          + " of " + image.cols() + "x" + image.rows());
    transform(image, order, out, offset);
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

  private void transform(Mat image, ChannelOrder order, float[] out, int offset) {
    int[] wh = resizedSize(image.cols(), image.rows(), imageSize);
    if (wh[0] == image.cols() && wh[1] == image.rows()) {
      crop(image, order, out, offset);
    } else {
      try (Mat resized = new Mat(); Size size = new Size(wh[0], wh[1])) {
        resize(image, resized, size, 0, 0, INTER_CUBIC);
        crop(resized, order, out, offset);
      }
    }
  }

  private void crop(Mat image, ChannelOrder order, float[] out, int offset) {
    int s = imageSize;
    int top = cropOffset(image.rows(), s), left = cropOffset(image.cols(), s);
    int plane = s * s;
    // Byte index of R, G, B within a pixel.
    int[] src = order == ChannelOrder.BGR ? new int[] {2, 1, 0} : new int[] {0, 1, 2};
    byte[] row = new byte[3 * s];
    for (int y = 0; y < s; y++) {
      BytePointer p = image.ptr(top + y, left);
      p.get(row, 0, row.length);
      int o = offset + y * s;
      for (int x = 0; x < s; x++) {
        int b = 3 * x;
        out[o + x] = normalised[0][row[b + src[0]] & 0xff];
        out[o + plane + x] = normalised[1][row[b + src[1]] & 0xff];
        out[o + 2 * plane + x] = normalised[2][row[b + src[2]] & 0xff];
      }
    }
  }

  private void checkRoom(float[] out, int offset) {
    if (offset < 0 || (long) offset + floatsPerImage() > out.length)
      throw new IllegalArgumentException("output buffer of " + out.length + " floats has no room for "
          + floatsPerImage() + " floats at offset " + offset);
  }
}
