package hspnet.eval;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

import hspnet.nn.NumericalFault;

/**
 * Evaluation metrics of the original: mAP as {@code utils.mAP} computes it, and the threshold
 * metrics (per-class and overall precision / recall / F1) as the statements of {@code train.test()}
 * compute them, including which of them run in float32.
 *
 * <p>Inputs are {@code scores[sample][class]} (sigmoid outputs) and {@code targets[sample][class]};
 * a target counts as positive only when it equals 1, as in the original.
 */
public final class Metrics {
  /** Added to the positive count before dividing, so a class whose samples are all positive gets 0.9999999998. */
  private static final double AP_EPSILON = 1e-8;

  private Metrics() {}

  /**
   * Average precision of every class: scores sorted descending, the precision at the rank of every
   * positive summed and divided by (positives + 1e-8); a class without positives gets 0.
   * Ties keep the sample order (numpy's argsort is unstable; the fixtures have no ties). Scores
   * that are not finite are refused ({@link NumericalFault}): numpy would rank them and return a
   * finite mAP for a model that computes nothing.
   */
  public static double[] averagePrecisionPerClass(float[][] scores, int[][] targets) {
    int classes = checkShapes(scores, targets);
    checkFinite(scores);
    int n = scores.length;
    double[] ap = new double[classes];
    for (int c = 0; c < classes; c++) {
      final int k = c;
      Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
      // Float.compare orders NaN above every number: descending puts NaN first, like numpy.
      Arrays.sort(order, Comparator.comparingDouble((Integer i) -> scores[i][k]).reversed());
      long positives = 0;
      double precisionSum = 0;
      for (int rank = 1; rank <= n; rank++) {
        if (targets[order[rank - 1]][k] == 1) {
          positives++;
          precisionSum += (double) positives / (double) rank;
        }
      }
      ap[c] = precisionSum / (positives + AP_EPSILON);
    }
    return ap;
  }

  /** Refuses a score matrix holding inf or NaN, naming how many and the first one. */
  static void checkFinite(float[][] scores) {
    long bad = 0;
    int firstRow = -1, firstClass = -1;
    for (int i = 0; i < scores.length; i++) {
      for (int c = 0; c < scores[i].length; c++) {
        if (Float.isFinite(scores[i][c])) continue;
        if (bad++ == 0) {
          firstRow = i;
          firstClass = c;
        }
      }
    }
    if (bad > 0)
      throw new NumericalFault("the scores hold " + bad + " non-finite value(s) (the first: " + scores[firstRow][firstClass]
          + " for sample " + firstRow + ", class " + firstClass + "): the model's output is not a number");
  }

  /**
   * 100 × the mean of {@link #averagePrecisionPerClass} over ALL classes (classes without positives
   * pull the mean down, as in the original); 0 for an empty score matrix.
   */
  public static double meanAveragePrecision(float[][] scores, int[][] targets) {
    double[] ap = averagePrecisionPerClass(scores, targets);
    if (ap.length == 0) return 0;
    double sum = 0;
    for (double a : ap) sum += a;
    return 100 * (sum / ap.length);
  }

  /**
   * Threshold metrics as {@code train.test()} reports them. Per class: precision, recall, F1 (×100,
   * 0 where tp = 0) and their means P_C, R_C, F_C (float64). Overall: P_O, R_O, F_O from the summed
   * counts, held in float32 like the original's tensors (widened to double here). Counts follow the
   * original's formulas on {@code pred ± target}, so targets other than 0/1 count as they did there.
   */
  public record ThresholdMetrics(double pC, double rC, double fC, double pO, double rO, double fO,
      int[] tp, int[] fp, int[] fn, int[] tn, double[] precision, double[] recall, double[] f1) {}

  /** {@link ThresholdMetrics} with the prediction {@code score > thre} (strict). */
  public static ThresholdMetrics atThreshold(float[][] scores, int[][] targets, double thre) {
    int classes = checkShapes(scores, targets);
    checkFinite(scores);
    // torch compares a float32 tensor with a Python float after casting the float to float32.
    float threshold = (float) thre;
    int[] tp = new int[classes], fp = new int[classes], fn = new int[classes], tn = new int[classes];
    for (int s = 0; s < scores.length; s++) {
      for (int c = 0; c < classes; c++) {
        int pred = scores[s][c] > threshold ? 1 : 0;
        int t = targets[s][c];
        if (pred + t == 2) tp[c]++;
        if (pred - t == 1) fp[c]++;
        if (pred - t == -1) fn[c]++;
        if (pred + t == 0) tn[c]++;
      }
    }

    double[] precision = new double[classes], recall = new double[classes], f1 = new double[classes];
    double sumP = 0, sumR = 0, sumF = 0;
    for (int c = 0; c < classes; c++) {
      if (tp[c] > 0) {
        // float(tp.float() / (tp + fp).float()) * 100.0: a float32 quotient, scaled in float64.
        precision[c] = (double) ((float) tp[c] / (float) (tp[c] + fp[c])) * 100.0;
        recall[c] = (double) ((float) tp[c] / (float) (tp[c] + fn[c])) * 100.0;
        f1[c] = 2 * precision[c] * recall[c] / (precision[c] + recall[c]);
      }
      sumP += precision[c];
      sumR += recall[c];
      sumF += f1[c];
    }

    long tpSum = 0, tpFpSum = 0, tpFnSum = 0;
    for (int c = 0; c < classes; c++) {
      tpSum += tp[c];
      tpFpSum += tp[c] + fp[c];
      tpFnSum += tp[c] + fn[c];
    }
    // Every step below is one float32 tensor op of the original; Java float arithmetic rounds alike.
    float pO = (float) tpSum / (float) tpFpSum * 100.0f;
    float rO = (float) tpSum / (float) tpFnSum * 100.0f;
    float fO = 2.0f * pO * rO / (pO + rO);

    return new ThresholdMetrics(sumP / classes, sumR / classes, sumF / classes, pO, rO, fO,
        tp, fp, fn, tn, precision, recall, f1);
  }

  /** Checks that both matrices are N × C with the same C in every row; returns C (0 when N = 0). */
  private static int checkShapes(float[][] scores, int[][] targets) {
    if (scores == null || targets == null)
      throw new IllegalArgumentException("scores and targets must not be null");
    if (scores.length != targets.length)
      throw new IllegalArgumentException("scores hold " + scores.length + " samples but targets hold "
          + targets.length);
    if (scores.length == 0) return 0;
    int classes = scores[0].length;
    for (int s = 0; s < scores.length; s++) {
      if (scores[s].length != classes || targets[s].length != classes)
        throw new IllegalArgumentException("sample " + s + " has " + scores[s].length + " scores and "
            + targets[s].length + " targets; sample 0 has " + classes + " scores");
    }
    return classes;
  }
}
