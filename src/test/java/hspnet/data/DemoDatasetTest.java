package hspnet.data;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import hspnet.data.LabelList.Sample;
import java.util.Arrays;
import java.util.stream.IntStream;

class DemoDatasetTest {
  static final long SEED = 2023;
  static final int C = DemoDataset.labelSet().numClasses();
  @TempDir static Path tmp;
  static Path root;
  static List<Sample> train, trainFull, val;

  @BeforeAll
  static void generateDefault() throws IOException {
    root = tmp.resolve("demo");
    long t0 = System.nanoTime();
    DemoDataset.generate(root, SEED);
    System.out.printf("default demo dataset (%d train + %d val, %d px) generated in %.2f s on %d cores%n",
        DemoDataset.DEFAULT_TRAIN, DemoDataset.DEFAULT_VAL, DemoDataset.DEFAULT_IMAGE_SIZE,
        (System.nanoTime() - t0) / 1e9, Runtime.getRuntime().availableProcessors());
    train = LabelList.read(root.resolve(DemoDataset.TRAIN_LIST), C);
    trainFull = LabelList.read(root.resolve(DemoDataset.TRAIN_FULL_LIST), C);
    val = LabelList.read(root.resolve(DemoDataset.VAL_LIST), C);
  }

  @Test
  void labelSetIsFourGroupsOfFourWords() throws IOException {
    LabelSet s = DemoDataset.labelSet();
    assertEquals(16, s.numClasses());
    assertEquals(4, s.numGroups());
    for (int g = 0; g < 4; g++) {
      int group = g;
      assertEquals(4, IntStream.range(0, 16).filter(c -> s.groupOf(c) == group).count());
    }
    for (String l : s.labels()) assertTrue(l.matches("[a-z]+(_[a-z]+)?"), l);
    assertEquals(s, LabelSet.load(root.resolve(DemoDataset.LABELS)), "labels.yaml holds the label set");
  }

  @Test
  void filesAreWhereTheListsSay() {
    assertEquals(DemoDataset.DEFAULT_TRAIN, train.size());
    assertEquals(DemoDataset.DEFAULT_TRAIN, trainFull.size());
    assertEquals(DemoDataset.DEFAULT_VAL, val.size());
    assertEquals("images/train/00000.png", train.get(0).path());
    assertEquals("images/val/00499.png", val.get(499).path());
    try (Mat m = imread(root.resolve(val.get(3).path()).toString(), IMREAD_COLOR)) {
      assertEquals(64, m.rows());
      assertEquals(64, m.cols());
    }
  }

  @Test
  void singlePositiveListHoldsOneOfTheImagesPositives() {
    int[] counts = new int[C];
    for (int i = 0; i < train.size(); i++) {
      assertEquals(trainFull.get(i).path(), train.get(i).path());
      assertEquals(1, train.get(i).numLabels(), "one index per line");
      assertTrue(trainFull.get(i).has(train.get(i).label(0)), "the kept label is a positive of image " + i);
      counts[train.get(i).label(0)]++;
    }
    for (int c = 0; c < C; c++) assertTrue(counts[c] > 0, "label " + c + " appears in train.txt");
    // The kept positive is uniform: it is not always the first or the last of the image's positives.
    long first = IntStream.range(0, train.size())
        .filter(i -> trainFull.get(i).numLabels() > 1 && train.get(i).label(0) == trainFull.get(i).label(0)).count();
    long multi = trainFull.stream().filter(s -> s.numLabels() > 1).count();
    double share = (double) first / multi;
    System.out.printf("single positive = the image's first positive in %.3f of multi-label images%n", share);
    assertTrue(share > 0.3 && share < 0.55, "share " + share);
  }

  private static double[] frequencies(List<Sample> samples) {
    double[] f = new double[C];
    for (Sample s : samples)
      for (int l : s.labels()) f[l] += 1.0 / samples.size();
    return f;
  }

  @Test
  void labelStatistics() {
    double[] fTrain = frequencies(trainFull), fVal = frequencies(val);
    double min = 1, max = 0;
    for (int c = 0; c < C; c++) {
      assertTrue(fTrain[c] > 0 && fVal[c] > 0, "label " + c + " appears in train and val");
      min = Math.min(min, fTrain[c]);
      max = Math.max(max, fTrain[c]);
    }
    System.out.printf("train label frequency: min %.3f max %.3f%n", min, max);
    assertTrue(max / min < 1.4, "roughly balanced labels: max/min = " + max / min);

    double meanPositives = val.stream().mapToInt(Sample::numLabels).average().orElseThrow();
    int least = val.stream().mapToInt(Sample::numLabels).min().orElseThrow();
    int most = val.stream().mapToInt(Sample::numLabels).max().orElseThrow();
    System.out.printf("positives per val image: mean %.3f, min %d, max %d%n", meanPositives, least, most);
    assertTrue(least >= 1 && most <= 6);
    assertTrue(meanPositives > 2.0 && meanPositives < 3.0, "mean positives " + meanPositives);
  }

