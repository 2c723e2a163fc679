package hspnet.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

import org.bytedeco.pytorch.Module;
import hspnet.nn.StateDicts;

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
    }
    ema.eval();
  }

  public M module() { return ema; }

  public double decay() { return decay; }

  public void update() {
    try (NoGradGuard g = new NoGradGuard()) {
      Scalar d = new Scalar(decay), rest = new Scalar(1.0 - decay);
      for (Tensor[] p : pairs) p[0].copy_(p[0].mul(d).add(p[1].mul(rest)));
    }
  }

  /** 0.82^(1/K): 82% of the average kept over K steps, K the dataset's steps per epoch at batch 128. */
  public static double decayForStepsPerEpoch(int k) {
    return Math.pow(0.82, 1.0 / k);
  }
}
