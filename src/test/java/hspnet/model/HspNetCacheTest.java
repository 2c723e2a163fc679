package hspnet.model;

import static org.bytedeco.pytorch.global.torch.randn;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import hspnet.clip.ClipArch;
import hspnet.nn.StateDicts;
import hspnet.testutil.SyntheticHspNet;
import hspnet.train.ModelEma;
import org.bytedeco.pytorch.global.torch.MemoryFormat;

/**
 * The group features that HSPNet computes once and reuses: the same bits as recomputing them, and
 * recomputed whenever what they depend on changes (a weight written in place, a state loaded, the
 * EMA's drift), never reused where gradients must reach the text tower.
 */
class HspNetCacheTest {
  private static final ClipArch ARCH = SyntheticHspNet.Size.SMALL.arch(32);

  private static Tensor groupFeatures(HspNet m, Tensor images) {
    return m.forwardAll(images).parentFeatures();
  }

  private static Tensor fresh(HspNet m, Tensor images) {
    m.cacheParentFeatures(false);
    try {
      return groupFeatures(m, images);
    } finally {
      m.cacheParentFeatures(true);
    }
  }

  @Test
  void reusedFeaturesAreTheRecomputedOnesAndFollowWeightChanges() {
    try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      HspNet m = SyntheticHspNet.build(ARCH, 3);
      m.eval();
      Tensor images = randn(2, 3, 32, 32);
      Tensor first = groupFeatures(m, images), again = groupFeatures(m, images);
      assertTrue(first.equal(fresh(m, images)), "cached group features differ from recomputed ones");
      assertTrue(again.equal(first));
      assertTrue(m.forward(images).equal(m.forwardAll(images).logits()), "forward and forwardAll agree with the cache");

      // a frozen weight written in place (as a checkpoint load does): the cache must notice
      Tensor w = StateDicts.of(m).get("text_encoder.text_projection");
      w.mul_(new Scalar(1.5));
      Tensor after = groupFeatures(m, images);
      double moved = after.sub(first).abs().max().item_double();
      System.out.printf("group features after a text-tower weight changed in place: moved by %.3g, recomputed (same bits as uncached)%n", moved);
      assertTrue(moved > 0, "stale group features reused after a weight change");
      assertTrue(after.equal(fresh(m, images)));

      // a state loaded strictly (copy_ into every tensor)
      HspNet other = SyntheticHspNet.build(ARCH, 4);
      other.eval();
      StateDicts.loadStrict(m, StateDicts.of(other), "another model");
      assertTrue(groupFeatures(m, images).equal(fresh(other, images)), "after a load: the loaded model's group features");
    }
  }

  @Test
  void theEmaCopyGetsItsOwnDriftedFeatures() {
    try (PointerScope scope = new PointerScope()) {
      HspNet model = SyntheticHspNet.build(ARCH, 5), copy = SyntheticHspNet.build(ARCH, 6);
      model.freezeTextEncoder();
      ModelEma<HspNet> ema = new ModelEma<>(model, copy, 0.7);
      Tensor images = randn(2, 3, 32, 32);
      try (NoGradGuard g = new NoGradGuard()) {
        Tensor before = groupFeatures(copy, images);
        assertTrue(before.equal(groupFeatures(model, images)), "the EMA starts as a copy");
        // the model's frozen text tower does not change, but the EMA's drifts by float32 rounding
        // (0.7·e + 0.3·e need not be e): the copy must use features of its own weights
        for (int i = 0; i < 3; i++) ema.update();
        Tensor after = groupFeatures(copy, images);
        double drift = after.sub(groupFeatures(model, images)).abs().max().item_double();
        System.out.printf("EMA group features after 3 updates of unchanged weights: %.3g from the model's (float32 rounding)%n", drift);
        assertTrue(drift < 1e-4, "an EMA of unchanged weights may move by rounding only, not " + drift);
        assertTrue(after.equal(fresh(copy, images)), "the EMA's group features are those of its current weights");
      }
    }
  }

  @Test
  void notReusedWhileTheTextTowerTrains() {
    try (PointerScope scope = new PointerScope()) {
      HspNet a = SyntheticHspNet.build(ARCH, 7), b = SyntheticHspNet.build(ARCH, 7);
      b.cacheParentFeatures(false);
      Tensor images = randn(2, 3, 32, 32);
      a.forward(images).sum().backward();          // a second forward: a cache would now hold features without history
      a.zero_grad(true);
      a.forward(images).sum().backward();
      b.forward(images).sum().backward();
      Map<String, Tensor> pa = StateDicts.trainable(a), pb = StateDicts.trainable(b);
      Tensor ga = pa.get("text_encoder.positional_embedding").grad(), gb = pb.get("text_encoder.positional_embedding").grad();
      assertTrue(ga.defined() && ga.abs().sum().item_double() > 0);
      double diff = ga.sub(gb).abs().max().item_double();
      System.out.printf("unfrozen text tower: gradient with the cache enabled vs disabled: max diff %.3g%n", diff);
      assertEquals(0.0, diff, "the parent branch's gradient must reach an unfrozen text tower");
    }
  }

  @Test
  void channelsLastImageTowerComputesTheSameLogits() {
    try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      HspNet a = SyntheticHspNet.build(ARCH, 8), b = SyntheticHspNet.build(ARCH, 8);
      a.eval();
      b.eval();
      b.useChannelsLast();
      Tensor images = randn(4, 3, 32, 32);
      Tensor la = a.forward(images);
      Tensor lb = b.forward(images.contiguous(MemoryFormat.ChannelsLast));
      double diff = la.sub(lb).abs().max().item_double(), scale = la.abs().max().item_double();
      System.out.printf("channels-last image tower vs NCHW (CPU): max logit diff %.3g (max |logit| %.3g)%n", diff, scale);
      assertTrue(diff <= 5e-5 * Math.max(1, scale), "channels-last changed the logits by " + diff);
      assertTrue(StateDicts.of(b).get("image_encoder.conv1.weight").is_contiguous(MemoryFormat.ChannelsLast));
    }
  }
}
