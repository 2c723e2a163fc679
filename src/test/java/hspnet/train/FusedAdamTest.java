package hspnet.train;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.ones;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import hspnet.nn.StateDicts;
import hspnet.nn.Tensors;
import java.util.LinkedHashMap;
import org.bytedeco.pytorch.Scalar;

/** The fused Adam against LibTorch's Adam on the four groups, and its on-device skip. */
class FusedAdamTest {
  /** Four parameters, one in each group: decay / no decay, GCN or not; "unused" never gets a gradient. */
  private static Module net(long seed) {
    manual_seed(seed);
    Module root = new Module();
    Module body = root.register_module("body", new Module());
    body.register_parameter("weight", randn(4, 3));
    body.register_parameter("bias", randn(4));
    body.register_parameter("unused", randn(2));
    Module gcn = root.register_module("gcn", new Module());
    gcn.register_parameter("weight", randn(3, 3));
    gcn.register_parameter("bias", randn(3));
    return root;
  }

  private static void backward(Module m, int step) {
    Map<String, Tensor> p = StateDicts.of(m);
    manual_seed(100 + step);
    Tensor x = randn(3);
    p.get("body.weight").matmul(x).add(p.get("body.bias")).pow(new Scalar(2)).sum()
        .add(p.get("gcn.weight").matmul(x).add(p.get("gcn.bias")).tanh().sum()).backward();
  }

  @Test
  void followsLibTorchsAdamThroughTheScheduleAndSkipsOnTheFlag() {
    try (PointerScope scope = new PointerScope()) {
      Module a = net(1), b = net(1);
      ParamGroups ga = ParamGroups.of(a), gb = ParamGroups.of(b);
      OneCycleSchedule schedule = OneCycleSchedule.withDefaults(new double[] {1e-2, 1e-2, 5e-2, 5e-2}, 20);
      AdamWithGroups reference = new AdamWithGroups(ga, 1e-2), options = new AdamWithGroups(gb, 1e-2);
      FusedAdam fused = new FusedAdam(gb, 1e-2);
      Tensor noInf = Tensors.ofFloats(new float[] {0f}), inf = Tensors.ofFloats(new float[] {1f});
      double worst = 0;
      for (int step = 0; step < 8; step++) {
        reference.schedule(schedule, step);
        options.schedule(schedule, step);
        reference.zeroGrad();
        options.zeroGrad();
        backward(a, step);
        backward(b, step);
        reference.step();
        fused.step(options, noInf);
        for (String k : StateDicts.of(a).keySet()) {
          Tensor x = StateDicts.of(a).get(k), y = StateDicts.of(b).get(k);
          worst = Math.max(worst, x.sub(y).abs().max().item_double() / Math.max(1e-12, x.abs().max().item_double()));
        }
      }
      System.out.printf("fused Adam vs LibTorch Adam, 8 scheduled steps, 4 groups: max relative difference %.3g%n", worst);
      assertTrue(worst < 1e-5, "fused Adam drifted from LibTorch's Adam: " + worst);
      assertTrue(StateDicts.of(b).get("body.unused").equal(StateDicts.of(a).get("body.unused")), "no gradient, no update");
      assertFalse(fused.stateDict().containsKey("body.unused.exp_avg"), "no state for a parameter without gradients");

      // a flagged step changes nothing: weights, moments, step counts
      Map<String, Tensor> before = copies(StateDicts.of(b)), stateBefore = copies(fused.stateDict());
      options.zeroGrad();
      backward(b, 9);
      fused.step(options, inf);
      for (var e : before.entrySet()) assertTrue(e.getValue().equal(StateDicts.of(b).get(e.getKey())), e.getKey() + " moved on a skipped step");
      for (var e : stateBefore.entrySet()) assertTrue(e.getValue().equal(fused.stateDict().get(e.getKey())), e.getKey() + " moved on a skipped step");
      assertEquals(8f, fused.stateDict().get("gcn.weight.step").item_float(), "8 steps taken, the skipped one not counted");

      // its state reloads into a fresh optimizer of the same parameters
      FusedAdam again = new FusedAdam(gb, 1e-2);
      again.load(fused.stateDict(), "test");
      assertEquals(fused.stateDict().keySet(), again.stateDict().keySet());
      for (var e : fused.stateDict().entrySet()) assertTrue(e.getValue().equal(again.stateDict().get(e.getKey())), e.getKey());
      assertThrows(IllegalArgumentException.class, () -> again.load(Map.of("nope.exp_avg", ones(1)), "bad.pt"));
      reference.close();
      options.close();
    }
  }

  private static Map<String, Tensor> copies(Map<String, Tensor> m) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    try (NoGradGuard g = new NoGradGuard()) {
      m.forEach((k, v) -> out.put(k, v.clone()));
    }
    return out;
  }

}
