package hspnet.data;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import java.util.Random;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;

/** JPEGs encoded by OpenCV for the tests, from a photo-like synthetic picture (gradients, edges, noise). */
final class TestJpegs {
  private TestJpegs() {}

  /** A picture whose content depends on {@code seed}; 1 or 3 channels. */
  static Mat picture(int width, int height, int channels, long seed) {
    Random r = new Random(seed);
    byte[] px = new byte[width * height * channels];
    double fx = 0.02 + r.nextDouble() * 0.1, fy = 0.02 + r.nextDouble() * 0.1;
    int cx = r.nextInt(Math.max(1, width)), cy = r.nextInt(Math.max(1, height));
    for (int y = 0; y < height; y++)
      for (int x = 0; x < width; x++)
        for (int c = 0; c < channels; c++) {
          double v = 128 + 60 * Math.sin(fx * x * (c + 1) + fy * y) + ((x - cx) * (x - cx) + (y - cy) * (y - cy) < width * height / 8 ? 40 : -20)
              + r.nextGaussian() * 12;
          px[(y * width + x) * channels + c] = (byte) Math.max(0, Math.min(255, (int) v));
        }
    Mat m = new Mat(height, width, channels == 1 ? CV_8UC1 : CV_8UC3);
    m.data().put(px);
    return m;
  }

  /** {@code imencode(".jpg")} with OpenCV's IMWRITE_* (key, value) pairs. */
  static byte[] encode(Mat m, int... params) {
    try (BytePointer buf = new BytePointer(); IntPointer p = new IntPointer(params)) {
      if (!imencode(".jpg", m, buf, p)) throw new IllegalStateException("imencode failed");
      byte[] out = new byte[(int) buf.limit()];
      buf.get(out);
      return out;
    }
  }

  static byte[] jpeg(int width, int height, int channels, long seed, int... params) {
    try (Mat m = picture(width, height, channels, seed)) {
      return encode(m, params);
    }
  }

  /** [start, end) of the first scan's entropy-coded data: after the SOS header, up to the last EOI. */
  static int[] scanData(byte[] j) {
    int i = 2;
    while (true) {
      int marker = j[i + 1] & 0xff, len = ((j[i + 2] & 0xff) << 8) | (j[i + 3] & 0xff);
      if (marker == 0xda) {
        int end = j.length - 2;
        while (!((j[end] & 0xff) == 0xff && (j[end + 1] & 0xff) == 0xd9)) end--;
        return new int[] {i + 2 + len, end};
      }
      i += 2 + len;
    }
  }
}
