package hspnet.train;

import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.OptimizerParamGroup;
import org.bytedeco.pytorch.OptimizerParamGroupVector;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.Tensor;

/**
 * torch.optim.Adam over the four parameter groups, betas (0.9, 0.999), eps 1e-8, coupled L2 weight
 * decay on the decay groups. LibTorch's Adam skips a parameter whose gradient is undefined, as
 * PyTorch skips grad None: parameters the forward never uses stay untouched, decay included.
 * The OneCycle schedule writes each group's lr and beta1 before every step.
 */
public final class AdamWithGroups implements AutoCloseable {
  /**
   * Positions of beta1/beta2 in the memory of AdamOptions' std::tuple&lt;double, double&gt;, which the
   * presets expose as a raw DoublePointer. libstdc++ lays a tuple out last element first, so beta1
   * is at index 1 (measured: writing index 0 changed beta2; see AdamWithGroupsTest).
   */
  static final int BETA1 = 1, BETA2 = 0;

  private final Adam adam;

  public AdamWithGroups(ParamGroups groups, double weightDecay) {
    adam = new Adam(new OptimizerParamGroupVector(), new AdamOptions(1e-3));
    for (int g = 0; g < ParamGroups.COUNT; g++) {
      AdamOptions o = new AdamOptions(1e-3);
      o.betas().put(BETA1, 0.9).put(BETA2, 0.999);
      o.eps().put(1e-8);
      o.weight_decay().put(ParamGroups.decays(g) ? weightDecay : 0.0);
      TensorVector params = new TensorVector(groups.group(g).values().toArray(new Tensor[0]));
      adam.add_param_group(new OptimizerParamGroup(params, o));
    }
  }

  /** Sets lr and beta1 of every group for the coming step (OneCycleLR's cycle_momentum). */
  public void schedule(OneCycleSchedule schedule, long step) {
    for (int g = 0; g < ParamGroups.COUNT; g++) {
      AdamOptions o = new AdamOptions(adam.param_groups().get(g).options());
      o.set_lr(schedule.lr(g, step));
      o.betas().put(BETA1, schedule.beta1(step));
    }
  }

  public double lr(int group) {
    return new AdamOptions(adam.param_groups().get(group).options()).get_lr();
  }

  public double beta1(int group) {
    return new AdamOptions(adam.param_groups().get(group).options()).betas().get(BETA1);
  }

  /** Sets gradients to undefined (a parameter that gets none stays skipped by the step). */
  public void zeroGrad() { adam.zero_grad(true); }

  public void step() { adam.step(); }

  public Adam adam() { return adam; }

  @Override
  public void close() { adam.close(); }
}
