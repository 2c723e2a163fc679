package hspnet.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import hspnet.nn.NumericalFault;

/** A model whose scores are not numbers gets no mAP: ranking NaN would give a finite one. */
class MetricsNonFiniteTest {
  private static final int[][] TARGETS = {{1, 0}, {0, 1}, {1, 1}};

  @Test
  void finiteScoresAreScored() {
    float[][] scores = {{0.9f, 0.1f}, {0.2f, 0.8f}, {0.7f, 0.6f}};
    assertEquals(100.0, Metrics.meanAveragePrecision(scores, TARGETS), 1e-6);
  }

  @Test
  void nanOrInfiniteScoresAreRefusedWithTheFirstOneNamed() {
    float[][] nan = {{0.9f, 0.1f}, {0.2f, Float.NaN}, {Float.NaN, 0.6f}};
    NumericalFault e = assertThrows(NumericalFault.class, () -> Metrics.meanAveragePrecision(nan, TARGETS));
    assertTrue(e.getMessage().contains("2 non-finite value(s)"), e.getMessage());
    assertTrue(e.getMessage().contains("sample 1, class 1"), e.getMessage());
    float[][] inf = {{0.9f, 0.1f}, {0.2f, 0.3f}, {Float.POSITIVE_INFINITY, 0.6f}};
    assertThrows(NumericalFault.class, () -> Metrics.averagePrecisionPerClass(inf, TARGETS));
    assertThrows(NumericalFault.class, () -> Metrics.atThreshold(nan, TARGETS, 0.5));
  }
}
