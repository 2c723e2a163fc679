package hspnet.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

import org.bytedeco.pytorch.Module;
import hspnet.nn.MultiTensorOps;
import hspnet.nn.StateDicts;
import java.util.HashMap;

/**
 * An exponential moving average of the WHOLE model state, as the original's ModelEma: every
 * parameter (frozen ones too) and every buffer, e ← d·e + (1−d)·m after every step, evaluated in
 * float32. Integer buffers (BatchNorm's num_batches_tracked) receive the float result truncated by
 * copy_, exactly as there. The EMA copy starts identical to the model and stays in eval mode.
 */
public final class ModelEma<M extends Module> {
  private final M ema;
  private final double decay;
  private final List<Tensor[]> pairs = new ArrayList<>();
  /**
   * The floating entries that share memory with no other entry, as two parallel lists (EMA,
   * model) for the multi-tensor update; the rest — integer buffers, and views of one storage
   * (the prompt learners' token_prefix/suffix/middle are slices of their embedding buffer, as in
   * the original), which the original updates one after another, overlaps included — stay in
   * {@code sequential}, in state-dict order.
   */
  private final List<Tensor> emaFloats = new ArrayList<>(), modelFloats = new ArrayList<>();
  private final List<Tensor[]> sequential = new ArrayList<>();
  private boolean multiTensor = true;

  /** @param ema a second model of the same architecture; it is overwritten with the model's state. */
  public ModelEma(M model, M ema, double decay) {
    this.ema = ema;
    this.decay = decay;
    Map<String, Tensor> m = StateDicts.of(model), e = StateDicts.of(ema);
    if (!m.keySet().equals(e.keySet())) throw new IllegalArgumentException("EMA model does not have the model's state entries");
    try (NoGradGuard g = new NoGradGuard()) {
      m.forEach((name, mt) -> {
        Tensor et = e.get(name);
        et.copy_(mt);
        pairs.add(new Tensor[] {et, mt});
      });
      Map<Long, Integer> users = new HashMap<>();
      for (Tensor[] p : pairs) users.merge(p[0].storage().data().address(), 1, Integer::sum);
      for (Tensor[] p : pairs) {
        boolean alone = users.get(p[0].storage().data().address()) == 1;
        if (alone && p[0].is_floating_point() && p[0].scalar_type().intern() == p[1].scalar_type().intern()) {
          emaFloats.add(p[0]);
          modelFloats.add(p[1]);
        } else {
          sequential.add(p);
        }
      }
    }
    ema.eval();
  }

  public M module() { return ema; }

  public double decay() { return decay; }

  /**
   * e ← d·e + (1−d)·m for every entry. The floating entries go through ATen's multi-tensor
   * kernels (e·d in place, m·(1−d), then the sum in place: the same three float32 roundings as
   * the per-tensor expression, so the same bits) in a few launches instead of four per tensor;
   * integer entries (whose copy_ truncates, as the original's does) and views sharing a storage
   * take the per-tensor path.
   */
  public void update() {
    if (!multiTensor) {
      updatePerTensor(pairs);
      return;
    }
    try (NoGradGuard g = new NoGradGuard()) {
      List<Tensor> scaledModel = MultiTensorOps.mul(modelFloats, 1.0 - decay);
      MultiTensorOps.mulInPlace(emaFloats, decay);
      MultiTensorOps.addInPlace(emaFloats, scaledModel);
    }
    updatePerTensor(sequential);
  }

  private void updatePerTensor(List<Tensor[]> entries) {
    try (NoGradGuard g = new NoGradGuard()) {
      Scalar d = new Scalar(decay), rest = new Scalar(1.0 - decay);
      for (Tensor[] p : entries) p[0].copy_(p[0].mul(d).add(p[1].mul(rest)));
    }
  }

  /** The per-tensor update instead of the multi-tensor one (for comparisons). */
  public void setMultiTensor(boolean on) {
    this.multiTensor = on;
  }

  /** 0.82^(1/K): 82% of the average kept over K steps, K the dataset's steps per epoch at batch 128. */
  public static double decayForStepsPerEpoch(int k) {
    return Math.pow(0.82, 1.0 / k);
  }
}
