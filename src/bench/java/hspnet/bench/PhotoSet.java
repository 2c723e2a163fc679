package hspnet.bench;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

import hspnet.cli.ExitStatus;
import hspnet.cli.OptionParser;
import hspnet.nn.JavaCppTuning;

/**
 * {@code PhotoSet OUT_DIR SOURCE...}: the photographs the loader benchmark reads, each source
 * image shrunk (area average) to a longest side of 640 pixels and written as a quality-90 JPEG
 * named after its position, so that the set is the same on every machine with the same sources.
 * bench/loader.sh passes photographs from Debian's wallpaper packages.
 */
public final class PhotoSet {
  static {
    JavaCppTuning.apply(); // before the first native object (see JavaCppTuning)
  }

  private PhotoSet() {}

  static final int LONGEST_SIDE = 640;
  static final String USAGE = "usage: PhotoSet OUT_DIR SOURCE...\n";
  private static final OptionParser PARSER = new OptionParser("PhotoSet").positionals();

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  public static int run(String[] args, PrintStream out, PrintStream err) {
    return PARSER.run(args, USAGE, out, err, p -> {
      List<String> words = p.positionals();
      if (words.size() < 2) throw p.error("needs OUT_DIR and at least one SOURCE image");
      write(Path.of(words.get(0)), words.subList(1, words.size()));
      return ExitStatus.DONE;
    });
  }

  static void write(Path out, List<String> sources) throws IOException {
    Files.createDirectories(out);
    for (int i = 1; i <= sources.size(); i++) {
      String source = sources.get(i - 1);
      Path target = out.resolve(String.format(Locale.ROOT, "photo-%02d.jpg", i));
      try (Mat src = imread(source, IMREAD_COLOR)) {
        if (src.empty()) throw new IOException(source + ": cannot read");
        double f = (double) LONGEST_SIDE / Math.max(src.cols(), src.rows());
        int w = (int) Math.round(src.cols() * f), h = (int) Math.round(src.rows() * f);
        try (Mat small = new Mat(); Size size = new Size(w, h); IntPointer q = new IntPointer(IMWRITE_JPEG_QUALITY, 90)) {
          resize(src, small, size, 0, 0, INTER_AREA);
          if (!imwrite(target.toString(), small, q)) throw new IOException(target + ": cannot write");
        }
      }
    }
  }
}
