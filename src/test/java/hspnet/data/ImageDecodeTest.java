package hspnet.data;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC4;

/** Decoding as the original's PIL open + convert('RGB'): EXIF orientation ignored, any format to 8-bit colour. */
class ImageDecodeTest {
  @TempDir Path dir;

  /** A JPEG of 32×16 whose EXIF says "rotate 90° clockwise to display" (orientation 6). */
  private Path rotatedJpeg() throws IOException {
    byte[] jpeg;
    try (Mat m = new Mat(16, 32, CV_8UC3, new Scalar(10, 200, 30, 0)); BytePointer buf = new BytePointer()) {
      assertTrue(imencode(".jpg", m, buf));
      jpeg = new byte[(int) buf.limit()];
      buf.get(jpeg);
    }
    byte[] app1 = {(byte) 0xFF, (byte) 0xE1, 0, 34, 'E', 'x', 'i', 'f', 0, 0,
        'I', 'I', 42, 0, 8, 0, 0, 0,           // TIFF header, little-endian, IFD at 8
        1, 0,                                  // one entry
        0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0,   // Orientation (0x0112), SHORT, 1 value: 6
        0, 0, 0, 0};                           // no next IFD
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpeg, 0, 2);                     // SOI
    out.write(app1);
    out.write(jpeg, 2, jpeg.length - 2);
    return Files.write(dir.resolve("rotated.jpg"), out.toByteArray());
  }

  @Test
  void exifOrientationIsIgnoredAsPilOpenDoes() throws IOException {
    Path f = rotatedJpeg();
    try (Mat honoured = imread(f.toString(), IMREAD_COLOR)) {
      assertEquals(16, honoured.cols(), "the fixture's tag is real: plain IMREAD_COLOR turns the image upright");
    }
    try (Mat m = ClipTransform.decode(f)) {
      assertEquals(32, m.cols());
      assertEquals(16, m.rows());
    }
  }

  @Test
  void greyAndAlphaImagesBecomeThreeChannels() {
    Path grey = dir.resolve("grey.png"), rgba = dir.resolve("rgba.png");
    try (Mat g = new Mat(8, 8, CV_8UC1, new Scalar(77));
        Mat a = new Mat(8, 8, CV_8UC4, new Scalar(10, 20, 30, 0))) {
      assertTrue(imwrite(grey.toString(), g));
      assertTrue(imwrite(rgba.toString(), a));
    }
    ClipTransform t = new ClipTransform(8);
    float[] fromGrey = t.apply(grey), fromRgba = t.apply(rgba);
    for (int c = 0; c < 3; c++) {
      assertEquals((77 / 255f - ClipTransform.MEAN[c]) / ClipTransform.STD[c], fromGrey[c * 64], 1e-6, "grey replicated");
      int v = new int[] {30, 20, 10}[c];   // BGRA 10,20,30 is RGB 30,20,10; alpha dropped as convert('RGB')
      assertEquals((v / 255f - ClipTransform.MEAN[c]) / ClipTransform.STD[c], fromRgba[c * 64 + 9], 1e-6);
    }
    assertArrayEquals(t.apply(grey), fromGrey);
  }
}
