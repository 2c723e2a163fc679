package hspnet.eval;

import static org.junit.jupiter.api.Assertions.*;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

import static org.bytedeco.pytorch.global.torch.from_blob;

class ScoreCollectorTest {

  @Test
  void batchesOfTensorsAddUpToTheFullMatrices() throws Exception {
    float[][] scores = MetricsTest.fixtureScores();
    int[][] targets = MetricsTest.fixtureTargets();
    int n = scores.length, c = scores[0].length;
    ScoreCollector collector = new ScoreCollector();
    // three uneven batches, whatever the fixture's sample count
    int[] batchEnds = {n / 3, n / 3 + n / 2 - 1, n};
    int start = 0;
    for (int end : batchEnds) {
      try (PointerScope scope = new PointerScope()) {
        collector.add(floatTensor(scores, start, end), longTensor(targets, start, end));
      }
      start = end;
    }
    assertEquals(n, collector.size());
    assertArrayEquals(scores, collector.scores());
    assertArrayEquals(targets, collector.targets());
    assertEquals(Metrics.meanAveragePrecision(scores, targets),
        Metrics.meanAveragePrecision(collector.scores(), collector.targets()));
    assertEquals(c, collector.scores()[n - 1].length);
  }

  @Test
  void arrayBatchesAreCopiedAndMustAgreeOnTheClassCount() {
    ScoreCollector collector = new ScoreCollector();
    float[][] s = {{.1f, .9f}};
    int[][] t = {{0, 1}};
    collector.add(s, t);
    s[0][0] = 7f;   // a later change to the caller's array must not leak in
    collector.add(new float[][] {{.4f, .2f}, {.3f, .3f}}, new int[][] {{1, 0}, {0, 0}});
    assertEquals(3, collector.size());
    assertEquals(.1f, collector.scores()[0][0]);
    assertArrayEquals(new int[] {1, 0}, collector.targets()[1]);

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> collector.add(new float[][] {{.1f, .2f, .3f}}, new int[][] {{0, 0, 1}}));
    assertTrue(e.getMessage().contains("3 classes") && e.getMessage().contains("expected 2"), e.getMessage());
    assertEquals(3, collector.size(), "a refused batch adds nothing");
  }

  @Test
  void refusesTensorsOfDifferentShapes() {
    ScoreCollector collector = new ScoreCollector();
    try (PointerScope scope = new PointerScope()) {
      Tensor s = floatTensor(new float[][] {{.1f, .2f}}, 0, 1);
      Tensor t = longTensor(new int[][] {{1, 0, 0}}, 0, 1);
      assertThrows(IllegalArgumentException.class, () -> collector.add(s, t));
    }
  }

  private static Tensor floatTensor(float[][] rows, int from, int to) {
    int c = rows[0].length;
    float[] flat = new float[(to - from) * c];
    for (int i = from; i < to; i++) System.arraycopy(rows[i], 0, flat, (i - from) * c, c);
    try (FloatPointer p = new FloatPointer(flat)) {
      return from_blob(p, new long[] {to - from, c},
          new TensorOptions().dtype(new ScalarTypeOptional(ScalarType.Float))).clone();
    }
  }

  private static Tensor longTensor(int[][] rows, int from, int to) {
    int c = rows[0].length;
    long[] flat = new long[(to - from) * c];
    for (int i = from; i < to; i++) for (int j = 0; j < c; j++) flat[(i - from) * c + j] = rows[i][j];
    try (LongPointer p = new LongPointer(flat)) {
      return from_blob(p, new long[] {to - from, c},
          new TensorOptions().dtype(new ScalarTypeOptional(ScalarType.Long))).clone();
    }
  }
}
