package hspnet.loss;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import hspnet.nn.Tensors;

import static org.bytedeco.pytorch.global.torch.sigmoid;
import static org.bytedeco.pytorch.global.torch.where;

/**
 * ROLE (regularised online label estimation, Cole et al. CVPR 2021), as their {@code loss_role}:
 * a label estimator — one learnable logit per training image and class, estimated labels its
 * sigmoid — trained jointly with the classifier. Half the loss trains the classifier against the
 * observed positive and the (detached) estimated labels, half trains the estimator against the
 * observed positive and the (detached) predictions; both halves add the expected-positive
 * regulariser, averaged. The loss matrix is divided by N·C and summed, as in {@link ColeLoss}.
 *
 * <p>Initialisation as their {@code LabelEstimator}: every logit uniform in ±logit(0.6) (their
 * {@code q·(2·rand − 1)} with q = inverse_sigmoid(0.5 + 0.1)), the observed positives set to
 * logit(0.995).
 */
public final class Role implements Criterion {
  /** Their {@code inverse_sigmoid}: p clipped to [1e-5, 1 − 1e-5], then log(p / (1 − p)). */
  public static double inverseSigmoid(double p) {
    double q = Math.max(Math.min(p, 1 - 1e-5), 1e-5);
    return Math.log(q / (1 - q));
  }

  private final double expectedNumPos;
  private final double estimatorLr;
  private Tensor estimator;

  /**
   * @param observed the training set's observed labels {@code [N_train, C]} (1 at the positive)
   * @param seed     seed of the estimator's random initial values
   */
  public Role(Tensor observed, double expectedNumPos, long seed) {
    this(observed, expectedNumPos, seed, 0);
  }

  /** As above, with the estimator's learning rate (Cole et al.: 10 × the classifier's lr, constant). */
  public Role(Tensor observed, double expectedNumPos, long seed, double estimatorLr) {
    this.estimatorLr = estimatorLr;
    if (!(expectedNumPos > 0)) throw new IllegalArgumentException("expected_num_pos must be positive, got " + expectedNumPos);
    this.expectedNumPos = expectedNumPos;
    this.estimator = Tensors.kept(() -> initialEstimator(observed, seed));
    estimator.requires_grad_(true);
  }

  /** The estimator's initial logits; its own generator, so the model's initial weights do not move. */
  static Tensor initialEstimator(Tensor observed, long seed) {
    long[] shape = Tensors.shape(observed);
    float[] obs = Tensors.toFloats(observed.to(ScalarType.Float));
    float[] values = new float[obs.length];
    SplittableRandom random = new SplittableRandom(seed);
    double q = inverseSigmoid(0.5 + 0.1);
    float positive = (float) inverseSigmoid(0.995);
    for (int i = 0; i < values.length; i++) {
      // float32 uniform draw, then q·(2u − 1) in float32 as torch computes it on a float tensor
      float u = (float) random.nextDouble();
      values[i] = obs[i] == 1f ? positive : (float) q * (2f * u - 1f);
    }
    return Tensors.ofFloats(values, shape);
  }

  /** The estimator's logits {@code [N_train, C]} (a parameter: optimise it beside the model). */
  public Tensor estimator() { return estimator; }

  @Override
  public Result forward(Tensor logits, Tensor targets, long[] sampleIndices, int epoch) {
    if (sampleIndices == null) throw new IllegalArgumentException("ROLE needs the batch's sample indices (its label estimator has a row per training image)");
    Tensor rows = Tensors.ofLongs(sampleIndices, sampleIndices.length).to(estimator.device(), ScalarType.Long);
    return new Result(loss(logits, estimator.index_select(0, rows), targets, expectedNumPos), targets);
  }

  /**
   * Their {@code loss_role} plus {@code compute_batch_loss}: classifier logits and estimator logits
   * of the same N images, both {@code [N, C]}.
   */
  public static Tensor loss(Tensor logits, Tensor estimatorLogits, Tensor observed, double expectedNumPos) {
    ColeLoss.checkShapes(logits, observed);
    ColeLoss.checkShapes(estimatorLogits, observed);
    Tensor preds = sigmoid(ColeLoss.float32(logits));
    Tensor estimated = sigmoid(ColeLoss.float32(estimatorLogits));
    Tensor positive = observed.eq(new Scalar(1));
    long c = preds.size(1);
    Scalar half = new Scalar(0.5);
    Tensor zero = preds.mul(new Scalar(0.0)).detach();

    Tensor pos1 = where(positive, ColeLoss.negLog(preds), zero);
    Tensor estDetached = estimated.detach();
    Tensor cross1 = estDetached.mul(ColeLoss.negLog(preds)).add(ColeLoss.oneMinus(estDetached).mul(ColeLoss.negLog(ColeLoss.oneMinus(preds))));
    Tensor reg1 = ColeLoss.expectedPositive(preds, expectedNumPos).div(new Scalar(c * c));

    Tensor pos2 = where(positive, ColeLoss.negLog(estimated), zero);
    Tensor predsDetached = preds.detach();
    Tensor cross2 = predsDetached.mul(ColeLoss.negLog(estimated))
        .add(ColeLoss.oneMinus(predsDetached).mul(ColeLoss.negLog(ColeLoss.oneMinus(estimated))));
    Tensor reg2 = ColeLoss.expectedPositive(estimated, expectedNumPos).div(new Scalar(c * c));

    Tensor reg = reg1.add(reg2).mul(half);
    Tensor matrix = pos1.add(pos2).mul(half);
    matrix = matrix.add(cross1.add(cross2).mul(half));
    return ColeLoss.reduce(matrix).add(reg);
  }

  @Override
  public double parameterLr() { return estimatorLr; }

  @Override
  public List<Tensor> parameters() { return List.of(estimator); }

  @Override
  public Map<String, Tensor> state() {
    return Map.of("role_estimator", estimator.detach().cpu());
  }

  @Override
  public void loadState(Map<String, Tensor> saved, String source) {
    Tensor t = saved.get("role_estimator");
    if (t == null || saved.size() != 1)
      throw new IllegalArgumentException(source + ": ROLE's loss state must hold exactly 'role_estimator', found " + saved.keySet());
    if (!Arrays.equals(Tensors.shape(t), Tensors.shape(estimator)))
      throw new IllegalArgumentException(source + ": the saved label estimator has shape " + Arrays.toString(Tensors.shape(t))
          + ", this training set needs " + Arrays.toString(Tensors.shape(estimator)));
    try (NoGradGuard g = new NoGradGuard()) {
      estimator.copy_(t);
    }
  }

  @Override
  public void moveTo(Device device) {
    Tensor old = estimator;
    if (old.device().str().getString().equals(device.str().getString())) return;
    estimator = Tensors.kept(() -> old.detach().to(device, ScalarType.Float).contiguous());
    estimator.requires_grad_(true);
  }
}
