package hspnet.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import hspnet.data.LabelList.Sample;

/** A JPEG with corrupt data is decoded (as Pillow decodes it) and named once per run. */
class CorruptJpegWarningTest {
  @TempDir Path root;

  /** A sound 64×48 JPEG with 40 bytes of garbage before its EOI: libjpeg warns "40 extraneous bytes". */
  static byte[] corruptJpeg() {
    byte[] j = TestJpegs.jpeg(64, 48, 3, 5);
    int end = TestJpegs.scanData(j)[1];
    byte[] garbage = new byte[40];
    Arrays.fill(garbage, (byte) 0x33);
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    o.write(j, 0, end);
    o.write(garbage, 0, garbage.length);
    o.write(j, end, j.length - end);
    return o.toByteArray();
  }

  @Test
  void decodeNamesTheFileAndStillDecodes() throws IOException {
    Path bad = Files.write(root.resolve("bad.jpg"), corruptJpeg());
    Path good = Files.write(root.resolve("good.jpg"), TestJpegs.jpeg(64, 48, 3, 6));
    List<String> warnings = new ArrayList<>();
    try (Mat m = ClipTransform.decode(bad, warnings::add)) {
      assertEquals(64, m.cols());
    }
    assertEquals(1, warnings.size(), warnings.toString());
    String w = warnings.get(0);
    assertTrue(w.startsWith(bad + ": corrupt JPEG data: ") && w.contains("extraneous bytes before marker 0xd9")
        && w.endsWith(ClipTransform.RECOVERED), w);
    try (Mat m = ClipTransform.decode(good, warnings::add)) {
      assertEquals(48, m.rows());
    }
    assertEquals(1, warnings.size(), "a sound file gives no warning: " + warnings);
  }

  @Test
  void loaderNamesACorruptJpegOncePerRunAndKeepsIt() throws IOException {
    Files.createDirectories(root.resolve("img"));
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      String path = "img/" + i + ".jpg";
      Files.write(root.resolve(path), i == 3 ? corruptJpeg() : TestJpegs.jpeg(64, 48, 3, 100 + i));
      samples.add(new Sample(path, new int[] {i % 2}, "train.txt:" + (i + 1)));
    }
    for (int workers : new int[] {0, 2}) {
      BadImages report = new BadImages();
      List<String> lines = Collections.synchronizedList(new ArrayList<>());
      report.warnTo(lines::add);
      try (BatchLoader loader = new BatchLoader(root, samples, 2, new ClipTransform(8), new BatchLoader.Batching(4, true, 7, workers),
          new BatchLoader.Options(Augmentation.NONE, false, null, report))) {
        for (int epoch = 0; epoch < 2; epoch++) {
          int images = 0;
          for (Batch b : loader) {
            try (b) {
              images += b.size();
            }
            if (images == samples.size()) break;
          }
          assertEquals(samples.size(), images, "the corrupt JPEG is used, not skipped");
        }
      }
      assertEquals(1, lines.size(), lines.toString());
      String w = lines.get(0);
      assertTrue(w.startsWith("train.txt:4: image 'img/3.jpg': " + root.resolve("img/3.jpg") + ": corrupt JPEG data: ")
          && w.endsWith("(decoded with libjpeg's recovery, as Pillow does)"), w);
      assertEquals(1, report.corruptJpegCount());
      assertEquals(0, report.count(), "nothing was skipped");
      assertTrue(report.corruptJpegSummary().startsWith("Decoded 1 JPEG(s) with corrupt data"), report.corruptJpegSummary());
      assertEquals("", report.summary());
    }
  }

  @Test
  void warningsMetBeforeTheLogExistsAreKept() {
    BadImages report = new BadImages();
    report.corruptJpeg("a.jpg", "first");
    report.corruptJpeg("a.jpg", "again");
    List<String> lines = new ArrayList<>();
    report.warnTo(lines::add);
    report.corruptJpeg("b.jpg", "second");
    assertEquals(List.of("first", "second"), lines);
    assertEquals(2, report.corruptJpegCount());
  }
}
