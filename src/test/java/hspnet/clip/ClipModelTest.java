package hspnet.clip;

import org.junit.jupiter.api.extension.ExtendWith;
import hspnet.testutil.NativeScope;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import static org.bytedeco.pytorch.global.torch.manual_seed;

import hspnet.model.PromptTokens;
import hspnet.nn.StateDicts;
import hspnet.nn.Tensors;
import org.bytedeco.javacpp.PointerScope;

/** Fixture-free checks of the CLIP model's structure and of the shortened text run. */
@ExtendWith(NativeScope.class)
class ClipModelTest {
  private static final ClipArch TINY = ClipArch.resNet(16, 32, List.of(1, 1, 1, 1), 8, 2, 77, 300, 16, 2, 2);

  @Test
  void layerNormsNormaliseOverTheWidth() {
    ClipModel clip = new ClipModel(TINY);
    StateDicts.of(clip).forEach((k, v) -> {
      if (k.contains("ln_")) assertArrayEquals(new long[] {16}, Tensors.shape(v), k);
    });
  }

  /**
   * encodeText runs the transformer on EOT + 1 positions only; with the causal mask the features at
   * EOT must be those of the full 77-position run.
   */
  @Test
  void shortenedTextRunEqualsTheFullContext() {
    manual_seed(7);
    ClipModel clip = new ClipModel(TINY);
    ClipInit.initialize(clip);
    clip.eval();
    // 297 plays SOT, the row's largest id EOT; row 0 is padded with small non-zero ids
    long[][] rows = new long[2][77];
    System.arraycopy(new long[] {297, 5, 17, 3, 299}, 0, rows[0], 0, 5);
    System.arraycopy(new long[] {297, 42, 298}, 0, rows[1], 0, 3);
    for (int i = 5; i < 77; i++) rows[0][i] = 1 + i % 7;
    assertEquals(5, ClipModel.usedLength(rows));
    try (NoGradGuard g = new NoGradGuard()) {
      Tensor tokens = PromptTokens.asTensor(rows);
      Tensor shortRun = clip.encodeText(tokens, rows);
      Tensor eot = Tensors.ofLongs(new long[] {ClipModel.eotPosition(rows[0]), ClipModel.eotPosition(rows[1])}, 2);
      Tensor fullRun = clip.textEncoder().forward(clip.embedTokens(tokens), eot, 77);
      float[] s = Tensors.toFloats(shortRun), f = Tensors.toFloats(fullRun);
      double max = 0, ref = 0;
      for (int i = 0; i < s.length; i++) {
        max = Math.max(max, Math.abs(s[i] - f[i]));
        ref = Math.max(ref, Math.abs(f[i]));
      }
      System.out.printf("shortened vs full text run: max abs diff %.3e (max abs %.3e)%n", max, ref);
      assertTrue(ref > 0.01, "features are not trivially zero");
      assertTrue(max <= 1e-6 * Math.max(1, ref), "max abs diff " + max);
    }
  }

  /** The text path must outlive a PointerScope in which it was first used (EmbedMain batches that way). */
  @Test
  void textPathSurvivesTheScopeOfItsFirstUse() {
    ClipModel clip = new ClipModel(TINY);
    ClipInit.initialize(clip);
    clip.eval();
    long[][] rows = {{297, 5, 299}, {297, 298, 0}};
    float[] first;
    try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      first = Tensors.toFloats(clip.encodeText(PromptTokens.asTensor(rows), rows));
    }
    try (NoGradGuard g = new NoGradGuard()) {
      assertArrayEquals(first, Tensors.toFloats(clip.encodeText(PromptTokens.asTensor(rows), rows)));
    }
  }
}
