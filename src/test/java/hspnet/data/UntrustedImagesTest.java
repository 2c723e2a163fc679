package hspnet.data;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import hspnet.data.LabelList.Sample;
import hspnet.testutil.Crafted;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Crafted images and lists: a decompression bomb's header, truncated and corrupt JPEGs, a
 * non-UTF-8 list line, a link out of the image folder. Each is a bad image (or a bad line) named
 * by list:line and file, or skipped and counted with skip_bad_images; none reaches a decoder
 * that would allocate its declared size or print a message without the file's name.
 */
class UntrustedImagesTest {
  @TempDir Path dir;

  private Path image(String name, int w, int h) {
    Path p = dir.resolve("img").resolve(name);
    try {
      Files.createDirectories(p.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (Mat m = new Mat(h, w, opencv_core.CV_8UC3, new Scalar(40, 90, 200, 0))) {
      assertTrue(imwrite(p.toString(), m));
    }
    return p;
  }

  @Test
  void bombHeadersAreRefusedBeforeDecoding() throws Exception {
    Path bomb = Crafted.write(dir.resolve("img/bomb.png"), Crafted.pngHeader(60000, 60000));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClipTransform.decode(bomb));
    System.out.println("refused: " + e.getMessage());
    assertTrue(e.getMessage().startsWith(bomb.toString()) && e.getMessage().contains("60000x60000")
        && e.getMessage().contains("decompression bomb"), e.getMessage());
    // at the limit's edge: 13,377 x 13,377 is just under Pillow's 2 x MAX_IMAGE_PIXELS, 13,378 x 13,377 is over
    Path over = Crafted.write(dir.resolve("img/over.png"), Crafted.pngHeader(13378, 13377));
    assertThrows(IllegalArgumentException.class, () -> ImageHeader.check(over));
    ImageHeader.check(Crafted.write(dir.resolve("img/under.png"), Crafted.pngHeader(13377, 13377)));
    // a JPEG's frame header, found past its other segments
    Path jpg = image("ok.jpg", 64, 48);
    byte[] bytes = Files.readAllBytes(jpg);
    int sof = indexOf(bytes, (byte) 0xff, (byte) 0xc0);
    bytes[sof + 5] = (byte) 0xff;
    bytes[sof + 6] = (byte) 0xff; // height 65535
    bytes[sof + 7] = (byte) 0xff;
    bytes[sof + 8] = (byte) 0xff; // width 65535
    Path bigJpeg = Files.write(dir.resolve("img/big.jpg"), bytes);
    e = assertThrows(IllegalArgumentException.class, () -> ClipTransform.decode(bigJpeg));
    assertTrue(e.getMessage().contains("65535x65535"), e.getMessage());
  }

  @Test
  void truncatedJpegsAreBadImagesAndWholeOnesWithTrailingBytesAreNot() throws Exception {
    Path ok = image("photo.jpg", 96, 64);
    byte[] all = Files.readAllBytes(ok);
    ClipTransform.decode(ok).close();
    Path trailing = Files.write(dir.resolve("img/trailing.jpg"), concat(all, "camera notes".getBytes(StandardCharsets.US_ASCII)));
    ClipTransform.decode(trailing).close();
    for (int keep : new int[] {all.length - 2, all.length / 2, 200, 20, 3}) {
      Path cut = Files.write(dir.resolve("img/cut" + keep + ".jpg"), Arrays.copyOf(all, keep));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClipTransform.decode(cut), "kept " + keep);
      assertTrue(e.getMessage().startsWith(cut.toString()) && e.getMessage().contains("JPEG"), e.getMessage());
    }
  }

