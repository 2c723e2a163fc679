package hspnet.data;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import hspnet.data.ClipTransform.ChannelOrder;
import hspnet.data.LabelList.Sample;
import hspnet.data.RandAugment.Op;
import org.bytedeco.pytorch.Tensor;

class AugmentationTest {
  static final int S = 16;
  static final Augmentation ALL = new Augmentation(true, true, 0.08, 0.5, 2, 9);
  @TempDir static Path root;
  static final List<Sample> samples = new ArrayList<>();

  /** Textured images (so that crops, flips and colour operations all change something). */
  @BeforeAll
  static void images() throws IOException {
    Files.createDirectories(root.resolve("img"));
    for (int i = 0; i < 6; i++) {
      try (Mat m = textured(40 + 3 * i, 30, i)) {
        String path = "img/" + i + ".png";
        assertTrue(imwrite(root.resolve(path).toString(), m));
        samples.add(new Sample(path, new int[] {i % 3}));
      }
    }
  }

  static Mat textured(int w, int h, int seed) {
    Mat m = new Mat(h, w, CV_8UC3);
    byte[] px = new byte[w * h * 3];
    Random r = new Random(seed);
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        for (int c = 0; c < 3; c++) px[3 * (y * w + x) + c] = (byte) ((x * 7 * (c + 1) + y * 5 + r.nextInt(30)) & 0xff);
    m.data().put(px);
    return m;
  }

  private static float[] floats(Tensor t) {
    float[] a = new float[(int) t.numel()];
    try (FloatPointer p = t.data_ptr_float()) {
      p.get(a);
    }
    return a;
  }

  private static List<float[]> epoch(BatchLoader loader, int e) {
    List<float[]> out = new ArrayList<>();
    BatchLoader.Epoch it = loader.epoch(e);
    while (it.hasNext()) try (Batch b = it.next()) {
      out.add(floats(b.images()));
    }
    return out;
  }

