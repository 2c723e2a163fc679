package hspnet.train;

import static org.junit.jupiter.api.Assertions.*;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import static org.bytedeco.pytorch.global.torch.zeros;

class AdamWithGroupsTest {
  /**
   * Adam's second step after gradients +1 then -1 (lr 1, no bias in the first moment's memory
   * when beta1 = 0): with beta1 = 0 the first moment is the last gradient, -1, and the step is
   * +lr/ sqrt(v̂) = +1 exactly. Had the schedule written beta2 instead, the step would be tiny.
   */
  @Test
  void scheduledBeta1IsTheFirstMomentDecay() {
    Module root = new Module();
    Tensor w = root.register_module("a", new Module()).register_parameter("weight", zeros(1, 1));
    w = new Tensor(w);
    try (AdamWithGroups adam = new AdamWithGroups(ParamGroups.of(root), 0.0)) {
      // beta1 0 at every step; max lr 1 with no warm-up or annealing (div factors 1)
      OneCycleSchedule s = new OneCycleSchedule(new double[] {1, 1, 1, 1}, 10, 0.2, 1.0, 1.0, 0.0, 0.0);
      adam.schedule(s, 0);
      assertEquals(0.0, adam.beta1(1));
      adam.zeroGrad();
      w.mul(new Scalar(1.0)).sum().backward();
      adam.step();
      float first = w.item_float();
      assertEquals(-1.0f, first, 1e-6f, "Adam's first step is -lr·sign(g)");
      adam.schedule(s, 1);
      adam.zeroGrad();
      w.mul(new Scalar(-1.0)).sum().backward();
      adam.step();
      assertEquals(1.0f, w.item_float() - first, 1e-4f);
    }
  }
}
