package hspnet.data;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_OPTIMIZE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_PROGRESSIVE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_RST_INTERVAL;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_SAMPLING_FACTOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_SAMPLING_FACTOR_420;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_SAMPLING_FACTOR_422;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_SAMPLING_FACTOR_444;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.StandardCopyOption;

/** {@link JpegScanCheck}: silent on every sound JPEG, and in agreement with libjpeg-turbo on damaged ones. */
class JpegScanCheckTest {
  @TempDir Path dir;

  /** The kinds of file OpenCV writes, at sizes with partial MCUs; name → bytes. */
  static Map<String, byte[]> soundJpegs() {
    Map<String, byte[]> out = new LinkedHashMap<>();
    int[][] sizes = {{17, 33}, {64, 48}, {301, 207}, {640, 480}, {1, 1}, {9, 500}};
    long seed = 1;
    for (int[] s : sizes) {
      int w = s[0], h = s[1];
      String at = w + "x" + h;
      out.put("420 q95 " + at, TestJpegs.jpeg(w, h, 3, seed++, IMWRITE_JPEG_QUALITY, 95, IMWRITE_JPEG_SAMPLING_FACTOR, IMWRITE_JPEG_SAMPLING_FACTOR_420));
      out.put("444 q75 " + at, TestJpegs.jpeg(w, h, 3, seed++, IMWRITE_JPEG_QUALITY, 75, IMWRITE_JPEG_SAMPLING_FACTOR, IMWRITE_JPEG_SAMPLING_FACTOR_444));
      out.put("422 q100 " + at, TestJpegs.jpeg(w, h, 3, seed++, IMWRITE_JPEG_QUALITY, 100, IMWRITE_JPEG_SAMPLING_FACTOR, IMWRITE_JPEG_SAMPLING_FACTOR_422));
      out.put("grey q85 " + at, TestJpegs.jpeg(w, h, 1, seed++, IMWRITE_JPEG_QUALITY, 85));
      out.put("rst1 " + at, TestJpegs.jpeg(w, h, 3, seed++, IMWRITE_JPEG_RST_INTERVAL, 1));
      out.put("rst5 grey " + at, TestJpegs.jpeg(w, h, 1, seed++, IMWRITE_JPEG_RST_INTERVAL, 5));
      out.put("optimized " + at, TestJpegs.jpeg(w, h, 3, seed++, IMWRITE_JPEG_OPTIMIZE, 1, IMWRITE_JPEG_QUALITY, 90));
      out.put("optimized rst3 q20 " + at, TestJpegs.jpeg(w, h, 3, seed++, IMWRITE_JPEG_OPTIMIZE, 1, IMWRITE_JPEG_RST_INTERVAL, 3,
          IMWRITE_JPEG_QUALITY, 20));
      out.put("progressive " + at, TestJpegs.jpeg(w, h, 3, seed++, IMWRITE_JPEG_PROGRESSIVE, 1));
      out.put("progressive grey " + at, TestJpegs.jpeg(w, h, 1, seed++, IMWRITE_JPEG_PROGRESSIVE, 1));
    }
    return out;
  }

  @Test
  void soundJpegsAreNeverFlagged() {
    Map<String, byte[]> all = soundJpegs();
    for (Map.Entry<String, byte[]> e : all.entrySet())
      assertEquals(Optional.empty(), JpegScanCheck.check(e.getValue()), e.getKey());
    // bytes after EOI (some cameras add them) and fill bytes before a marker are allowed too
    byte[] j = all.get("420 q95 301x207");
    byte[] trailing = Arrays.copyOf(j, j.length + 5);
    assertEquals(Optional.empty(), JpegScanCheck.check(trailing));
  }


  /**
   * 80 sound files with random sizes (up to 1100 pixels a side, so the scan crosses many of
   * libjpeg's 4096-byte input buffers), qualities, subsampling, restart intervals, optimized
   * tables and grey: none may be flagged, and libjpeg must be silent on all of them too.
   */
  @Test
  void randomSoundJpegsAreNeverFlagged() throws Exception {
    Random r = new Random(77);
    int[] sampling = {IMWRITE_JPEG_SAMPLING_FACTOR_420, IMWRITE_JPEG_SAMPLING_FACTOR_422, IMWRITE_JPEG_SAMPLING_FACTOR_444};
    List<Path> files = new ArrayList<>();
    for (int t = 0; t < 80; t++) {
      int w = 1 + r.nextInt(t < 20 ? 1100 : 400), h = 1 + r.nextInt(t < 20 ? 900 : 400), channels = r.nextInt(4) == 0 ? 1 : 3;
      int[] params = {IMWRITE_JPEG_QUALITY, 5 + r.nextInt(96), IMWRITE_JPEG_SAMPLING_FACTOR, sampling[r.nextInt(3)],
          IMWRITE_JPEG_RST_INTERVAL, r.nextBoolean() ? 0 : r.nextInt(12), IMWRITE_JPEG_OPTIMIZE, r.nextInt(2),
          IMWRITE_JPEG_PROGRESSIVE, r.nextInt(5) == 0 ? 1 : 0};
      byte[] j = TestJpegs.jpeg(w, h, channels, 1000 + t, params);
      assertEquals(Optional.empty(), JpegScanCheck.check(j), w + "x" + h + " " + Arrays.toString(params));
      files.add(Files.write(dir.resolve("s" + t + ".jpg"), j));
    }
    Map<Path, String> libjpeg = probe(files);
    for (Path f : files) assertEquals("", libjpeg.get(f), f + ": libjpeg itself warned");
  }
  @Test
  void notJpegIsNotJudged() {
    assertEquals(Optional.empty(), JpegScanCheck.check(new byte[] {(byte) 0x89, 'P', 'N', 'G'}));
    assertEquals(Optional.empty(), JpegScanCheck.check(new byte[0]));
  }

