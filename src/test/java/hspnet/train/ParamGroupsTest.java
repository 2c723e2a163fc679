package hspnet.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;

import org.bytedeco.pytorch.Module;
import org.junit.jupiter.api.Test;

import static org.bytedeco.pytorch.global.torch.randn;

class ParamGroupsTest {
  @Test
  void splitsLikeTheOriginalsAddWeightDecay() {
    Module root = new Module();
    root.register_parameter("logit_scale", randn());                  // 0-dim: decay group
    Module learner = root.register_module("child_prompt_learner", new Module());
    Module meta = learner.register_module("meta_net", new Module());
    Module lin = meta.register_module("linear1", new Module());
    lin.register_parameter("weight", randn(4, 3));
    lin.register_parameter("bias", randn(4));
    Module gcn = root.register_module("gcn", new Module());
    gcn.register_parameter("gamma", randn(1));
    gcn.register_module("gc1", new Module()).register_parameter("weight", randn(3, 6));
    Module text = root.register_module("text_encoder", new Module());
    text.register_parameter("positional_embedding", randn(5, 3)).requires_grad_(false);

    ParamGroups g = ParamGroups.of(root);
    assertEquals(List.of("child_prompt_learner.meta_net.linear1.bias"), List.copyOf(g.group(ParamGroups.NO_DECAY).keySet()));
    assertEquals(List.of("logit_scale", "child_prompt_learner.meta_net.linear1.weight"),
        List.copyOf(g.group(ParamGroups.DECAY).keySet()));
    assertEquals(List.of("gcn.gamma"), List.copyOf(g.group(ParamGroups.GCN_NO_DECAY).keySet()));
    assertEquals(List.of("gcn.gc1.weight"), List.copyOf(g.group(ParamGroups.GCN_DECAY).keySet()));
    assertArrayEquals(new double[] {1e-4, 1e-4, 5e-4, 5e-4}, ParamGroups.maxLr(1e-4, 5e-4));
  }

  @Test
  void adamLeavesParametersWithoutGradientUntouchedAndDecaysOnlyDecayGroups() {
    Module root = new Module();
    var unused = root.register_parameter("logit_scale", randn());
    var w = root.register_module("a", new Module()).register_parameter("weight", randn(3, 3));
    var b = root.register_module("b", new Module()).register_parameter("bias", randn(3));
    float unusedBefore = unused.item_float();
    try (AdamWithGroups adam = new AdamWithGroups(ParamGroups.of(root), 0.5)) {
      OneCycleSchedule s = OneCycleSchedule.withDefaults(new double[] {0.1, 0.1, 0.1, 0.1}, 10);
      adam.schedule(s, 0);
      assertEquals(0.1 / 25, adam.lr(0), 1e-15);
      assertEquals(0.95, adam.beta1(0), 1e-15);
      adam.zeroGrad();
      w.sum().add(b.sum()).backward();
      adam.step();
      adam.schedule(s, 1);
      assertEquals(s.lr(0, 1), adam.lr(3), 1e-15);
      assertEquals(s.beta1(1), adam.beta1(2), 1e-15);
    }
    assertEquals(unusedBefore, unused.item_float(), 0.0, "a parameter without gradient is skipped, decay included");
  }
}
