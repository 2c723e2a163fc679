package hspnet.eval;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import hspnet.io.Npy;
import hspnet.io.NpyArray;
import hspnet.testutil.Shared;

class MetricsTest {

  /** metrics.preds.npy (sigmoid scores) and metrics.targets.npy as [N][C] arrays. */
  static float[][] fixtureScores() throws Exception {
    NpyArray a = Npy.read(Shared.fixture("metrics.preds.npy"));
    long[] s = a.shape();
    float[] v = a.floats();
    float[][] out = new float[(int) s[0]][(int) s[1]];
    for (int i = 0; i < out.length; i++) System.arraycopy(v, i * out[i].length, out[i], 0, out[i].length);
    return out;
  }

  static int[][] fixtureTargets() throws Exception {
    NpyArray a = Npy.read(Shared.fixture("metrics.targets.npy"));
    long[] s = a.shape();
    long[] v = a.longs();
    int[][] out = new int[(int) s[0]][(int) s[1]];
    for (int i = 0; i < out.length; i++)
      for (int j = 0; j < out[i].length; j++) out[i][j] = Math.toIntExact(v[i * out[i].length + j]);
    return out;
  }

  static JsonNode metricsCase() throws Exception {
    Path json = Shared.fixture("cases.json");
    return new ObjectMapper().readTree(json.toFile()).get("metrics");
  }

  // Two classes, four samples.
  //   class 0: scores .9 .8 .3 .1, targets 1 0 1 0 -> positives at ranks 1 and 3:
  //            AP = (1/1 + 2/3) / (2 + 1e-8)
  //   class 1: scores .2 .7 .6 .4, targets 0 0 0 1 -> descending .7 .6 .4 .2, the positive at rank 3:
  //            AP = (1/3) / (1 + 1e-8)
  //   at 0.5:  class 0 predicts 1 1 0 0 -> tp 1 fp 1 fn 1 tn 1, P = R = F = 50
  //            class 1 predicts 0 1 1 0 -> tp 0 fp 2 fn 1 tn 1, P = R = F = 0 (tp = 0)
  //            P_C = R_C = F_C = 25; overall tp 1, tp+fp 4, tp+fn 3:
  //            P_O = 25, R_O = 100/3, F_O = 2·25·(100/3) / (25 + 100/3) = 200/7
  private static final float[][] SMALL_SCORES = {{.9f, .2f}, {.8f, .7f}, {.3f, .6f}, {.1f, .4f}};
  private static final int[][] SMALL_TARGETS = {{1, 0}, {0, 0}, {1, 0}, {0, 1}};

  @Test
  void averagePrecisionOfAHandCheckedCase() {
    double[] ap = Metrics.averagePrecisionPerClass(SMALL_SCORES, SMALL_TARGETS);
    assertEquals((1.0 + 2.0 / 3.0) / (2 + 1e-8), ap[0], 1e-15);
    assertEquals((1.0 / 3.0) / (1 + 1e-8), ap[1], 1e-15);
    assertEquals(100 * (ap[0] + ap[1]) / 2, Metrics.meanAveragePrecision(SMALL_SCORES, SMALL_TARGETS), 1e-12);
  }

  @Test
  void thresholdMetricsOfAHandCheckedCase() {
    Metrics.ThresholdMetrics m = Metrics.atThreshold(SMALL_SCORES, SMALL_TARGETS, 0.5);
    assertArrayEquals(new int[] {1, 0}, m.tp());
    assertArrayEquals(new int[] {1, 2}, m.fp());
    assertArrayEquals(new int[] {1, 1}, m.fn());
    assertArrayEquals(new int[] {1, 1}, m.tn());
    assertArrayEquals(new double[] {50, 0}, m.precision(), 1e-12);
    assertArrayEquals(new double[] {50, 0}, m.recall(), 1e-12);
    assertArrayEquals(new double[] {50, 0}, m.f1(), 1e-12);
    assertEquals(25, m.pC(), 1e-12);
    assertEquals(25, m.rC(), 1e-12);
    assertEquals(25, m.fC(), 1e-12);
    assertEquals(25, m.pO(), 1e-12);
    // float32 values: within float32 rounding of the exact fractions
    assertEquals(100.0 / 3, m.rO(), 1e-5);
    assertEquals(200.0 / 7, m.fO(), 1e-5);
  }

  @Test
  void predictionIsStrictlyAboveTheThresholdAndPositivesAreOnlyOnes() {
    // a score equal to the threshold is not a prediction; a target of 2 is not a positive for AP
    float[][] scores = {{0.5f}, {0.75f}};
    int[][] targets = {{1}, {2}};
    Metrics.ThresholdMetrics m = Metrics.atThreshold(scores, targets, 0.5);
    // row 0: pred 0 (0.5 is not > 0.5), target 1 -> pred-t = -1: false negative.
    // row 1: pred 1, target 2 -> pred+t = 3, pred-t = -1: also a false negative by the original's formulas.
    assertArrayEquals(new int[] {0, 0, 2, 0}, new int[] {m.tp()[0], m.fp()[0], m.fn()[0], m.tn()[0]});
    // just above the threshold counts
    assertEquals(1, Metrics.atThreshold(new float[][] {{Math.nextUp(0.5f)}}, new int[][] {{1}}, 0.5).tp()[0]);
    // the only "1" target sits at rank 2: AP = (1/2) / (1 + 1e-8)
    assertEquals(0.5 / (1 + 1e-8), Metrics.averagePrecisionPerClass(scores, targets)[0], 1e-15);
  }

