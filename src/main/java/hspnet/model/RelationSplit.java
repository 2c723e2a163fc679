package hspnet.model;

import java.util.Arrays;

/**
 * HSPNet's split() of a cosine-similarity block into a graph-convolution adjacency: in each row keep
 * the int(3/4·n) largest entries (the diagonal, a row's maximum, among them) and zero the rest,
 * zero the diagonal, rescale the row to sum to p, and put 1−p on the diagonal. Float32 arithmetic,
 * as the original computes it on a float32 tensor. The result is not symmetric.
 */
public final class RelationSplit {
  private RelationSplit() {}

  /**
   * @param r a row-major n×n block of the relation matrix
   * @param p reweight_p, the off-diagonal mass of every row
   */
  public static float[] split(float[] r, int n, double p) {
    if (r.length != n * n) throw new IllegalArgumentException("relation block is not " + n + "x" + n);
    int k = (int) (3.0 / 4.0 * n);
    float[] out = new float[n * n];
    float pf = (float) p;
    for (int i = 0; i < n; i++) {
      Integer[] order = new Integer[n];
      for (int j = 0; j < n; j++) order[j] = j;
      final int row = i;
      Arrays.sort(order, (a, b) -> Float.compare(r[row * n + b], r[row * n + a]));
      for (int t = 0; t < k; t++) out[i * n + order[t]] = r[i * n + order[t]];
      out[i * n + i] = 0f;
      float sum = 0f;
      for (int j = 0; j < n; j++) sum += out[i * n + j];
      for (int j = 0; j < n; j++) out[i * n + j] = sum == 0f ? 0f : out[i * n + j] / sum * pf;
      out[i * n + i] = 1f - pf;
    }
    return out;
  }

  /** Rows/columns [from, from+n) of a square matrix of side {@code side}. */
  public static float[] block(float[] m, int side, int from, int n) {
    float[] out = new float[n * n];
    for (int i = 0; i < n; i++) System.arraycopy(m, (from + i) * side + from, out, i * n, n);
    return out;
  }
}
