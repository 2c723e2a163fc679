package hspnet.model;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class RelationSplitTest {
  @Test
  void keepsTopThreeQuartersZeroesDiagonalAndReweights() {
    // n = 4 → k = int(3/4·4) = 3 entries kept per row, the diagonal (1.0) among them.
    float[] r = {
        1.0f, 0.9f, 0.2f, 0.5f,
        0.9f, 1.0f, 0.4f, 0.3f,
        0.2f, 0.4f, 1.0f, 0.8f,
        0.5f, 0.3f, 0.8f, 1.0f};
    float[] a = RelationSplit.split(r, 4, 0.2);
    // row 0 keeps 1.0 (diag), 0.9, 0.5 → off-diagonal 0.9, 0.5 rescaled to sum 0.2
    assertEquals(0.8f, a[0], 1e-7);
    assertEquals(0.9f / 1.4f * 0.2f, a[1], 1e-7);
    assertEquals(0f, a[2]);
    assertEquals(0.5f / 1.4f * 0.2f, a[3], 1e-7);
    for (int i = 0; i < 4; i++) {
      float sum = 0;
      for (int j = 0; j < 4; j++) sum += a[i * 4 + j];
      assertEquals(1.0f, sum, 1e-6, "row " + i + " sums to (1-p) + p");
    }
    // not symmetric in general: row 2 keeps 0.8 and 0.4, so a[2][1] > 0 while row 1 keeps col 2 too
    assertEquals(0.4f / 1.2f * 0.2f, a[2 * 4 + 1], 1e-7);
  }

  @Test
  void blockExtractsTheLabelAndGroupParts() {
    float[] m = new float[9];
    for (int i = 0; i < 9; i++) m[i] = i;
    assertArrayEquals(new float[] {0, 1, 3, 4}, RelationSplit.block(m, 3, 0, 2));
    assertArrayEquals(new float[] {8}, RelationSplit.block(m, 3, 2, 1));
  }
}
