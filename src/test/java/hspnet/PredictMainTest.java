package hspnet;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import hspnet.data.LabelList;
import hspnet.testutil.TrainedDemo;

/**
 * hspnet-predict on the demo's validation images with the shared small demo model
 * ({@link TrainedDemo}): the labels it finds agree with the generator's ground truth far above
 * chance; JSON, CSV and the table carry the same predictions; unreadable inputs are listed,
 * skipped and counted; a checkpoint of another model, usage errors and an empty input fail with
 * one line and the documented exit status.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PredictMainTest {
  static final List<String> LABELS = List.of("sun", "moon", "cloud", "bird", "boat", "fish", "wave", "starfish",
      "flower", "tree", "mushroom", "butterfly", "car", "house", "bus", "traffic_light");
  @TempDir static Path dir;
  TrainedDemo.Run run;
  /** Ground truth of every validation image, by file name. */
  final Map<String, Set<Integer>> truth = new HashMap<>();
  final ObjectMapper json = new ObjectMapper();
  JsonNode predictions;

  record Result(int exit, String out, String err) {}

  Result predict(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    int exit = PredictMain.run(args, run.checkpoints(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  Path valImages() {
    return run.data().resolve("images/val");
  }

  @BeforeAll
  void predictTheValidationImages() throws Exception {
    run = TrainedDemo.get();
    assertEquals(0, run.exit(), run.err());
    for (LabelList.Sample s : LabelList.read(run.data().resolve("val.txt"), 16)) {
      Set<Integer> pos = new HashSet<>();
      for (int l : s.labels()) pos.add(l);
      truth.put(Path.of(s.path()).getFileName().toString(), pos);
    }
    Path file = dir.resolve("predictions.json");
    Result r = predict("-c", run.config().toString(), "-r", "1", "--top-k", "3", "--out", file.toString(), valImages().toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.err().contains("predicted 200 image(s)"), r.err());
    predictions = json.readTree(file.toFile());
  }

  @Test
  void labelsFoundMatchTheGeneratorsGroundTruthFarAboveChance() {
    JsonNode images = predictions.get("images");
    assertEquals(200, images.size());
    assertEquals(LABELS, json.convertValue(predictions.get("label_names"), List.class));
    double threshold = predictions.get("threshold").doubleValue();
    assertEquals(0.5, threshold, "the config's thre (base.yaml)");
    int top1Hits = 0, tp = 0, predicted = 0, positives = 0;
    double chanceTop1 = 0;
    for (JsonNode img : images) {
      Set<Integer> pos = truth.get(Path.of(img.get("path").textValue()).getFileName().toString());
      assertNotNull(pos, img.get("path").textValue());
      chanceTop1 += pos.size() / 16.0 / images.size();
      positives += pos.size();
      assertEquals(3, img.get("top_k").size());
      assertEquals(16, img.get("scores").size());
      if (pos.contains(LABELS.indexOf(img.get("top_k").get(0).get("label").textValue()))) top1Hits++;
      for (JsonNode l : img.get("labels")) {
        assertTrue(l.get("score").doubleValue() > threshold);
        predicted++;
        if (pos.contains(LABELS.indexOf(l.get("label").textValue()))) tp++;
      }
    }
    double top1 = top1Hits / 200.0, precision = predicted == 0 ? 0 : (double) tp / predicted, recall = (double) tp / positives;
    System.out.printf("predict on 200 demo validation images: top-1 precision %.3f (chance %.3f, %.1fx), "
        + "labels above %.2f: precision %.3f, recall %.3f (%d predicted, %d true)%n",
        top1, chanceTop1, top1 / chanceTop1, threshold, precision, recall, predicted, positives);
    assertTrue(top1 > 2.5 * chanceTop1, "top-1 precision " + top1 + " vs chance " + chanceTop1);
    assertTrue(predicted > 0 && precision > 2 * chanceTop1, "precision above the threshold " + precision);
  }

  @Test
  void csvAndTableCarryTheSamePredictionsAsJson() throws Exception {
    Path csv = dir.resolve("p.csv");
    Result r = predict("-c", run.config().toString(), "--top-k", "3", "--out", csv.toString(), valImages().toString());
    assertEquals(0, r.exit(), r.err());
    List<String> lines = Files.readAllLines(csv);
    assertEquals(201, lines.size());
    String[] header = lines.get(0).split(",");
    assertEquals(3 + 16, header.length);
    assertEquals(List.of("path", "labels", "top_k", "sun"), List.of(header).subList(0, 4));
    for (int i = 1; i < lines.size(); i++) {
      String[] f = lines.get(i).split(",", -1);
      assertEquals(19, f.length, lines.get(i));
      JsonNode same = predictions.get("images").get(i - 1);
      assertEquals(same.get("path").textValue(), f[0]);
      assertEquals(same.get("top_k").get(0).get("label").textValue(), f[2].split(";")[0].split(":")[0]);
      for (int c = 0; c < 16; c++) {
        double s = Double.parseDouble(f[3 + c]);
        assertTrue(s >= 0 && s <= 1);
        assertEquals(same.get("scores").get(c).doubleValue(), s, 1e-6);
      }
    }
    Result table = predict("-c", run.config().toString(), "-r", "1", "--threshold", "0.99", valImages().resolve("00000.png").toString(),
        valImages().resolve("00001.png").toString());
    assertEquals(0, table.exit(), table.err());
    List<String> rows = table.out().lines().toList();
    assertEquals(3, rows.size(), table.out());
    assertTrue(rows.get(0).matches("image +labels with score > 0\\.99 +top 5"), rows.get(0));
    assertTrue(rows.get(1).startsWith(valImages().resolve("00000.png").toString() + " "), rows.get(1));
    String top = predictions.get("images").get(0).get("top_k").get(0).get("label").textValue().replace('_', ' ');
    assertTrue(rows.get(1).matches(".*  " + top + " \\d\\.\\d{3}, .*"), rows.get(1) + " should start its top 5 with " + top);
  }

  @Test
  void unreadableImagesAreListedSkippedAndCounted() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("mixed"));
    Files.copy(valImages().resolve("00000.png"), folder.resolve("a.png"));
    Files.copy(valImages().resolve("00001.png"), folder.resolve("b.png"));
    Files.writeString(folder.resolve("broken.png"), "not a png");
    Path missing = dir.resolve("nowhere.jpg");
    Path file = dir.resolve("mixed.json");
    Result r = predict("-c", run.config().toString(), "--out", file.toString(), folder.toString(), missing.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.err().contains("skipped " + missing + ": no such file or folder"), r.err());
    assertTrue(r.err().contains("skipped " + folder.resolve("broken.png") + ": cannot decode image"), r.err());
    assertTrue(r.err().contains("predicted 2 image(s)") && r.err().contains("2 unreadable input(s) skipped"), r.err());
    JsonNode j = json.readTree(file.toFile());
    assertEquals(2, j.get("images").size());
    assertEquals(2, j.get("unreadable").size());

    Result none = predict("-c", run.config().toString(), folder.resolve("broken.png").toString());
    assertEquals(1, none.exit(), none.err());
    assertTrue(none.err().contains("skipped " + folder.resolve("broken.png")), none.err());
    assertTrue(none.err().contains("error: none of the 1 image file(s) could be read"), none.err());
  }

  @Test
  void aRunFolderWithoutRelationCacheIsLeftAsItIs() throws Exception {
    // a copy of the run whose relation cache is gone (a shared or read-only run folder)
    Path root = dir.resolve("bare-checkpoints");
    Path runFolder = run.round().getParent();
    Path copy = root.resolve(runFolder.getFileName());
    Files.createDirectories(copy.resolve(run.round().getFileName()));
    Files.copy(run.round().resolve("model-highest.ckpt"), copy.resolve(run.round().getFileName()).resolve("model-highest.ckpt"));
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    Path file = dir.resolve("bare.json");
    int exit = PredictMain.run(new String[] {"-c", run.config().toString(), "-r", "1", "--out", file.toString(),
        valImages().resolve("00000.png").toString()}, root, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
    try (var listing = Files.list(copy)) {
      assertEquals(List.of(run.round().getFileName().toString()), listing.map(p -> p.getFileName().toString()).toList(),
          "no relation cache written into the run folder");
    }
    JsonNode same = predictions.get("images").get(0), bare = json.readTree(file.toFile()).get("images").get(0);
    for (int c = 0; c < 16; c++)
      assertEquals(same.get("scores").get(c).doubleValue(), bare.get("scores").get(c).doubleValue(), 1e-6, "the recomputed relation is the cached one");
  }

  @Test
  void aCheckpointOfAnotherModelIsOneClearError() throws Exception {
    Path other = dir.resolve("other.yaml");
    Files.writeString(other, Files.readString(run.config()).replace("checkpoint: e2e", "checkpoint: other")
        .replace("  embed_dim: 64", "  embed_dim: 32"));
    Path ckpt = run.round().resolve("model-highest.ckpt");
    Result r = predict("-c", other.toString(), "--checkpoint", ckpt.toString(), valImages().resolve("00000.png").toString());
    assertEquals(1, r.exit(), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().startsWith("error: checkpoint does not fit the model of " + other), r.err());
    assertTrue(r.err().contains(ckpt.toString()), "names the checkpoint: " + r.err());
    assertFalse(Files.exists(run.checkpoints().resolve("other")), "prediction creates no run folder");
  }

  @Test
  void usageErrorsExitWithTwo() {
    String cfg = run.config().toString(), img = valImages().resolve("00000.png").toString();
    String[][] cases = {
        {"-c", cfg},
        {img},
        {"-c", cfg, "-r", "1", "--checkpoint", "x.ckpt", img},
        {"-c", cfg, "--threshold", "1.5", img},
        {"-c", cfg, "--top-k", "0", img},
        {"-c", cfg, "--format", "xml", img},
        {"-c", cfg, "--colour", img},
        {"-c", cfg, "-r", "9", img},
    };
    String[] expected = {"no images given", "missing -c", "not both", "between 0 and 1", "--top-k needs a count of 1 or more",
        "table, json or csv", "unknown option '--colour'", "round9: no such round"};
    for (int i = 0; i < cases.length; i++) {
      Result r = predict(cases[i]);
      assertEquals(2, r.exit(), String.join(" ", cases[i]) + ": " + r.err());
      assertTrue(r.err().startsWith("error: ") && r.err().contains(expected[i]), String.join(" ", cases[i]) + ": " + r.err());
    }
    Result missing = predict("-c", cfg, "--checkpoint", dir.resolve("none.ckpt").toString(), img);
    assertEquals(1, missing.exit());
    assertTrue(missing.err().contains("none.ckpt: no such checkpoint"), missing.err());
    Result help = predict("--help");
    assertEquals(0, help.exit());
    assertTrue(help.out().startsWith("usage: hspnet-predict"), help.out());
  }
}