  @Test
  void labelsOfAGroupCoOccur() {
    LabelSet s = DemoDataset.labelSet();
    double[][] together = new double[C][C];
    double[] alone = new double[C];
    for (Sample x : trainFull)
      for (int a : x.labels()) {
        alone[a]++;
        for (int b : x.labels()) if (a != b) together[a][b]++;
      }
    // Mean of P(b | a) over ordered pairs of the same group vs of different groups.
    double within = 0, across = 0;
    int nWithin = 0, nAcross = 0;
    for (int a = 0; a < C; a++)
      for (int b = 0; b < C; b++) {
        if (a == b) continue;
        double p = together[a][b] / alone[a];
        if (s.groupOf(a) == s.groupOf(b)) {
          within += p;
          nWithin++;
        } else {
          across += p;
          nAcross++;
        }
      }
    within /= nWithin;
    across /= nAcross;
    System.out.printf("P(b | a): same group %.3f, other group %.3f, ratio %.2f%n", within, across, within / across);
    assertTrue(within / across > 2.5, "within / across = " + within / across);
  }

  @Test
  void chanceMapIsAboutTheMeanLabelFrequency() {
    double chance = DemoDataset.chanceMap(val, C, 7);
    double meanFrequency = 100 * val.stream().mapToInt(Sample::numLabels).sum() / (double) (val.size() * C);
    System.out.printf("chance mAP on val %.2f, 100 x mean label frequency %.2f%n", chance, meanFrequency);
    // Random ranking's AP exceeds the positive rate a little (early hits weigh more): within 2 points.
    assertTrue(chance >= meanFrequency - 0.5 && chance < meanFrequency + 2.0, chance + " vs " + meanFrequency);
    assertEquals(chance, DemoDataset.chanceMap(val, C, 7), "deterministic for a seed");
  }

  @Test
  void sameSeedSameBytesOtherSeedOtherData() throws IOException {
    Path a = tmp.resolve("a"), b = tmp.resolve("b"), other = tmp.resolve("other");
    DemoDataset.generate(a, SEED, 24, 8, 64);
    DemoDataset.generate(b, SEED, 24, 8, 64);
    DemoDataset.generate(other, SEED + 1, 24, 8, 64);
    for (String f : List.of(DemoDataset.TRAIN_LIST, DemoDataset.TRAIN_FULL_LIST, DemoDataset.VAL_LIST,
        DemoDataset.LABELS, DemoDataset.META))
      assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
    for (String img : List.of("images/train/00000.png", "images/train/00017.png", "images/val/00005.png")) {
      assertArrayEquals(Files.readAllBytes(a.resolve(img)), Files.readAllBytes(b.resolve(img)), img);
      // Image i depends on (seed, split, i) only, not on how many images the split has.
      assertArrayEquals(Files.readAllBytes(root.resolve(img)), Files.readAllBytes(a.resolve(img)), img + " of the default set");
      assertFalse(Arrays.equals(Files.readAllBytes(a.resolve(img)), Files.readAllBytes(other.resolve(img))), img);
    }
    assertNotEquals(Files.readString(a.resolve(DemoDataset.TRAIN_FULL_LIST)), Files.readString(other.resolve(DemoDataset.TRAIN_FULL_LIST)));
    assertEquals(trainFull.subList(0, 24), LabelList.read(a.resolve(DemoDataset.TRAIN_FULL_LIST), C));
  }

  @Test
  void keepsACompleteDatasetAndRegeneratesOtherwise() throws IOException {
    Path meta = root.resolve(DemoDataset.META);
    FileTime before = Files.getLastModifiedTime(meta);
    long t0 = System.nanoTime();
    DemoDataset.generate(root, SEED);
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("check of an existing complete dataset: %.3f s%n", seconds);
    assertTrue(seconds < 1.0, "returns quickly");
    assertEquals(before, Files.getLastModifiedTime(meta), "left untouched");

    Path small = tmp.resolve("small");
    DemoDataset.generate(small, 5, 10, 4, 32);
    Path missing = small.resolve("images/train/00003.png");
    Files.delete(missing);
    DemoDataset.generate(small, 5, 10, 4, 32);
    assertTrue(Files.exists(missing), "incomplete dataset regenerated");

    DemoDataset.generate(small, 5, 12, 4, 32);
    assertEquals(12, LabelList.read(small.resolve(DemoDataset.TRAIN_LIST), C).size(), "other parameters regenerated");
    try (var siblings = Files.list(tmp)) {
      assertTrue(siblings.noneMatch(p -> p.getFileName().toString().startsWith(".")), "no temp folders left");
    }
  }

  @Test
  void refusesToOverwriteAForeignFolder() throws IOException {
    Path foreign = tmp.resolve("photos");
    Files.createDirectories(foreign);
    Path precious = Files.writeString(foreign.resolve("holiday.jpg"), "not ours");
    String msg = assertThrows(IllegalArgumentException.class, () -> DemoDataset.generate(foreign, 1, 4, 2, 32)).getMessage();
    assertTrue(msg.contains(foreign.toString()) && msg.contains("refusing"), msg);
    assertEquals("not ours", Files.readString(precious));
  }
}
