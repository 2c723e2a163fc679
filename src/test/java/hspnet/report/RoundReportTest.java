package hspnet.report;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import hspnet.data.DemoDataset;
import hspnet.data.LabelSet;
import hspnet.eval.Metrics;
import hspnet.testutil.ResultFiles;
import java.util.Locale;

/** The charts and text files of a round, from metrics written by hand (no training needed). */
class RoundReportTest {
  @TempDir Path dir;

  static int colours(BufferedImage img) {
    Set<Integer> seen = new HashSet<>();
    for (int y = 0; y < img.getHeight(); y += 2)
      for (int x = 0; x < img.getWidth(); x += 2) seen.add(img.getRGB(x, y));
    return seen.size();
  }

  @Test
  void trainingChartsAndSummaryComeFromTheMetricsFile() throws Exception {
    Path round = Files.createDirectories(dir.resolve("run/round3"));
    LabelSet labels = DemoDataset.labelSet();
    double[] ap = new double[16];
    for (int c = 0; c < 16; c++) ap[c] = 100.0 * (c + 1) / 16;
    for (int e = 0; e < 4; e++)
      MetricsFile.record(round, new EpochMetrics(e, 19, 600, 3.0 - e * 0.5, new double[] {1e-3, 1e-3, 1e-3, 1e-3},
          30 + 10 * e, 28 + 11 * e, 10, 8, 75, "ema", ap));
    RoundReport.Written w = RoundReport.afterTraining(round, labels, new RoundReport.RunInfo(Path.of("cfg.yaml"), "cpu, 1 LibTorch thread(s)"),
        42.5, 40.0, 4, 5);
    assertEquals(List.of(), w.warnings());
    for (String f : new String[] {MetricsFile.FILE, RoundReport.MAP_CHART, RoundReport.LOSS_CHART, RoundReport.AP_CHART, RunSummary.FILE})
      assertTrue(w.files().contains(round.resolve(f)), f + " in " + w.files());
    BufferedImage map = ResultFiles.png(round.resolve(RoundReport.MAP_CHART));
    assertEquals(Charts.WIDTH, map.getWidth());
    assertEquals(Charts.HEIGHT, map.getHeight());
    assertTrue(colours(map) > 10, "the mAP chart has lines and text");
    BufferedImage loss = ResultFiles.png(round.resolve(RoundReport.LOSS_CHART));
    assertEquals(Charts.WIDTH + "x" + Charts.HEIGHT, loss.getWidth() + "x" + loss.getHeight());
    BufferedImage perClass = ResultFiles.png(round.resolve(RoundReport.AP_CHART));
    assertEquals(Charts.WIDTH, perClass.getWidth());
    assertEquals(Charts.apChartHeight(16), perClass.getHeight());
    assertEquals(376, Charts.apChartHeight(16));

    Map<String, String> s = RunSummary.read(round);
    assertEquals("cfg.yaml", s.get("config"));
    assertEquals("3", s.get("best epoch"), "epoch 3: model 60, EMA 61");
    assertTrue(s.get("best mAP").startsWith("61.00 (model 60.00, EMA 61.00)"), s.get("best mAP"));
    assertTrue(s.get("wall time").startsWith("42.5 s"), s.get("wall time"));
    assertTrue(s.get("libtorch").startsWith("2.10.0"), s.get("libtorch"));
    assertTrue(s.get("java").startsWith(System.getProperty("java.version")), s.get("java"));
    assertNotNull(s.get("cuda"));
    assertEquals("cpu, 1 LibTorch thread(s)", s.get("device"));
  }

  @Test
  void testModeWritesItsJsonItsChartAndAddsToTheSummary() throws Exception {
    Path round = Files.createDirectories(dir.resolve("run/round1"));
    RunSummary.update(round, Map.of("best epoch", "7"));
    float[][] scores = {{0.9f, 0.2f}, {0.4f, 0.8f}, {0.7f, 0.6f}};
    int[][] targets = {{1, 0}, {0, 1}, {0, 1}};
    LabelSet two = new LabelSet(List.of("sun", "traffic_light"), List.of("all"), new int[] {0, 0});
    Metrics.ThresholdMetrics m = Metrics.atThreshold(scores, targets, 0.5);
    double[] ap = Metrics.averagePrecisionPerClass(scores, targets);
    double map = Metrics.meanAveragePrecision(scores, targets);
    RoundReport.Written w = RoundReport.afterTest(round, two, new RoundReport.RunInfo(Path.of("c.yaml"), "cpu"),
        round.resolve("model-highest.ckpt"), 3, 0.5, map, m, ap);
    assertEquals(List.of(), w.warnings());
    JsonNode j = new ObjectMapper().readTree(round.resolve(TestMetricsFile.FILE).toFile());
    assertEquals(map, j.get("map").doubleValue(), 1e-12);
    assertEquals(m.pO(), j.get("P_O").doubleValue(), 1e-6);
    for (String k : new String[] {"P_C", "R_C", "F_C", "P_O", "R_O", "F_O"}) assertTrue(j.get(k).isNumber(), k);
    assertEquals("traffic_light", j.get("per_class").get(1).get("label").textValue());
    assertEquals(100 * ap[1], j.get("per_class").get(1).get("ap").doubleValue(), 1e-9);
    BufferedImage img = ResultFiles.png(round.resolve(RoundReport.TEST_AP_CHART));
    assertEquals(Charts.apChartHeight(2), img.getHeight());
    Map<String, String> s = RunSummary.read(round);
    assertEquals("7", s.get("best epoch"), "the training's entries stay");
    assertTrue(s.get("test mAP").startsWith(String.format(Locale.ROOT, "%.2f on 3 images", map)), s.get("test mAP"));
  }

  @Test
  void theCudaVersionIsReadFromLibTorchsBuildConfiguration() {
    assertEquals("12.8", Versions.cudaVersion("  - CUDA Runtime 12.8\n  - CuDNN 9.7"));
    assertEquals("12.6", Versions.cudaVersion("Build settings: BLAS_INFO=open, CUDA_VERSION=12.6, USE_CUDA=ON"));
    assertNull(Versions.cudaVersion("Build settings: TORCH_VERSION=2.10.0, USE_CUDA=0, USE_CUDNN=OFF"));
  }
}