  @Test
  void theLoaderNamesListLineAndFileOrSkipsAndCounts() throws Exception {
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      image("g" + i + ".png", 40, 30);
      samples.add(new Sample("g" + i + ".png", new int[] {i % 2}, "train.txt:" + (i + 1)));
    }
    Crafted.write(dir.resolve("img/bomb.png"), Crafted.pngHeader(60000, 60000));
    byte[] jpg = Files.readAllBytes(image("whole.jpg", 40, 30));
    Files.write(dir.resolve("img/cut.jpg"), Arrays.copyOf(jpg, jpg.length / 2));
    samples.add(2, new Sample("bomb.png", new int[] {0}, "train.txt:3"));
    samples.add(5, new Sample("cut.jpg", new int[] {1}, "train.txt:7"));
    ClipTransform t = new ClipTransform(32);
    try (BatchLoader l = new BatchLoader(dir.resolve("img"), samples, 2, t, new BatchLoader.Batching(8, false, 0, 0))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
        Iterator<Batch> it = l.iterator();
        while (it.hasNext()) it.next().close();
      });
      System.out.println("error: " + e.getMessage());
      assertTrue(e.getMessage().startsWith("train.txt:3: image 'bomb.png'") && e.getMessage().contains("decompression bomb"), e.getMessage());
    }
    BadImages skipped = new BadImages();
    try (BatchLoader l = new BatchLoader(dir.resolve("img"), samples, 2, t, new BatchLoader.Batching(8, false, 0, 2),
        new BatchLoader.Options(Augmentation.NONE, false, skipped))) {
      int images = 0;
      for (Iterator<Batch> it = l.iterator(); it.hasNext(); ) {
        try (Batch b = it.next(); FloatPointer p = b.images().data_ptr_float()) {
          images += b.size();
          int fpi = t.floatsPerImage();
          float[] x = new float[b.size() * fpi];
          p.get(x);
          for (int k = 0; k < b.size(); k++)   // the gaps the skipped images left are closed
            assertArrayEquals(t.apply(dir.resolve("img").resolve(b.paths().get(k))), Arrays.copyOfRange(x, k * fpi, (k + 1) * fpi),
                b.paths().get(k));
        }
      }
      assertEquals(6, images, "the good ones are served");
    }
    assertEquals(2, skipped.count());
    System.out.println(skipped.summary());
    assertTrue(skipped.summary().contains("train.txt:3") && skipped.summary().contains("train.txt:7: image 'cut.jpg'"), skipped.summary());
  }

  @Test
  void aListLineThatIsNotUtf8IsNamedWithItsByte() throws Exception {
    Path list = dir.resolve("train.txt");
    byte[] latin1 = "a.jpg,1\ncaf\u00e9.jpg,2\n".getBytes(StandardCharsets.ISO_8859_1);
    Files.write(list, latin1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabelList.read(list, 5));
    System.out.println("error: " + e.getMessage());
    assertEquals(list + ":2: not UTF-8 text (byte 0xE9 at column 4); list files are read as UTF-8", e.getMessage());
    Files.write(list, "a.jpg,1\ncaf\u00e9.jpg,2\n".getBytes(StandardCharsets.UTF_8));
    assertEquals("caf\u00e9.jpg", LabelList.read(list, 5).get(1).path());
  }

  @Test
  void linksAreConfinedByTheirTargets() throws Exception {
    Path root = Files.createDirectories(dir.resolve("root"));
    Path outside = Files.writeString(dir.resolve("secret.txt"), "not an image");
    Files.createSymbolicLink(root.resolve("leak.png"), outside);
    Path inside = image("in.png", 8, 8);
    Files.createSymbolicLink(root.resolve("ok.png"), inside.getParent().relativize(inside).getFileName().toString().equals("in.png")
        ? root.relativize(inside) : inside);
    Files.createSymbolicLink(root.resolve("sub"), dir.resolve("img"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ImagePaths.resolve(root, new Sample("leak.png", new int[] {0}, "list.txt:4")));
    System.out.println("error: " + e.getMessage());
    assertTrue(e.getMessage().startsWith("list.txt:4: image 'leak.png'") && e.getMessage().contains("outside the image folder"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ImagePaths.resolve(root, new Sample("sub/in.png", new int[] {0}, "list.txt:5")));
    // the image folder itself may be a link (data/coco -> /datasets/coco)
    Path linkedRoot = Files.createSymbolicLink(dir.resolve("linked-root"), dir.resolve("img"));
    assertEquals(linkedRoot.toAbsolutePath().resolve("in.png"), ImagePaths.resolve(linkedRoot, new Sample("in.png", new int[] {0})));
  }

  private static int indexOf(byte[] b, byte x, byte y) {
    for (int i = 0; i + 1 < b.length; i++) if (b[i] == x && b[i + 1] == y) return i;
    throw new AssertionError("marker not found");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
