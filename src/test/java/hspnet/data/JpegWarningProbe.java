package hspnet.data;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;

import java.nio.file.Files;
import java.nio.file.Path;

import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Child-JVM probe for {@link JpegScanCheckTest}: imreads each file named in the list file (one a
 * line) exactly as {@link ClipTransform#decode} does, between marker lines on stderr, so that the
 * parent can tell which file each of libjpeg's anonymous stderr warnings belongs to.
 */
public final class JpegWarningProbe {
  private JpegWarningProbe() {}

  public static void main(String[] args) throws Exception {
    for (String f : Files.readAllLines(Path.of(args[0]))) {
      System.err.println("@@FILE " + f);
      System.err.flush();
      String result;
      try (Mat m = imread(f, IMREAD_COLOR | IMREAD_IGNORE_ORIENTATION)) {
        result = m == null || m.empty() ? "empty" : "ok";
      } catch (RuntimeException e) {
        result = "error";
      }
      System.err.println("@@END " + result);
      System.err.flush();
    }
  }
}