  @Test
  void classWithoutPositivesScoresZeroAndCountsInTheMean() {
    float[][] scores = {{.9f, .9f}, {.1f, .1f}};
    int[][] targets = {{1, 0}, {0, 0}};
    assertArrayEquals(new double[] {1 / (1 + 1e-8), 0}, Metrics.averagePrecisionPerClass(scores, targets), 1e-15);
    assertEquals(50 / (1 + 1e-8), Metrics.meanAveragePrecision(scores, targets), 1e-12);
  }

  @Test
  void refusesRaggedOrMismatchedInput() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Metrics.meanAveragePrecision(new float[][] {{1, 2}, {3}}, new int[][] {{1, 0}, {0}}));
    assertTrue(e.getMessage().contains("sample 1"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> Metrics.atThreshold(new float[][] {{1}}, new int[][] {{1}, {0}}, 0.5));
  }

  @Test
  void matchesTheReferenceMapAndApPerClass() throws Exception {
    float[][] scores = fixtureScores();
    int[][] targets = fixtureTargets();
    JsonNode ref = metricsCase();

    double[] ap = Metrics.averagePrecisionPerClass(scores, targets);
    JsonNode refAp = ref.get("average_precision_per_class");
    assertEquals(refAp.size(), ap.length);
    double maxApDiff = 0;
    for (int c = 0; c < ap.length; c++) maxApDiff = Math.max(maxApDiff, Math.abs(ap[c] - refAp.get(c).asDouble()));
    double map = Metrics.meanAveragePrecision(scores, targets);
    double mapDiff = Math.abs(map - ref.get("mAP").asDouble());
    System.out.printf("metrics parity: mAP %.12f (|diff| %.3g), per-class AP max |diff| %.3g%n", map, mapDiff, maxApDiff);
    assertTrue(maxApDiff <= 1e-9, "per-class AP max diff " + maxApDiff);
    assertTrue(mapDiff <= 1e-9, "mAP diff " + mapDiff);
    // the fixture's special classes: no positive -> 0; every sample positive -> precision 1 at
    // each of the N positives, divided by N + 1e-8 (0.9999999998 for N = 50)
    int none = ref.get("class_without_positive").asInt(), all = ref.get("class_all_positive").asInt();
    assertEquals(0, positives(targets, none), "class_without_positive has no positive");
    assertEquals(targets.length, positives(targets, all), "class_all_positive is positive in every sample");
    assertEquals(0.0, ap[none]);
    double n = targets.length;
    assertEquals(n / (n + 1e-8), ap[all], 1e-12);
  }

  @Test
  void matchesTheReferenceTestMetrics() throws Exception {
    float[][] scores = fixtureScores();
    int[][] targets = fixtureTargets();
    JsonNode ref = metricsCase();
    Metrics.ThresholdMetrics m = Metrics.atThreshold(scores, targets, ref.get("thre").asDouble());

    JsonNode pc = ref.get("per_class");
    assertArrayEquals(ints(pc.get("tp")), m.tp());
    assertArrayEquals(ints(pc.get("fp")), m.fp());
    assertArrayEquals(ints(pc.get("fn")), m.fn());
    assertArrayEquals(ints(pc.get("tn")), m.tn());
    double maxPerClass = Math.max(maxAbsDiff(pc.get("P"), m.precision()),
        Math.max(maxAbsDiff(pc.get("R"), m.recall()), maxAbsDiff(pc.get("F"), m.f1())));

    JsonNode t = ref.get("test");
    double[] got = {m.pC(), m.rC(), m.fC(), m.pO(), m.rO(), m.fO()};
    String[] keys = {"P_C", "R_C", "F_C", "P_O", "R_O", "F_O"};
    double maxRel = 0;
    for (int i = 0; i < keys.length; i++) {
      double want = t.get(keys[i]).asDouble();
      maxRel = Math.max(maxRel, Math.abs(got[i] - want) / Math.abs(want));
    }
    System.out.printf("test() metrics parity: P_C/R_C/F_C/P_O/R_O/F_O max rel diff %.3g, per-class P/R/F max |diff| %.3g%n",
        maxRel, maxPerClass);
    assertTrue(maxRel <= 1e-6, "max rel diff " + maxRel);
    assertTrue(maxPerClass <= 1e-9, "per-class P/R/F max diff " + maxPerClass);
    // P_O/R_O/F_O are float32 results in the original; float64 math would miss them by ~1e-8 rel.
    assertEquals((float) t.get("P_O").asDouble(), (float) m.pO(), "P_O bit-identical in float32");
    assertEquals((float) t.get("R_O").asDouble(), (float) m.rO(), "R_O bit-identical in float32");
    assertEquals((float) t.get("F_O").asDouble(), (float) m.fO(), "F_O bit-identical in float32");
    // class_never_predicted: tp = fp = 0, so its P/R/F are 0
    int never = ref.get("class_never_predicted").asInt();
    assertEquals(0, m.tp()[never] + m.fp()[never]);
    assertEquals(0.0, m.f1()[never]);
  }

  private static int positives(int[][] targets, int c) {
    int n = 0;
    for (int[] row : targets) if (row[c] == 1) n++;
    return n;
  }

  private static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
    return out;
  }

  private static double maxAbsDiff(JsonNode want, double[] got) {
    assertEquals(want.size(), got.length);
    double max = 0;
    for (int i = 0; i < got.length; i++) max = Math.max(max, Math.abs(got[i] - want.get(i).asDouble()));
    return max;
  }
}
