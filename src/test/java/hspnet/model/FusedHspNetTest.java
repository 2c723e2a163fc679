package hspnet.model;

import static org.junit.jupiter.api.Assertions.*;
import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import hspnet.config.RunConfig;
import hspnet.config.ConfigLoader;
import hspnet.config.HgcnBackend;
import hspnet.data.LabelSet;
import hspnet.kernel.FusedHgcn;
import hspnet.nn.StateDicts;
import hspnet.testutil.NativeScope;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The demo's HSPNet with hgcn_backend 'fused' (the CPU reference kernel) against the same model with
 * 'libtorch': logits, and the gradient of every parameter — the image tower, the text encoder at
 * both levels (left trainable here so that dX must reach it through both GCN levels), the
 * meta-net, the prompt learners, W1..W3 and γ.
 */
@ExtendWith(NativeScope.class)
class FusedHspNetTest {
  static final double BOUND = 2e-5;

  private static LabelSet labels() {
    List<String> names = new ArrayList<>();
    int[] groupOf = new int[16];
    for (int c = 0; c < 16; c++) {
      names.add("thing" + (char) ('a' + c));
      groupOf[c] = c / 4;
    }
    return new LabelSet(names, List.of("sky", "sea", "garden", "street"), groupOf);
  }

  private static HspNet model(String backend) {
    RunConfig cfg = ConfigLoader.load(Path.of("configs", "hspnet+demo.yaml")).with("hgcn_backend", backend, "test");
    HspNet m = new HspNetFactory(cfg, labels()).build();
    assertEquals(HgcnBackend.valueOf(backend.toUpperCase(Locale.ROOT)), m.gcn.backend());
    return m;
  }

  @Test
  void logitsAndEveryGradientMatchTheLibTorchComposition() {
    HspNet reference = model("libtorch"), fused = model("fused");
    manual_seed(5);
    Tensor images = randn(3, 3, 64, 64), probe = randn(3, 16);
    Tensor want = reference.forward(images);
    want.mul(probe).sum().backward();
    Tensor got = fused.forward(images);
    got.mul(probe).sum().backward();
    assertEquals(0, FusedHgcn.pending(), "both levels' hooks have run");

    double logits = FusedHgcnLevelsTest.relDiff(got, want);
    System.out.printf("fused HSPNet demo logits max rel diff %.2e (bound %.0e)%n", logits, BOUND);
    assertTrue(logits <= BOUND);
    Map<String, Tensor> a = StateDicts.trainable(fused), b = StateDicts.trainable(reference);
    assertEquals(b.keySet(), a.keySet());
    // Relative to the tensor's largest gradient, but never to less than 1e-3 of the largest over
    // the model: some gradients are zero up to rounding (the attention pool's key bias: softmax
    // does not see a shift), and rounding noise over rounding noise says nothing.
    double largest = 0;
    for (String name : b.keySet()) {
      Tensor g = b.get(name).grad();
      if (!g.defined()) continue;
      // a non-finite gradient is named where it is, not carried along by max() to a later name
      assertTrue(g.isfinite().all().item_bool(), name + ": the LibTorch side's gradient is not finite");
      assertTrue(a.get(name).grad().isfinite().all().item_bool(), name + ": the fused side's gradient is not finite");
      largest = Math.max(largest, g.abs().max().item_double());
    }
    double worst = 0;
    String worstName = "";
    int withGrad = 0;
    for (String name : b.keySet()) {
      Tensor ga = a.get(name).grad(), gb = b.get(name).grad();
      assertEquals(gb.defined(), ga.defined(), name + ": a gradient on one side only");
      if (!gb.defined()) continue;
      withGrad++;
      double scale = Math.max(gb.abs().max().item_double(), 1e-3 * largest);
      double d = ga.to(ScalarType.Double).sub(gb.to(ScalarType.Double))
          .abs().max().item_double() / scale;
      if (d > worst) {
        worst = d;
        worstName = name;
      }
      if (name.startsWith("gcn") || name.contains("meta_net") || name.equals("text_encoder.positional_embedding"))
        System.out.printf("fused HSPNet demo grad %-45s max rel diff %.2e%n", name, d);
    }
    System.out.printf("fused HSPNet demo: %d parameter gradients, worst %s max rel diff %.2e (bound %.0e)%n", withGrad,
        worstName, worst, BOUND);
    assertTrue(withGrad > 50, "gradients reach the towers");
    assertTrue(worst <= BOUND, worstName + ": relative difference " + worst + " exceeds " + BOUND);
  }

  @Test
  void withoutGradientsTheForwardIsTheSame() {
    HspNet reference = model("libtorch"), fused = model("fused");
    try (NoGradGuard g = new NoGradGuard()) {
      Tensor want = reference.labelFeatures(), got = fused.labelFeatures();
      double d = FusedHgcnLevelsTest.relDiff(got, want);
      System.out.printf("fused HSPNet demo label features (no grad) max rel diff %.2e%n", d);
      assertTrue(d <= 1e-5);
      assertFalse(got.requires_grad());
    }
    assertEquals(0, FusedHgcn.pending(), "no hook is registered without grad mode");
  }
}
