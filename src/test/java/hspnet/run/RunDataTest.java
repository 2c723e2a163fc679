package hspnet.run;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import hspnet.config.DatasetKind;
import hspnet.config.RunConfig;
import hspnet.config.ConfigException;
import hspnet.config.ConfigLoader;
import hspnet.data.Batch;
import hspnet.data.BatchLoader;
import hspnet.data.LabelList.Sample;
import hspnet.testutil.Shared;
import java.util.Arrays;
import hspnet.data.CocoAnnotationsTest;
import java.util.stream.IntStream;
import hspnet.data.LabelSet;
import java.io.UncheckedIOException;

/** Each dataset kind opened from a small fixture in its real folder layout, and every bad-data path. */
class RunDataTest {
  @TempDir Path dir;

  private static void jpeg(Path file, int shade) {
    try {
      Files.createDirectories(file.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (Mat m = new Mat(24, 32, CV_8UC3, new Scalar(shade, 255 - shade, 90, 0))) {
      assertTrue(imwrite(file.toString(), m));
    }
  }

  private RunConfig config(String... lines) throws IOException {
    List<String> all = new ArrayList<>();
    for (String d : List.of("checkpoint: t", "gcn_lr: 0.0005", "image_size: 16", "batch_size: 2", "workers: 0", "device: cpu")) {
      String key = d.substring(0, d.indexOf(':') + 1);
      if (Arrays.stream(lines).noneMatch(l -> l.startsWith(key))) all.add(d);
    }
    all.addAll(List.of(lines));
    return ConfigLoader.load(Files.writeString(dir.resolve("run.yaml"), String.join("\n", all) + "\n"));
  }

  private Path list(String name, String... lines) throws IOException {
    return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
  }

  private static int served(BatchLoader loader) {
    int n = 0;
    BatchLoader.Epoch e = loader.iterator();
    while (e.hasNext()) try (Batch b = e.next()) {
      n += b.size();
    }
    return n;
  }

  /** A VOC layout: {data}VOC2012/JPEGImages, lists of the released format (made once; tests then change it). */
  private RunConfig voc(String... extra) throws IOException {
    Path data = dir.resolve("voc2012");
    if (!Files.exists(dir.resolve("voc_val.txt"))) {
      for (String f : List.of("2008_000002.jpg", "2008_000003.jpg", "2008_000007.jpg"))
        jpeg(data.resolve("VOC2012/JPEGImages").resolve(f), f.hashCode() & 0xff);
      list("voc_train.txt", "2008_000002.jpg,19", "2008_000003.jpg,14", "2008_000007.jpg,3");
      list("voc_val.txt", "2008_000002.jpg,19", "2008_000003.jpg,14 18", "2008_000007.jpg,3");
    }
    List<String> lines = new ArrayList<>(List.of("data: " + data + "/", "num_classes: 20",
        "train_dataset: " + dir.resolve("voc_train.txt"), "val_dataset: " + dir.resolve("voc_val.txt")));
    lines.addAll(List.of(extra));
    return config(lines.toArray(String[]::new));
  }

  @Test
  void vocFromItsLayoutWithTheBuiltInLabels() throws IOException {
    RunConfig cfg = voc();
    assertEquals(DatasetKind.VOC, cfg.datasetKind(), "guessed from 'data' as the original does");
    try (RunData d = RunData.open(cfg, true)) {
      assertEquals(20, d.labels().numClasses());
      assertEquals(List.of("vehicles", "household", "animals", "person"), d.labels().groups());
      assertEquals(3, served(d.train()));
      assertEquals(3, served(d.val()));
      assertEquals(0, d.badImages().count());
    }
  }

  @Test
  void nusWideAndCubLayouts() throws IOException {
    Path nus = dir.resolve("nuswide");
    jpeg(nus.resolve("images/123940_1158315062_02a15f03aa_m.jpg"), 10);
    list("nus_val.txt", "123940_1158315062_02a15f03aa_m.jpg,42 60 79");
    list("nus_train.txt", "123940_1158315062_02a15f03aa_m.jpg,60");
    RunConfig cfg = config("data: " + nus + "/", "num_classes: 81", "train_dataset: " + dir.resolve("nus_train.txt"),
        "val_dataset: " + dir.resolve("nus_val.txt"));
    try (RunData d = RunData.open(cfg, true)) {
      assertEquals(6, d.labels().numGroups());
      assertEquals(1, served(d.train()));
    }
    Path cub = dir.resolve("cub");
    jpeg(cub.resolve("CUB_200_2011/images/001.Black_footed_Albatross/Black_Footed_Albatross_0046_18.jpg"), 20);
    list("cub_val.txt", "001.Black_footed_Albatross/Black_Footed_Albatross_0046_18.jpg, 4 97 134");
    list("cub_train.txt", "001.Black_footed_Albatross/Black_Footed_Albatross_0046_18.jpg, 212");
    cfg = config("data: " + cub + "/", "num_classes: 312", "train_dataset: " + dir.resolve("cub_train.txt"),
        "val_dataset: " + dir.resolve("cub_val.txt"));
    try (RunData d = RunData.open(cfg, false)) {
      assertEquals(20, d.labels().numGroups());
      assertEquals(1, served(d.val()));
      assertEquals(null, d.train(), "test mode opens no training loader");
    }
  }

  @Test
  void cocoFromItsAnnotationFileAndTheSinglePositiveList() throws IOException {
    Path data = dir.resolve("coco2014");
    Files.createDirectories(data.resolve("annotations"));
    Files.writeString(data.resolve("annotations/instances_val2014.json"), CocoAnnotationsTest.tinyJson());
    jpeg(data.resolve("val2014/COCO_val2014_000000000042.jpg"), 1);
    jpeg(data.resolve("val2014/COCO_val2014_000000000073.jpg"), 2);
    jpeg(data.resolve("train2014/COCO_train2014_000000480023.jpg"), 3);
    list("coco_train_singlelabel.txt", "COCO_train2014_000000480023.jpg,2");
    RunConfig cfg = config("data: " + data, "num_classes: 4", "dataset: " + dir.resolve("coco_train_singlelabel.txt"));
    try (RunData d = RunData.open(cfg, true)) {
      assertEquals(List.of("person", "bicycle", "dog", "car"), d.labels().labels());
      assertEquals(2, d.valSamples().size());
      assertEquals(1, served(d.train()));
      assertEquals(2, served(d.val()));
    }
    RunConfig wrong = config("data: " + data, "num_classes: 80", "dataset: " + dir.resolve("coco_train_singlelabel.txt"));
    String msg = assertThrows(ConfigException.class, () -> RunData.open(wrong, true)).getMessage();
    assertTrue(msg.contains("num_classes") && msg.contains("4 labels"), msg);
  }

  @Test
  void labelsKeyAndTheOriginalsGroupFiles() throws IOException {
    Path yaml = Files.writeString(dir.resolve("mine.yaml"), "groups: [a, b]\nlabels:\n" + "  x0: a\n  x1: b\n".repeat(1)
        + String.join("", IntStream.range(2, 20).mapToObj(i -> "  x" + i + ": b\n").toList()));
    try (RunData d = RunData.open(voc("labels: " + yaml), false)) {
      assertEquals(List.of("a", "b"), d.labels().groups(), "labels file wins");
    }
    RunConfig released = voc("super_labels: " + Shared.referenceData("labels/voc_super_labels.txt"),
        "super_labels_index: " + Shared.referenceData("labels/voc_super_labels_index.npy"));
    try (RunData d = RunData.open(released, false)) {
      assertEquals(LabelSet.builtIn("voc"), d.labels());
    }
    RunConfig missing = voc("super_labels: nowhere.txt", "super_labels_index: nowhere.npy");
    String msg = assertThrows(ConfigException.class, () -> RunData.open(missing, false)).getMessage();
    assertTrue(msg.contains("super_labels") && msg.contains("nowhere.txt"), msg);
    RunConfig listKind = voc("dataset_kind: list");
    msg = assertThrows(ConfigException.class, () -> RunData.open(listKind, false)).getMessage();
    assertTrue(msg.contains("'labels' is required"), msg);
  }

  @Test
  void missingImageNamesListAndLineOrIsSkipped() throws IOException {
    RunConfig cfg = voc();
    list("voc_val.txt", "2008_000002.jpg,19", "2008_000003.jpg,14 18", "", "2008_999999.jpg,3");
    String msg = assertThrows(IllegalArgumentException.class, () -> RunData.open(cfg, false)).getMessage();
    assertTrue(msg.contains("voc_val.txt:4") && msg.contains("2008_999999.jpg") && msg.contains("skip_bad_images"), msg);
    try (RunData d = RunData.open(voc("skip_bad_images: true"), false)) {
      assertEquals(2, d.valSamples().size());
      assertEquals(1, d.badImages().count());
      assertTrue(d.badImages().summary().contains("voc_val.txt:4"), d.badImages().summary());
    }
  }

  @Test
  void corruptImageNamesListAndLineOrIsSkippedAndCounted() throws IOException {
    RunConfig cfg = voc();
    Files.write(dir.resolve("voc2012/VOC2012/JPEGImages/2008_000003.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3});
    try (RunData d = RunData.open(cfg, false)) {
      String msg = assertThrows(IllegalArgumentException.class, () -> served(d.val())).getMessage();
      assertTrue(msg.contains("voc_val.txt:2") && msg.contains("cannot decode"), msg);
    }
    try (RunData d = RunData.open(voc("skip_bad_images: true", "workers: 2"), false)) {
      assertEquals(2, served(d.val()), "the corrupt image is left out of its batch");
      assertEquals(1, d.badImages().count());
      assertTrue(d.badImages().summary().startsWith("Skipped 1 "), d.badImages().summary());
    }
  }

  @Test
  void pathsMustStayInsideTheImageFolder() throws IOException {
    jpeg(dir.resolve("voc2012/outside.jpg"), 5);
    RunConfig cfg = voc();
    for (String escape : List.of("../outside.jpg", "a/../../outside.jpg", dir.resolve("voc2012/outside.jpg").toString())) {
      list("voc_val.txt", "2008_000002.jpg,19", escape + ",3");
      String msg = assertThrows(IllegalArgumentException.class, () -> RunData.open(cfg, false)).getMessage();
      assertTrue(msg.contains("voc_val.txt:2") && msg.contains("leaves the image folder"), escape + ": " + msg);
    }
    list("voc_val.txt", "2008_000002.jpg,19", "sub/../2008_000003.jpg,3");
    try (RunData d = RunData.open(cfg, false)) {
      assertEquals(2, d.valSamples().size(), "a '..' that stays inside is fine");
    }
    try (RunData d = RunData.open(voc("skip_bad_images: true"), false)) {
      assertEquals(2, d.valSamples().size());
    }
    RunConfig skipping = voc("skip_bad_images: true");
    list("voc_val.txt", "../outside.jpg,3");
    assertThrows(IllegalArgumentException.class, () -> RunData.open(skipping, false), "escapes are never skipped");
  }

  @Test
  void emptyListAndBadLinesAreNamed() throws IOException {
    RunConfig cfg = voc();
    list("voc_val.txt", "", "  ");
    String msg = assertThrows(IllegalArgumentException.class, () -> RunData.open(cfg, false)).getMessage();
    assertTrue(msg.contains("voc_val.txt") && msg.contains("holds no image"), msg);
    list("voc_val.txt", "2008_000002.jpg,19", "2008_000003.jpg,20");
    msg = assertThrows(IllegalArgumentException.class, () -> RunData.open(cfg, false)).getMessage();
    assertTrue(msg.contains("voc_val.txt:2") && msg.contains("outside [0, 20)"), msg);
    list("voc_val.txt", "2008_000002.jpg 19");
    msg = assertThrows(IllegalArgumentException.class, () -> RunData.open(cfg, false)).getMessage();
    assertTrue(msg.contains("voc_val.txt:1") && msg.contains("no comma"), msg);
  }

  @Test
  void allImagesMissingIsAnErrorEvenWhenSkipping() throws IOException {
    RunConfig cfg = voc("skip_bad_images: true");
    list("voc_val.txt", "nope1.jpg,1", "nope2.jpg,2");
    String msg = assertThrows(IllegalArgumentException.class, () -> RunData.open(cfg, false)).getMessage();
    assertTrue(msg.contains("none of the 2 images") && msg.contains("voc_val.txt"), msg);
  }

  @Test
  void sampleOriginsNameTheirLine() throws IOException {
    try (RunData d = RunData.open(voc(), true)) {
      Sample s = d.trainSamples().get(1);
      assertTrue(s.origin().endsWith("voc_train.txt:2"), s.origin());
    }
  }
}