  @Test
  void sameSeedSameImagesWhateverTheWorkerCount() {
    ClipTransform t = new ClipTransform(S);
    BatchLoader.Options opts = new BatchLoader.Options(ALL, false, null);
    try (BatchLoader none = new BatchLoader(root, samples, 3, t, new BatchLoader.Batching(4, true, 7, 0), opts);
        BatchLoader three = new BatchLoader(root, samples, 3, t, new BatchLoader.Batching(4, true, 7, 3), opts);
        BatchLoader other = new BatchLoader(root, samples, 3, t, new BatchLoader.Batching(4, true, 8, 3), opts);
        BatchLoader plain = new BatchLoader(root, samples, 3, t, new BatchLoader.Batching(4, true, 7, 0))) {
      List<float[]> a = epoch(none, 0), b = epoch(three, 0);
      for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), "batch " + i);
      List<float[]> a1 = epoch(none, 1);
      assertFalse(Arrays.equals(a.get(0), a1.get(0)), "each epoch draws anew");
      assertFalse(Arrays.equals(a.get(0), epoch(other, 0).get(0)), "the seed matters");
      assertFalse(Arrays.equals(a.get(0), epoch(plain, 0).get(0)), "augmentation changes the images");
    }
  }

  @Test
  void valuesStayInTheNormalisedRange() {
    ClipTransform t = new ClipTransform(S);
    float[] lo = new float[3], hi = new float[3];
    for (int c = 0; c < 3; c++) {
      lo[c] = (0f - ClipTransform.MEAN[c]) / ClipTransform.STD[c];
      hi[c] = (1f - ClipTransform.MEAN[c]) / ClipTransform.STD[c];
    }
    Augmentation strong = new Augmentation(true, true, 0.08, 0.5, 4, 30);
    float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
    for (int seed = 0; seed < 40; seed++) {
      float[] out = new float[t.floatsPerImage()];
      t.apply(root.resolve(samples.get(seed % samples.size()).path()), out, 0, strong, new Random(seed));
      for (int c = 0; c < 3; c++)
        for (int i = 0; i < S * S; i++) {
          float v = out[c * S * S + i];
          assertTrue(v >= lo[c] - 1e-6f && v <= hi[c] + 1e-6f, "channel " + c + " value " + v);
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
    }
    System.out.printf("augmented values in [%.4f, %.4f]%n", min, max);
  }

  @Test
  void offByDefaultAndFlipMirrors() {
    assertTrue(Augmentation.NONE.isNone());
    ClipTransform t = new ClipTransform(S);
    try (Mat m = textured(S, S, 3)) {
      float[] plain = t.apply(m, ChannelOrder.BGR);
      Augmentation flipOnly = new Augmentation(true, false, 0.08, 0, 0, 9);
      int flipped = 0;
      for (int seed = 0; seed < 20; seed++) {
        float[] out = new float[plain.length];
        t.apply(m, ChannelOrder.BGR, out, 0, flipOnly, new Random(Seeds.mix(seed)));
        if (Arrays.equals(out, plain)) continue;
        flipped++;
        for (int c = 0; c < 3; c++)
          for (int y = 0; y < S; y++)
            for (int x = 0; x < S; x++)
              assertEquals(plain[(c * S + y) * S + (S - 1 - x)], out[(c * S + y) * S + x], "mirror at " + x + "," + y);
      }
      assertTrue(flipped > 4 && flipped < 16, "about half of 20 draws flip: " + flipped);
    }
  }

  @Test
  void randomResizedCropBoxesFollowTorchvisionsBounds() {
    Random r = new Random(1);
    for (int i = 0; i < 500; i++) {
      int[] box = Augmentation.randomResizedCropBox(640, 480, 0.08, r);
      assertTrue(box[0] >= 0 && box[1] >= 0 && box[0] + box[2] <= 640 && box[1] + box[3] <= 480, Arrays.toString(box));
      double area = (double) box[2] * box[3] / (640 * 480), ratio = (double) box[2] / box[3];
      assertTrue(area >= 0.07 && area <= 1.0, "area " + area);
      assertTrue(ratio >= 0.74 && ratio <= 1.34, "aspect " + ratio);
    }
    // A very wide image exhausts the ten tries and falls back to the central crop of ratio 4/3.
    int[] box = Augmentation.randomResizedCropBox(1000, 10, 1.0, new Random(2));
    assertArrayEquals(new int[] {(1000 - 13) / 2, 0, 13, 10}, box);
  }

  @Test
  void cutoutFillsOneSquareWithOneColour() {
    byte[] px = new byte[S * S * 3];
    Augmentation.cutout(px, S, 0.5, new Random(3));
    int changed = 0;
    for (int p = 0; p < px.length; p += 3) if (px[p] != 0 || px[p + 1] != 0 || px[p + 2] != 0) changed++;
    assertTrue(changed > 0 && changed <= 9 * 9, "at most (side + 1)² pixels: " + changed);
  }

  @Test
  void randAugmentOperations() {
    byte[] base = new byte[S * S * 3];
    new Random(4).nextBytes(base);
    for (Op op : Op.values()) {
      byte[] a = base.clone();
      RandAugment.apply(op, op.magnitude(0, S), a, S);
      if (op == Op.BRIGHTNESS || op == Op.COLOR || op == Op.CONTRAST || op == Op.SHARPNESS || op.signed()
          || op == Op.IDENTITY || op == Op.POSTERIZE)
        assertArrayEquals(base, a, op + " at magnitude 0 is the identity");
    }
    byte[] a = base.clone();
    RandAugment.apply(Op.SOLARIZE, 128, a, S);
    for (int i = 0; i < a.length; i++) {
      int v = base[i] & 0xff;
      assertEquals(v >= 128 ? 255 - v : v, a[i] & 0xff);
    }
    a = base.clone();
    RandAugment.apply(Op.POSTERIZE, Op.POSTERIZE.magnitude(30, S), a, S);
    for (int i = 0; i < a.length; i++) assertEquals(base[i] & 0xf0, a[i] & 0xff, "magnitude 30 keeps 4 bits");
    a = base.clone();
    RandAugment.apply(Op.TRANSLATE_X, 3, a, S);
    for (int y = 0; y < S; y++) {
      for (int x = 0; x < 3; x++) assertEquals(0, a[3 * (y * S + x)], "filled with black");
      assertEquals(base[3 * (y * S)], a[3 * (y * S + 3)], "shifted right by 3");
    }
    a = base.clone();
    RandAugment.apply(Op.ROTATE, 90, a, S);
    // +90 degrees turns the image counter-clockwise, as torchvision: the top-right corner goes top-left.
    assertEquals(base[3 * (S - 1)], a[0], "top-right -> top-left");
    assertEquals(base[3 * ((S - 1) * S)], a[3 * ((S - 1) * S + S - 1)], "bottom-left -> bottom-right");
    a = base.clone();
    RandAugment.apply(Op.AUTO_CONTRAST, 0, a, S);
    int lo = 255, hi = 0;
    for (int i = 0; i < a.length; i += 3) {
      lo = Math.min(lo, a[i] & 0xff);
      hi = Math.max(hi, a[i] & 0xff);
    }
    assertEquals(0, lo);
    assertEquals(255, hi);
    byte[] x = base.clone(), y = base.clone();
    RandAugment.apply(x, S, 3, 15, new Random(9));
    RandAugment.apply(y, S, 3, 15, new Random(9));
    assertArrayEquals(x, y, "seeded");
    assertNotEquals(Arrays.toString(base), Arrays.toString(x));
  }

  @Test
  void settingsAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> new Augmentation(false, true, 0, 0, 0, 9));
    assertThrows(IllegalArgumentException.class, () -> new Augmentation(false, false, 0.08, 1.5, 0, 9));
    assertThrows(IllegalArgumentException.class, () -> new Augmentation(false, false, 0.08, 0, 2, 31));
    assertThrows(IllegalArgumentException.class, () -> new Augmentation(false, false, 0.08, 0, -1, 9));
  }
}
