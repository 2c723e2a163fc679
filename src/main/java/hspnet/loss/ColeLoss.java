package hspnet.loss;

import java.util.Arrays;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import static org.bytedeco.pytorch.global.torch.rsub;
import static org.bytedeco.pytorch.global.torch.sigmoid;
import static org.bytedeco.pytorch.global.torch.where;

/**
 * The stateless single-positive losses of Cole et al. (CVPR 2021), as their {@code losses.py}
 * computes them: {@code preds = sigmoid(logits)}, a loss matrix built with
 * {@code neg_log(x) = -log(x + 1e-5)} (the epsilon sits inside the log; it is not a clamp), that
 * matrix divided by N·C and summed, then the regulariser added.
 * <ul>
 *   <li>AN (assume negative): −log p on the observed positive, −log(1 − p) on every unknown;</li>
 *   <li>AN-LS: AN with both targets smoothed by {@code ls_coef};</li>
 *   <li>WAN (weak AN): the unknowns' term divided by C − 1;</li>
 *   <li>EPR: only the observed positives, plus (Σ_c p per image, averaged over the batch − {@code
 *       expected_num_pos})² / C².</li>
 * </ul>
 * Call it inside the caller's {@code PointerScope}: intermediate tensors are not closed here.
 */
public final class ColeLoss implements Criterion {
  /** Their {@code LOG_EPSILON}. */
  static final double LOG_EPSILON = 1e-5;

  /** The four stateless variants. */
  public enum Kind { AN, AN_LS, WAN, EPR }

  private final Kind kind;
  private final double lsCoef;
  private final double expectedNumPos;

  public ColeLoss(Kind kind, double lsCoef, double expectedNumPos) {
    if (!(lsCoef >= 0 && lsCoef <= 1)) throw new IllegalArgumentException("ls_coef must lie in [0, 1], got " + lsCoef);
    if (!(expectedNumPos > 0) || Double.isInfinite(expectedNumPos))
      throw new IllegalArgumentException("expected_num_pos must be positive, got " + expectedNumPos);
    this.kind = kind;
    this.lsCoef = lsCoef;
    this.expectedNumPos = expectedNumPos;
  }

  public Kind kind() { return kind; }

  @Override
  public Result forward(Tensor logits, Tensor targets, long[] sampleIndices, int epoch) {
    return new Result(loss(logits, targets), targets);
  }

  /** The loss of one batch: logits {@code [N, C]}, observed {@code [N, C]} (1 observed positive, 0 unknown). */
  public Tensor loss(Tensor logits, Tensor observed) {
    checkShapes(logits, observed);
    Tensor preds = sigmoid(float32(logits));
    Tensor positive = observed.eq(new Scalar(1));
    long c = preds.size(1);
    Tensor onPositive = negLog(preds), onUnknown = negLog(oneMinus(preds));
    Tensor matrix;
    Tensor reg = null;
    switch (kind) {
      case AN -> matrix = where(positive, onPositive, onUnknown);
      case AN_LS -> {
        Scalar keep = new Scalar(1.0 - lsCoef), flip = new Scalar(lsCoef);
        matrix = where(positive, onPositive.mul(keep).add(onUnknown.mul(flip)), onUnknown.mul(keep).add(onPositive.mul(flip)));
      }
      case WAN -> matrix = where(positive, onPositive, onUnknown.div(new Scalar((double) (c - 1))));
      case EPR -> {
        matrix = where(positive, onPositive, preds.mul(new Scalar(0.0)).detach());
        reg = expectedPositive(preds, expectedNumPos).div(new Scalar(c * c));
      }
      default -> throw new IllegalStateException(kind.toString());
    }
    Tensor main = reduce(matrix);
    return reg == null ? main : main.add(reg);
  }

  /** Their {@code compute_batch_loss}: every entry divided by N·C, then summed. */
  static Tensor reduce(Tensor matrix) {
    return matrix.div(new Scalar(matrix.size(0) * matrix.size(1))).sum();
  }

  /** {@code -log(x + 1e-5)}. */
  static Tensor negLog(Tensor x) {
    return x.add(new Scalar(LOG_EPSILON)).log().neg();
  }

  static Tensor oneMinus(Tensor x) {
    return rsub(x, new Scalar(1.0));
  }

  /** Their {@code expected_positive_regularizer(preds, k, norm='2')}: (mean over images of Σ_c preds − k)². */
  static Tensor expectedPositive(Tensor preds, double expectedNumPos) {
    return preds.sum(1L).mean(0L).sub(new Scalar(expectedNumPos)).pow(new Scalar(2));
  }

  static Tensor float32(Tensor logits) {
    if (!logits.is_floating_point())
      throw new IllegalArgumentException("logits must be a floating tensor, got " + logits.scalar_type());
    // JavaCPP returns a fresh ScalarType object: intern() gives the constant that == can compare.
    return logits.scalar_type().intern() == ScalarType.Float ? logits : logits.to(ScalarType.Float);
  }

  static void checkShapes(Tensor logits, Tensor observed) {
    long[] ls = logits.sizes().vec().get(), os = observed.sizes().vec().get();
    if (ls.length != 2 || !Arrays.equals(ls, os))
      throw new IllegalArgumentException("logits " + Arrays.toString(ls) + " and targets " + Arrays.toString(os)
          + " must be two matrices of the same shape");
  }
}
