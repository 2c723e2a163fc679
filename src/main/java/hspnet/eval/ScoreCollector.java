package hspnet.eval;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import java.util.Arrays;

/**
 * Gathers the per-batch scores and targets of an evaluation pass into the full N × C matrices that
 * {@link Metrics} takes (the original concatenates its batches the same way before {@code mAP}).
 * Rows keep the order in which batches arrive.
 */
public final class ScoreCollector {
  private final List<float[]> scores = new ArrayList<>();
  private final List<int[]> targets = new ArrayList<>();
  private int classes = -1;

  /** Adds a batch given as Java arrays ({@code [B][C]} each); the rows are copied. */
  public void add(float[][] batchScores, int[][] batchTargets) {
    if (batchScores == null || batchTargets == null)
      throw new IllegalArgumentException("batch scores and targets must not be null");
    if (batchScores.length != batchTargets.length)
      throw new IllegalArgumentException("batch has " + batchScores.length + " score rows but "
          + batchTargets.length + " target rows");
    int expected = classes >= 0 || batchScores.length == 0 ? classes : batchScores[0].length;
    for (int i = 0; i < batchScores.length; i++) {
      checkClasses(batchScores[i].length, expected, "score row " + i);
      checkClasses(batchTargets[i].length, expected, "target row " + i);
    }
    if (batchScores.length > 0) classes = expected;
    for (int i = 0; i < batchScores.length; i++) {
      scores.add(batchScores[i].clone());
      targets.add(batchTargets[i].clone());
    }
  }

  /**
   * Adds a batch given as 2-D tensors {@code [B, C]} on any device: scores are read as float32,
   * targets as integers. The tensors are left untouched; the copies made here are freed at once.
   */
  public void add(Tensor batchScores, Tensor batchTargets) {
    long[] s = batchScores.sizes().vec().get();
    long[] t = batchTargets.sizes().vec().get();
    if (s.length != 2 || t.length != 2 || s[0] != t[0] || s[1] != t[1])
      throw new IllegalArgumentException("scores and targets must both be [batch, classes] tensors; got "
          + Arrays.toString(s) + " and " + Arrays.toString(t));
    int rows = Math.toIntExact(s[0]);
    int cols = Math.toIntExact(s[1]);
    float[] flatScores = new float[rows * cols];
    int[] flatTargets = new int[rows * cols];
    try (PointerScope scope = new PointerScope()) {
      Tensor sc = batchScores.detach().to(ScalarType.Float).cpu().contiguous();
      Tensor tc = batchTargets.detach().to(ScalarType.Int).cpu().contiguous();
      if (flatScores.length > 0) {
        sc.data_ptr_float().get(flatScores);
        tc.data_ptr_int().get(flatTargets);
      }
    }
    float[][] bs = new float[rows][];
    int[][] bt = new int[rows][];
    for (int r = 0; r < rows; r++) {
      bs[r] = Arrays.copyOfRange(flatScores, r * cols, (r + 1) * cols);
      bt[r] = Arrays.copyOfRange(flatTargets, r * cols, (r + 1) * cols);
    }
    add(bs, bt);
  }

  /** Number of samples gathered so far. */
  public int size() { return scores.size(); }

  /** All scores gathered so far, {@code [N][C]} (a copy). */
  public float[][] scores() {
    float[][] out = new float[scores.size()][];
    for (int i = 0; i < out.length; i++) out[i] = scores.get(i).clone();
    return out;
  }

  /** All targets gathered so far, {@code [N][C]} (a copy). */
  public int[][] targets() {
    int[][] out = new int[targets.size()][];
    for (int i = 0; i < out.length; i++) out[i] = targets.get(i).clone();
    return out;
  }

  private static void checkClasses(int n, int expected, String what) {
    if (n != expected)
      throw new IllegalArgumentException("batch " + what + " has " + n + " classes; expected " + expected);
  }
}
