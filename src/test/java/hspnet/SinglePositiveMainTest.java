package hspnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import hspnet.data.CocoAnnotationsTest;
import hspnet.data.LabelList;
import hspnet.data.LabelList.Sample;
import hspnet.data.SinglePositive;
import hspnet.testutil.Shared;

class SinglePositiveMainTest {
  @TempDir Path dir;
  final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();

  private int run(String... args) {
    return SinglePositiveMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void onePositiveEachDrawnFromTheImagesLabelsAndSeeded() throws IOException {
    Path full = Files.writeString(dir.resolve("full.txt"), "a.jpg,1 4 7\nb.jpg, 2\n\nc.jpg,0 3\n");
    assertEquals(0, run("--in", full.toString(), "--out", dir.resolve("s1.txt").toString(), "--seed", "5"), err.toString());
    assertEquals(0, run("--in", full.toString(), "--out", dir.resolve("s2.txt").toString(), "--seed", "5"));
    List<Sample> fullList = LabelList.read(full), single = LabelList.read(dir.resolve("s1.txt"));
    assertEquals(3, single.size());
    for (int i = 0; i < 3; i++) {
      assertEquals(fullList.get(i).path(), single.get(i).path());
      assertEquals(1, single.get(i).numLabels());
      assertTrue(fullList.get(i).has(single.get(i).label(0)), "a positive of the image");
    }
    assertEquals(Files.readString(dir.resolve("s1.txt")), Files.readString(dir.resolve("s2.txt")), "same seed, same list");
    assertTrue(out.toString().contains("Wrote 3 images"), out.toString());
  }

  @Test
  void drawsAreUniform() {
    List<Sample> many = new ArrayList<>();
    for (int i = 0; i < 30000; i++) many.add(new Sample("i" + i + ".jpg", new int[] {3, 5, 9}));
    int[] count = new int[10];
    for (Sample s : SinglePositive.draw(many, 1)) count[s.label(0)]++;
    double worst = 0;
    for (int c : new int[] {3, 5, 9}) worst = Math.max(worst, Math.abs(count[c] - 10000) / 10000.0);
    System.out.printf("single-positive draws over 3 labels: %d %d %d (worst deviation %.3f)%n", count[3], count[5], count[9], worst);
    assertTrue(worst < 0.03, "each label about a third of the time");
    assertNotEquals(SinglePositive.draw(many, 1), SinglePositive.draw(many, 2), "the seed matters");
  }

  @Test
  void cocoJsonInput() throws IOException {
    Path json = Files.writeString(dir.resolve("instances_train2014.json"), CocoAnnotationsTest.tinyJson());
    assertEquals(0, run("--in", json.toString(), "--out", dir.resolve("coco.txt").toString(), "--seed", "0"), err.toString());
    List<Sample> single = LabelList.read(dir.resolve("coco.txt"));
    assertEquals(2, single.size(), "images with annotations");
    assertEquals("COCO_val2014_000000000042.jpg", single.get(1).path());
    assertEquals(0, single.get(1).label(0));
  }

  @Test
  void releasedListsReadAsTheyAre() {
    Path released = Shared.referenceData("lists/voc_val.txt");
    List<Sample> val = LabelList.read(released, 20);
    assertEquals(5823, val.size());
    assertEquals(5717, LabelList.read(Shared.referenceData("lists/voc_train.txt"), 20).size());
    assertEquals(5994, LabelList.read(Shared.referenceData("lists/cub_train.txt"), 312).size(), "', 212' with a space");
  }

  @Test
  void badArgumentsAndInput() throws IOException {
    assertEquals(2, run("--in", "x.txt", "--seed", "1"));
    assertTrue(err.toString().contains("--out"), err.toString());
    assertEquals(2, run("--in", "x.txt", "--out", "y.txt", "--seed", "one"));
    assertEquals(1, run("--in", dir.resolve("none.txt").toString(), "--out", dir.resolve("y.txt").toString(), "--seed", "1"));
    assertTrue(err.toString().contains("none.txt"), err.toString());
    Path bad = Files.writeString(dir.resolve("bad.txt"), "a.jpg,1\nb.jpg,x\n");
    assertEquals(1, run("--in", bad.toString(), "--out", dir.resolve("y.txt").toString(), "--seed", "1"));
    assertTrue(err.toString().contains("bad.txt:2"), err.toString());
    assertTrue(!Files.exists(dir.resolve("y.txt")), "nothing written on error");
  }
}
