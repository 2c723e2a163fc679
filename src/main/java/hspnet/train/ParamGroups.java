package hspnet.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

import hspnet.nn.StateDicts;

/**
 * The original's add_weight_decay(): trainable parameters in four groups, in this order —
 * [non-GCN no-decay, non-GCN decay, GCN no-decay, GCN decay]. A parameter is GCN when its name
 * starts with "gc"; it is no-decay when it is 1-D or its name ends with ".bias" (so the 0-dim
 * logit_scale lands in a decay group). Frozen parameters are left out.
 */
public final class ParamGroups {
  public static final int NO_DECAY = 0, DECAY = 1, GCN_NO_DECAY = 2, GCN_DECAY = 3;
  /** How many groups there are (the optimizer, schedule and resume state hold one entry per group). */
  public static final int COUNT = 4;

  private final List<Map<String, Tensor>> groups = new ArrayList<>();

  private ParamGroups() {
    for (int i = 0; i < COUNT; i++) groups.add(new LinkedHashMap<>());
  }

  public static ParamGroups of(Module model) {
    ParamGroups pg = new ParamGroups();
    StateDicts.trainable(model).forEach((name, p) -> pg.groups.get(groupOf(name, p.dim())).put(name, p));
    return pg;
  }

  static int groupOf(String name, long dim) {
    boolean gcn = name.startsWith("gc");
    boolean noDecay = dim == 1 || name.endsWith(".bias");
    return gcn ? (noDecay ? GCN_NO_DECAY : GCN_DECAY) : (noDecay ? NO_DECAY : DECAY);
  }

  public Map<String, Tensor> group(int i) { return groups.get(i); }

  /** Whether the group's parameters are weight-decayed. */
  public static boolean decays(int group) { return group == DECAY || group == GCN_DECAY; }

  /** max_lr of each group: [lr, lr, gcn_lr, gcn_lr]. */
  public static double[] maxLr(double lr, double gcnLr) {
    return new double[] {lr, lr, gcnLr, gcnLr};
  }
}
