package hspnet.loss;

import java.util.Arrays;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import static org.bytedeco.pytorch.global.torch.log_sigmoid;
import static org.bytedeco.pytorch.global.torch.rsub;
import static org.bytedeco.pytorch.global.torch.sigmoid;
import static org.bytedeco.pytorch.global.torch.where;

/**
 * SPLC loss (focal margin + pseudo-label correction) as the original's {@code loss.SPLC}, summed over
 * all entries. The op sequence is the original's, op for op, so that float32 rounding and the
 * autograd graph (the focal weight is not detached) come out the same:
 * <pre>
 *   z' = z − margin where the GIVEN target is 1
 *   t  = 1 where sigmoid(z') &gt; tau (strict), from epoch changeEpoch on; the given targets before
 *   p  = sigmoid(z');  w = ((1 − p)·t + p·(1 − t))^gamma
 *   loss = Σ −(t·logsigmoid(z') + (1 − t)·logsigmoid(−z'))·w
 * </pre>
 * Pseudo positives are not margin-shifted. Works on any device; the intermediate tensors are not
 * closed here, so call it inside the caller's {@code PointerScope}.
 */
public final class Splc implements Criterion {
  private final double tau;
  private final int changeEpoch;
  private final double margin;
  private final double gamma;

  /** The loss and the (possibly corrected) targets, the latter with the input targets' dtype. */
  public record Result(Tensor loss, Tensor targets) {}

  public Splc(double tau, int changeEpoch, double margin, double gamma) {
    if (!(tau > 0 && tau < 1))
      throw new IllegalArgumentException("SPLC tau must lie strictly between 0 and 1, got " + tau);
    if (changeEpoch < 0)
      throw new IllegalArgumentException("SPLC changeEpoch must be >= 0, got " + changeEpoch);
    if (!Double.isFinite(margin))
      throw new IllegalArgumentException("SPLC margin must be finite, got " + margin);
    if (!(gamma >= 0) || Double.isInfinite(gamma))
      throw new IllegalArgumentException("SPLC gamma must be a finite value >= 0, got " + gamma);
    this.tau = tau;
    this.changeEpoch = changeEpoch;
    this.margin = margin;
    this.gamma = gamma;
  }

  /**
   * The original's defaults (tau 0.6, change_epoch 1, margin 1, gamma 2): train.py builds
   * {@code SPLC()} without arguments, so the published runs used these on every dataset.
   */
  public static Splc defaults() {
    return new Splc(0.6, 1, 1.0, 2.0);
  }

  public double tau() { return tau; }

  public int changeEpoch() { return changeEpoch; }

  public double margin() { return margin; }

  public double gamma() { return gamma; }

  /**
   * @param logits  {@code [B, C]} logits; a non-float32 floating tensor (fp16 from autocast) is cast
   *                to float32 first, as train.py does before the loss
   * @param targets {@code [B, C]} single-positive targets (int64 as the loader yields them)
   * @param epoch   the current epoch (0-based); correction starts at {@code changeEpoch}
   */
  /** As {@link #forward(Tensor, Tensor, int)}: SPLC keeps no per-sample state, so the indices are not needed. */
  /** SPLC sums its terms over the batch's images and labels. */
  @Override
  public boolean sumsOverBatch() { return true; }

  @Override
  public Criterion.Result forward(Tensor logits, Tensor targets, long[] sampleIndices, int epoch) {
    Result r = forward(logits, targets, epoch);
    return new Criterion.Result(r.loss(), r.targets());
  }

  public Result forward(Tensor logits, Tensor targets, int epoch) {
    long[] ls = logits.sizes().vec().get();
    long[] ts = targets.sizes().vec().get();
    if (!Arrays.equals(ls, ts))
      throw new IllegalArgumentException("SPLC: logits " + Arrays.toString(ls) + " and targets "
          + Arrays.toString(ts) + " must have the same shape");
    if (!logits.is_floating_point())
      throw new IllegalArgumentException("SPLC: logits must be a floating tensor, got " + logits.scalar_type());
    // JavaCPP returns a fresh ScalarType object: intern() gives the constant that == can compare.
    Tensor z = logits.scalar_type().intern() == ScalarType.Float ? logits : logits.to(ScalarType.Float);

    Tensor shifted = where(targets.eq(new Scalar(1)), z.sub(new Scalar(margin)), z);

    Tensor t;
    if (epoch >= changeEpoch) {
      // The correction only selects targets; no gradient flows through it.
      try (NoGradGuard noGrad = new NoGradGuard()) {
        t = targets.masked_fill(sigmoid(shifted).gt(new Scalar(tau)), new Scalar(1));
      }
    } else {
      t = targets.clone();
    }

    Tensor p = sigmoid(shifted);
    Tensor oneMinusT = rsub(t, new Scalar(1));
    Tensor pt = rsub(p, new Scalar(1)).mul(t).add(p.mul(oneMinusT));
    Tensor focalWeight = pt.pow(new Scalar(gamma));

    Tensor lossPos = t.mul(log_sigmoid(shifted));
    Tensor lossNeg = oneMinusT.mul(log_sigmoid(shifted.neg()));
    Tensor loss = lossPos.add(lossNeg).neg().mul(focalWeight).sum();
    return new Result(loss, t);
  }
}
