package hspnet.train;

import static org.bytedeco.pytorch.global.torch.zeros;
import static org.bytedeco.pytorch.global.torch.zeros_like;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;

import hspnet.nn.MultiTensorOps;
import hspnet.nn.Tensors;
import java.util.Collections;

/**
 * Adam as torch.optim.Adam(fused=True): per group, one call of ATen's fused kernel updates every
 * parameter, both moments and (with a found-inf flag from the loss scaler) skips the whole update
 * on the device when the gradients overflowed — no host synchronisation. The options (lr, beta1
 * from the schedule, betas' beta2, eps, coupled weight decay) are read from the
 * {@link AdamWithGroups} that the schedule writes, so both optimizers follow the same schedule.
 *
 * <p>Numerics: the same Adam, evaluated in one kernel (float32 registers, fused multiply-adds)
 * instead of LibTorch's sequence of per-tensor ops, so results differ by float rounding from
 * step one and drift apart as training goes on — an option, off by default.
 *
 * <p>As torch keeps them, step counts are float32 tensors on the device; parameters never given a
 * gradient get no state and stay untouched, as with LibTorch's Adam.
 */
public final class FusedAdam implements AutoCloseable {
  private final List<List<Tensor>> params = new ArrayList<>();
  private final List<List<String>> names = new ArrayList<>();
  private final Map<String, Tensor[]> state = new LinkedHashMap<>();   // name -> {exp_avg, exp_avg_sq, step}
  private final double weightDecay;

  /** Frees the moments and step counts (the parameters belong to the model). */
  @Override
  public void close() {
    for (Tensor[] s : state.values()) for (Tensor t : s) if (t != null) t.close();
    state.clear();
  }

  public FusedAdam(ParamGroups groups, double weightDecay) {
    this.weightDecay = weightDecay;
    for (int g = 0; g < ParamGroups.COUNT; g++) {
      params.add(new ArrayList<>(groups.group(g).values()));
      names.add(new ArrayList<>(groups.group(g).keySet()));
    }
  }

  /**
   * One step of every group with the options {@code options} holds now.
   *
   * @param foundInf null, or a 0-dimensional float32 tensor (as GradScaler makes it): nonzero skips the step (moments, weights
   *     and step counts untouched)
   */
  public void step(AdamWithGroups options, Tensor foundInf) {
    try (NoGradGuard g = new NoGradGuard()) {
      for (int group = 0; group < ParamGroups.COUNT; group++) {
        List<Tensor> p = new ArrayList<>(), grads = new ArrayList<>(), m = new ArrayList<>(), v = new ArrayList<>(), steps = new ArrayList<>();
        for (int i = 0; i < params.get(group).size(); i++) {
          Tensor param = params.get(group).get(i), grad = param.grad();
          if (!grad.defined()) continue;
          Tensor[] s = state.computeIfAbsent(names.get(group).get(i), k -> newState(param));
          p.add(param);
          grads.add(grad);
          m.add(s[0]);
          v.add(s[1]);
          steps.add(s[2]);
        }
        if (p.isEmpty()) continue;
        MultiTensorOps.addInPlace(steps, 1.0);
        MultiTensorOps.fusedAdam(p, grads, m, v, steps, options.lr(group), options.beta1(group), 0.999,
            ParamGroups.decays(group) ? weightDecay : 0.0, 1e-8, null, foundInf);
        if (foundInf != null) MultiTensorOps.subInPlace(steps, Collections.nCopies(steps.size(), foundInf));
      }
    }
  }

  private static Tensor[] newState(Tensor param) {
    return new Tensor[] {Tensors.kept(() -> zeros_like(param)), Tensors.kept(() -> zeros_like(param)),
        Tensors.kept(() -> zeros(new long[] {}, new TensorOptions().dtype(new ScalarTypeOptional(ScalarType.Float))
            .device(new DeviceOptional(param.device()))))};
  }

  /** The moments and step counts by parameter name ({name}.exp_avg, .exp_avg_sq, .step), for a resume state. */
  public Map<String, Tensor> stateDict() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    state.forEach((name, s) -> {
      out.put(name + ".exp_avg", s[0]);
      out.put(name + ".exp_avg_sq", s[1]);
      out.put(name + ".step", s[2]);
    });
    return out;
  }

  /** Puts back what {@link #stateDict()} saved (copied onto this optimizer's parameters' devices). */
  public void load(Map<String, Tensor> saved, String source) {
    state.clear();
    for (int group = 0; group < ParamGroups.COUNT; group++) {
      for (int i = 0; i < params.get(group).size(); i++) {
        String name = names.get(group).get(i);
        if (!saved.containsKey(name + ".exp_avg")) continue;
        Tensor param = params.get(group).get(i);
        Tensor[] s = newState(param);
        try (NoGradGuard g = new NoGradGuard()) {
          s[0].copy_(require(saved, name + ".exp_avg", source));
          s[1].copy_(require(saved, name + ".exp_avg_sq", source));
          s[2].copy_(require(saved, name + ".step", source));
        }
        state.put(name, s);
      }
    }
    if (state.size() * 3 != saved.size())
      throw new IllegalArgumentException(source + ": the fused optimizer state has entries for parameters this model does not train");
  }

  private static Tensor require(Map<String, Tensor> saved, String key, String source) {
    Tensor t = saved.get(key);
    if (t == null) throw new IllegalArgumentException(source + ": the fused optimizer state lacks '" + key + "'");
    return t;
  }
}
