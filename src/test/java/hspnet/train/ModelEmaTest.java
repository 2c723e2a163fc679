package hspnet.train;

import static org.junit.jupiter.api.Assertions.*;

import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import hspnet.nn.Layers;
import hspnet.nn.StateDicts;

import static org.bytedeco.pytorch.global.torch.randn;
import org.bytedeco.pytorch.Scalar;

class ModelEmaTest {
  static final class Net extends Module {
    final Tensor w;
    final BatchNorm2dImpl bn;

    Net() {
      w = register_parameter("w", randn(3));
      bn = register_module("bn", Layers.batchNorm(2));
      // buffers that are views of one storage, as the prompt learners' token_prefix and embedding
      Tensor e = randn(4, 3);
      register_buffer("embedding", e);
      register_buffer("prefix", e.narrow(0, 0, 2));
    }
  }

  @Test
  void averagesEveryStateEntryAndTruncatesIntegerBuffers() {
    Net model = new Net(), copy = new Net();
    ModelEma<Net> ema = new ModelEma<>(model, copy, 0.7);
    assertFalse(copy.is_training(), "the EMA copy is kept in eval mode");
    float w0 = model.w.get(0).item_float();
    assertEquals(w0, copy.w.get(0).item_float(), 0.0, "starts as a copy of the model");

    try (NoGradGuard g = new NoGradGuard()) {
      model.w.add_(new Scalar(1.0));
      model.bn.running_mean().fill_(new Scalar(2.0));  
// a buffer
    }
    model.bn.train(true);
    model.bn.forward(randn(4, 2, 3, 3));                                   // num_batches_tracked: 1
    ema.update();
    assertEquals(0.7f * w0 + 0.3f * (w0 + 1f), copy.w.get(0).item_float(), 1e-6);
    // running_mean after the BN forward: 0.9*2 + 0.1*batch mean; EMA of it moves 30% of the way
    float modelMean = model.bn.running_mean().get(0).item_float();
    assertEquals(0.3f * modelMean, copy.bn.running_mean().get(0).item_float(), 1e-6);
    Tensor tracked = StateDicts.of(copy).get("bn.num_batches_tracked");
    assertEquals(0L, tracked.item_long(), "0.7*0 + 0.3*1 = 0.3 truncates to 0, as copy_ does");
    for (int i = 0; i < 3; i++) {
      model.bn.forward(randn(4, 2, 3, 3));
    }
    ema.update();                                                           // 0.7*0 + 0.3*4 = 1.2
    assertEquals(1L, StateDicts.of(copy).get("bn.num_batches_tracked").item_long());
  }

  @Test
  void multiTensorUpdateGivesTheBitsOfThePerTensorOne() {
    Net model = new Net(), a = new Net(), b = new Net();
    ModelEma<Net> fast = new ModelEma<>(model, a, 0.9996904), slow = new ModelEma<>(model, b, 0.9996904);
    slow.setMultiTensor(false);
    model.bn.train(true);
    for (int step = 0; step < 5; step++) {
      try (NoGradGuard g = new NoGradGuard()) {
        model.w.add_(randn(3));
        StateDicts.of(model).get("embedding").add_(randn(4, 3));
      }
      model.bn.forward(randn(4, 2, 3, 3));
      fast.update();
      slow.update();
    }
    var fa = StateDicts.of(a);
    var sb = StateDicts.of(b);
    int compared = 0;
    for (String k : fa.keySet()) {
      Tensor x = fa.get(k), y = sb.get(k);
      assertTrue(x.equal(y), k + ": multi-tensor EMA differs from the per-tensor one");
      compared++;
    }
    double moved = fa.get("w").sub(StateDicts.of(model).get("w")).abs().max().item_double();
    System.out.printf("EMA multi-tensor vs per-tensor: %d entries bit-identical after 5 updates (EMA still %.3g from the model)%n", compared, moved);
    assertTrue(moved > 0, "the test must move the model away from its EMA");
  }

  @Test
  void decayKeeps82PercentOverAnEpoch() {
    double d = ModelEma.decayForStepsPerEpoch(641);
    assertEquals(0.82, Math.pow(d, 641), 1e-12);
    assertEquals(0.9996904, d, 1e-7);
  }
}