  private static byte[] insert(byte[] j, int at, byte[] extra) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    o.write(j, 0, at);
    o.write(extra, 0, extra.length);
    o.write(j, at, j.length - at);
    return o.toByteArray();
  }

  private static byte[] delete(byte[] j, int at, int n) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    o.write(j, 0, at);
    o.write(j, at + n, j.length - at - n);
    return o.toByteArray();
  }

  @Test
  void garbageBeforeEoiIsExtraneousBytes() {
    byte[] j = TestJpegs.jpeg(301, 207, 3, 7);
    int end = TestJpegs.scanData(j)[1];
    byte[] extra = new byte[40];
    Arrays.fill(extra, (byte) 0x5a);
    String p = JpegScanCheck.check(insert(j, end, extra)).orElseThrow();
    assertTrue(p.startsWith("corrupt JPEG data: ") && p.contains("extraneous bytes before marker 0xd9"), p);
  }

  @Test
  void deletedRunIsFound() {
    byte[] j = TestJpegs.jpeg(640, 480, 3, 8);
    int[] data = TestJpegs.scanData(j);
    String p = JpegScanCheck.check(delete(j, (data[0] + data[1]) / 2, 300)).orElseThrow();
    assertTrue(p.startsWith("corrupt JPEG data: "), p);
  }

  @Test
  void damagedRestartMarkerIsFound() {
    byte[] j = TestJpegs.jpeg(320, 240, 3, 9, IMWRITE_JPEG_RST_INTERVAL, 2);
    int[] data = TestJpegs.scanData(j);
    int rst = -1, seen = 0;
    for (int i = data[0]; i < data[1] - 1; i++)
      if ((j[i] & 0xff) == 0xff && (j[i + 1] & 0xff) >= 0xd0 && (j[i + 1] & 0xff) <= 0xd7 && ++seen == 10) rst = i;
    byte[] wrongNumber = j.clone();
    wrongNumber[rst + 1] = (byte) (0xd0 + (((wrongNumber[rst + 1] & 7) + 4) & 7));
    String p = JpegScanCheck.check(wrongNumber).orElseThrow();
    assertTrue(p.contains("instead of RST"), p);
    String q = JpegScanCheck.check(delete(j, rst, 2)).orElseThrow();   // marker gone: two intervals run together
    assertTrue(q.startsWith("corrupt JPEG data: "), q);
  }

  @Test
  void flippedBytesAreFoundInMostFiles() {
    byte[] j = TestJpegs.jpeg(640, 480, 3, 10);
    int[] data = TestJpegs.scanData(j);
    Random r = new Random(11);
    int found = 0, n = 50;
    for (int t = 0; t < n; t++) {
      byte[] c = j.clone();
      int at = data[0] + 100 + r.nextInt(data[1] - data[0] - 200);
      c[at] = (byte) (c[at] ^ (1 + r.nextInt(255)));
      if (JpegScanCheck.check(c).isPresent()) found++;
    }
    // a flipped byte can leave a stream that still decodes to the right number of MCUs; rare
    assertTrue(found >= n * 6 / 10, found + " of " + n);
  }

  @Test
  void progressiveGetsTheStructuralCheck() {
    byte[] j = TestJpegs.jpeg(320, 240, 3, 12, IMWRITE_JPEG_PROGRESSIVE, 1);
    int[] data = TestJpegs.scanData(j);
    byte[] c = j.clone();
    int at = (data[0] + data[1]) / 2;
    c[at] = (byte) 0xff;
    c[at + 1] = 0x12;   // no such marker
    String p = JpegScanCheck.check(c).orElseThrow();
    assertTrue(p.contains("marker 0x12"), p);
  }

  /** One damaged copy of {@code j}: the kind of damage and the bytes. */
  private static byte[] damage(byte[] j, int kind, Random r) {
    int[] data = TestJpegs.scanData(j);
    int start = data[0], end = data[1], span = end - start;
    switch (kind) {
      case 0 -> {   // a few bytes overwritten
        byte[] c = j.clone();
        for (int k = 1 + r.nextInt(3); k > 0; k--) c[start + r.nextInt(span)] = (byte) r.nextInt(256);
        return c;
      }
      case 1 -> {   // one bit flipped
        byte[] c = j.clone();
        c[start + r.nextInt(span)] ^= (byte) (1 << r.nextInt(8));
        return c;
      }
      case 2 -> {   // garbage inserted in the data
        byte[] extra = new byte[1 + r.nextInt(20)];
        r.nextBytes(extra);
        return insert(j, start + r.nextInt(span), extra);
      }
      case 3 -> {   // garbage inserted just before EOI (few bytes: the bit reader may have read them already)
        byte[] extra = new byte[1 + r.nextInt(12)];
        r.nextBytes(extra);
        return insert(j, end, extra);
      }
      case 4 -> {   // a run deleted
        int n = Math.min(span - 1, 1 + r.nextInt(60));
        return delete(j, start + r.nextInt(span - n), n);
      }
      default -> {  // a restart marker renumbered or removed (files without one get a byte overwritten)
        List<Integer> rst = new ArrayList<>();
        for (int i = start; i < end - 1; i++)
          if ((j[i] & 0xff) == 0xff && (j[i + 1] & 0xff) >= 0xd0 && (j[i + 1] & 0xff) <= 0xd7) rst.add(i);
        byte[] c = j.clone();
        if (rst.isEmpty()) {
          c[start + r.nextInt(span)] = (byte) r.nextInt(256);
          return c;
        }
        int at = rst.get(r.nextInt(rst.size()));
        if (r.nextBoolean()) return delete(j, at, 2);
        c[at + 1] = (byte) (0xd0 + r.nextInt(8));
        return c;
      }
    }
  }

  /**
   * The oracle: libjpeg-turbo itself, through OpenCV's imread in a child JVM (its warnings go to
   * the process's stderr, which this JVM cannot intercept), on 200 damaged baseline files.
   * Per file, whether libjpeg printed a "Corrupt JPEG data" warning must equal whether
   * {@link JpegScanCheck} predicts one ({@link JpegScanCheck.Problem#libjpegWarns()}).
   *
   * <p>The one documented difference, allowed: a bad Huffman code met on libjpeg-turbo's fast path
   * is replaced by 0 without a warning, so libjpeg may print nothing for a file the check reports
   * (the check still reports it: the data are corrupt); such files are counted and must be
   * predicted as silent. Progressive files get only the structural check, so their figures are
   * printed, not required to agree.
   */
  @Test
  void agreesWithLibjpegOnDamagedFiles() throws Exception {
    List<byte[]> bases = List.of(
        TestJpegs.jpeg(320, 240, 3, 21, IMWRITE_JPEG_QUALITY, 90),
        TestJpegs.jpeg(257, 193, 3, 22, IMWRITE_JPEG_QUALITY, 75, IMWRITE_JPEG_SAMPLING_FACTOR, IMWRITE_JPEG_SAMPLING_FACTOR_444),
        TestJpegs.jpeg(200, 150, 1, 23, IMWRITE_JPEG_QUALITY, 85),
        TestJpegs.jpeg(320, 240, 3, 24, IMWRITE_JPEG_RST_INTERVAL, 2),
        TestJpegs.jpeg(300, 200, 3, 25, IMWRITE_JPEG_OPTIMIZE, 1),
        TestJpegs.jpeg(17, 33, 3, 26),
        TestJpegs.jpeg(640, 480, 3, 27, IMWRITE_JPEG_QUALITY, 95),
        TestJpegs.jpeg(640, 480, 1, 28, IMWRITE_JPEG_RST_INTERVAL, 7, IMWRITE_JPEG_OPTIMIZE, 1));
    byte[] progressive = TestJpegs.jpeg(320, 240, 3, 29, IMWRITE_JPEG_PROGRESSIVE, 1);
    Random r = new Random(20261204L);
    List<Path> files = new ArrayList<>();
    Map<Path, byte[]> bytes = new HashMap<>();
    int baseline = Integer.getInteger("jpegOracleFiles", 200), progressiveCount = 30;   // more: -DjpegOracleFiles=N
    for (int t = 0; t < baseline + progressiveCount; t++) {
      byte[] base = t < baseline ? bases.get(t % bases.size()) : progressive;
      byte[] c = damage(base, r.nextInt(6), r);
      Path f = dir.resolve((t < baseline ? "b" : "p") + t + ".jpg");
      Files.write(f, c);
      files.add(f);
      bytes.put(f, c);
    }
    Map<Path, String> libjpeg = probe(files);

    int compared = 0, refused = 0, libWarned = 0, agree = 0, silentBadCode = 0, pCompared = 0, pWarned = 0, pAgree = 0;
    List<String> disagreements = new ArrayList<>();
    for (Path f : files) {
      try {
        ImageHeader.check(f);
      } catch (IllegalArgumentException e) {
        refused++;   // never decoded (e.g. the damage removed the EOI): not the scan check's business
        continue;
      }
      String log = libjpeg.get(f);
      boolean warned = log.contains("Corrupt JPEG data");
      Optional<JpegScanCheck.Problem> p = JpegScanCheck.inspect(bytes.get(f));
      boolean predicted = p.map(JpegScanCheck.Problem::libjpegWarns).orElse(false);
      if (f.getFileName().toString().startsWith("p")) {
        pCompared++;
        if (warned) pWarned++;
        if (warned == p.isPresent()) pAgree++;
        continue;
      }
      compared++;
      if (warned) libWarned++;
      if (p.isPresent() && !p.get().libjpegWarns()) silentBadCode++;
      if (warned == predicted) agree++;
      else {
        Path keep = Path.of("target", "jpeg-disagreements");
        Files.createDirectories(keep);
        Files.copy(f, keep.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
      if (warned != predicted) disagreements.add(f.getFileName() + ": libjpeg " + (warned ? "warned [" + log.trim() + "]" : "silent") + ", check "
          + p.map(x -> x.description() + (x.libjpegWarns() ? "" : " (predicted silent)")).orElse("found nothing"));
    }
    System.out.println(String.format(Locale.ROOT,
        "libjpeg oracle: %d baseline files compared (%d refused by ImageHeader), libjpeg warned on %d, agreement %d/%d;"
            + " %d reported as a bad Huffman code libjpeg's fast path skips silently; progressive (structural check only):"
            + " %d compared, libjpeg warned on %d, check agreed on %d",
        compared, refused, libWarned, agree, compared, silentBadCode, pCompared, pWarned, pAgree));
    disagreements.forEach(System.out::println);
    assertTrue(compared >= 150, "too few files compared: " + compared);
    assertTrue(disagreements.isEmpty(), disagreements.size() + " disagreement(s):\n" + String.join("\n", disagreements));
  }

  /** Runs {@link JpegWarningProbe} on the files; what libjpeg printed for each. */
  private Map<Path, String> probe(List<Path> files) throws IOException, InterruptedException {
    Path list = dir.resolve("files.txt");
    Files.write(list, files.stream().map(Path::toString).toList(), StandardCharsets.UTF_8);
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        JpegWarningProbe.class.getName(), list.toString());
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    Map<Path, String> result = new HashMap<>();
    Path current = null;
    StringBuilder text = new StringBuilder();
    for (String line : out.split("\n")) {
      if (line.startsWith("@@FILE ")) {
        current = Path.of(line.substring(7));
        text.setLength(0);
      } else if (line.startsWith("@@END ")) {
        result.put(current, text.toString() + (line.endsWith("ok") ? "" : " [imread: " + line.substring(6) + "]"));
        current = null;
      } else if (current != null) {
        text.append(line).append('\n');
      }
    }
    assertEquals(files.size(), result.size(), out);
    return result;
  }

  /** ms per image of the check (bytes in memory) against OpenCV's imread of the same file. */
  @Test
  void costAgainstImread() throws IOException {
    for (int[] s : new int[][] {{640, 480}, {1600, 1200}}) {
      byte[] j = TestJpegs.jpeg(s[0], s[1], 3, 31, IMWRITE_JPEG_QUALITY, 90);
      Path f = Files.write(dir.resolve("t" + s[0] + ".jpg"), j);
      int n = s[0] > 1000 ? 20 : 60;
      for (int i = 0; i < 40; i++) {   // warm-up (the JIT)
        assertFalse(JpegScanCheck.check(j).isPresent());
        try (Mat m = imread(f.toString(), IMREAD_COLOR | IMREAD_IGNORE_ORIENTATION)) { }
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) JpegScanCheck.check(Files.readAllBytes(f));
      long t1 = System.nanoTime();
      for (int i = 0; i < n; i++) try (Mat m = imread(f.toString(), IMREAD_COLOR | IMREAD_IGNORE_ORIENTATION)) { }
      long t2 = System.nanoTime();
      System.out.println(String.format(Locale.ROOT, "%dx%d (%d bytes): JpegScanCheck (file read included) %.2f ms, imread %.2f ms per image",
          s[0], s[1], j.length, (t1 - t0) / 1e6 / n, (t2 - t1) / 1e6 / n));
    }
  }
}
