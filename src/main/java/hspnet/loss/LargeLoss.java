package hspnet.loss;

import java.util.Arrays;
import java.util.Map;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch.ScalarType;

import hspnet.nn.Tensors;

import static org.bytedeco.pytorch.global.torch.binary_cross_entropy_with_logits;
import static org.bytedeco.pytorch.global.torch.where;

/**
 * The large-loss modifications of Kim et al. (CVPR 2022), as their {@code compute_batch_loss}:
 * BCE-with-logits against "unknown = negative", averaged over N·C. The clean rate starts at 1 and
 * drops by {@code delta_rel} after every epoch (their {@code P['clean_rate'] -= P['delta_rel']},
 * repeated subtraction, reproduced as such). While it is below 1, k = ceil(N·C·(1 − clean_rate)) and
 * t, the k-th largest loss among the unknown entries (observed positives count as 0), decide:
 * entries whose loss is not below t are rejected (LL-R: loss 0) or trained against a positive
 * target (LL-Ct, LL-Cp). Their quirk is kept: the loss uses {@code < t} to keep an entry, but the
 * entries reported as corrected are those {@code > t}, so the k-th entry itself is changed in the
 * loss yet not reported. LL-Cp writes the reported entries as positives into the training set's
 * labels, which every later batch of that image sees (kept here as a mask over the training set,
 * in the resume state).
 */
public final class LargeLoss implements Criterion {
  /** LL-R (reject), LL-Ct (correct temporarily), LL-Cp (correct permanently). */
  public enum Scheme {
    REJECT("LL-R"), CORRECT_TEMPORARY("LL-Ct"), CORRECT_PERMANENT("LL-Cp");

    private final String paperName;

    Scheme(String paperName) { this.paperName = paperName; }

    public String paperName() { return paperName; }
  }

  /** One batch's loss, the targets it was given, and the entries their code reports as corrected. */
  public record Outcome(Tensor loss, Tensor corrected) {}

  private final Scheme scheme;
  private final double deltaRel;
  /** LL-Cp: the entries turned positive so far, {@code [N_train, C]} bool on the CPU; null otherwise. */
  private Tensor relabelled;

  /**
   * @param trainShape {@code {N_train, C}}, the shape of the training set's label matrix (LL-Cp's
   *                   changes are kept in it); ignored by the other schemes
   */
  public LargeLoss(Scheme scheme, double deltaRel, long[] trainShape) {
    if (!(deltaRel > 0 && deltaRel <= 1)) throw new IllegalArgumentException("delta_rel must lie in (0, 1], got " + deltaRel);
    this.scheme = scheme;
    this.deltaRel = deltaRel;
    if (scheme == Scheme.CORRECT_PERMANENT) {
      relabelled = Tensors.kept(() -> Tensors.ofLongs(new long[Math.toIntExact(trainShape[0] * trainShape[1])], trainShape)
          .to(ScalarType.Bool));
    }
  }

  public Scheme scheme() { return scheme; }

  /** Their clean rate during the 0-based {@code epoch}: 1 minus delta_rel, subtracted once per finished epoch. */
  public static double cleanRate(double deltaRel, int epoch) {
    double rate = 1;
    for (int e = 0; e < epoch; e++) rate -= deltaRel;
    return rate;
  }

  @Override
  public Result forward(Tensor logits, Tensor targets, long[] sampleIndices, int epoch) {
    Tensor observed = targets;
    Tensor rows = null;
    if (relabelled != null) {
      if (sampleIndices == null) throw new IllegalArgumentException("LL-Cp needs the batch's sample indices (it changes the training labels)");
      rows = Tensors.ofLongs(sampleIndices, sampleIndices.length);
      Tensor changed = relabelled.index_select(0, rows).to(targets.device(), ScalarType.Bool);
      observed = targets.masked_fill(changed, new Scalar(1));
    }
    Outcome o = compute(logits, observed, epoch);
    if (relabelled != null) {
      try (NoGradGuard g = new NoGradGuard()) {
        Tensor updated = relabelled.index_select(0, rows).logical_or(o.corrected().cpu());
        relabelled.index_copy_(0, rows, updated);
      }
    }
    return new Result(o.loss(), observed);
  }

  /**
   * Their {@code compute_batch_loss(logits, label_vec, P)} for one batch at the 0-based epoch.
   * {@code corrected} is the bool mask of the entries their code returns as {@code correction_idx}
   * (all false while the clean rate is 1).
   */
  public Outcome compute(Tensor logits, Tensor observed, int epoch) {
    ColeLoss.checkShapes(logits, observed);
    Tensor z = ColeLoss.float32(logits);
    Tensor labels = observed.to(ScalarType.Float);
    Tensor unobserved = observed.eq(new Scalar(0));
    Tensor loss = binary_cross_entropy_with_logits(z, labels, new TensorOptional(), new TensorOptional(), 0);
    double cleanRate = cleanRate(deltaRel, epoch);
    if (cleanRate == 1) return new Outcome(loss.mean(), unobserved.logical_and(unobserved.logical_not()));
    Tensor flipped = labels.logical_not().to(ScalarType.Float);
    Tensor correctedLoss = binary_cross_entropy_with_logits(z, flipped, new TensorOptional(), new TensorOptional(), 0);
    long n = z.size(0), c = z.size(1);
    // Every scheme, LL-Cp included, takes k from the clean rate: so do the golden outputs of their code
    // (fixtures/spml, LL-Cp at epoch 4 rejects 8 entries, as LL-Ct), whatever a reading of it suggests.
    double fraction = 1 - cleanRate;
    long k = Math.min((long) Math.ceil(n * c * fraction), n * c);
    Tensor unobservedLoss = unobserved.to(ScalarType.Float).mul(loss);
    Tensor threshold;
    try (NoGradGuard g = new NoGradGuard()) {
      threshold = unobservedLoss.detach().flatten(0, -1).topk(k).get0().select(0, k - 1);
    }
    Tensor keep = unobservedLoss.lt(threshold);
    Tensor reported = unobservedLoss.gt(threshold);
    Tensor replacement = scheme == Scheme.REJECT ? loss.mul(new Scalar(0.0)).detach() : correctedLoss;
    return new Outcome(where(keep, loss, replacement).mean(), reported);
  }

  @Override
  public Map<String, Tensor> state() {
    return relabelled == null ? Map.of() : Map.of("ll_cp_relabelled", relabelled.to(ScalarType.Long));
  }

  @Override
  public void loadState(Map<String, Tensor> saved, String source) {
    if (relabelled == null) {
      Criterion.super.loadState(saved, source);
      return;
    }
    Tensor t = saved.get("ll_cp_relabelled");
    if (t == null || saved.size() != 1)
      throw new IllegalArgumentException(source + ": LL-Cp's loss state must hold exactly 'll_cp_relabelled', found " + saved.keySet());
    if (!Arrays.equals(Tensors.shape(t), Tensors.shape(relabelled)))
      throw new IllegalArgumentException(source + ": LL-Cp's saved label changes do not fit this training set");
    relabelled.copy_(t.to(ScalarType.Bool));
  }

  /** LL-Cp: the entries of the training labels turned positive so far ({@code [N_train, C]} bool), else null. */
  public Tensor relabelled() { return relabelled; }
}
