package hspnet.clip;

import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import hspnet.io.TorchZipReader;
import hspnet.nn.Tensors;
import hspnet.testutil.ClipVariants;
import hspnet.testutil.Fixtures;
import hspnet.testutil.NativeScope;
import hspnet.testutil.Shared;
import java.util.ArrayList;

/**
 * The architecture read from state-dict shapes: on the fixtures it is what the original's
 * build_model inferred (cases.json build_model_inferred, head counts by its width/64 rule), and
 * with the real head counts given it is cases.json's arch; on the shapes of released models the
 * rule gives their known head counts.
 */
@ExtendWith(NativeScope.class)
class ClipArchInferenceTest {
  private static Map<String, long[]> shapesOf(String variant) throws Exception {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    Map<String, Tensor> state = TorchZipReader.readStateDict(Shared.fixture("clip_" + variant + ".state.pt"));
    state.forEach((k, v) -> shapes.put(k, Tensors.shape(v)));
    return shapes;
  }

  @ClipVariants
  void fixturesGiveBuildModelsInferenceAndWithHeadsTheirArch(String variant) throws Exception {
    JsonNode inferred = Fixtures.cases().at("/clip/" + variant + "/build_model_inferred");
    ClipArch actual = Fixtures.clipArch(variant);
    ClipArch arch = ClipArchInference.infer(shapesOf(variant), ClipLoaderParityTest.headsOf(actual), variant);
    assertEquals(actual, arch);

    boolean resNet = arch.vision() instanceof ClipArch.ResNet;
    assertEquals(inferred.get("embed_dim").asInt(), arch.embedDim());
    assertEquals(inferred.get("image_resolution").asInt(), arch.imageResolution());
    assertEquals(inferred.get("context_length").asInt(), arch.contextLength());
    assertEquals(inferred.get("vocab_size").asInt(), arch.vocabSize());
    assertEquals(inferred.get("transformer_width").asInt(), arch.transformerWidth());
    assertEquals(inferred.get("transformer_layers").asInt(), arch.transformerLayers());
    assertEquals(inferred.get("vision_width").asInt(), arch.vision().width());
    if (arch.vision() instanceof ClipArch.ResNet r) {
      List<Integer> layers = new ArrayList<>();
      inferred.get("vision_layers").forEach(n -> layers.add(n.asInt()));
      assertEquals(layers, r.layers());
      assertTrue(inferred.get("vision_patch_size").isNull());
    } else {
      ClipArch.Vit v = (ClipArch.Vit) arch.vision();
      assertEquals(inferred.get("vision_layers").asInt(), v.layers());
      assertEquals(inferred.get("vision_patch_size").asInt(), v.patchSize());
    }
    // what build_model's own rule gives, 0 included
    assertEquals(inferred.get("vision_heads").asInt(), ClipArchInference.ruleVisionHeads(resNet, arch.vision().width()));
    assertEquals(inferred.get("transformer_heads").asInt(), ClipArchInference.ruleTextHeads(arch.transformerWidth()));
  }

  /**
   * Where build_model's width / 64 rule gives 0 heads (cases.json build_model_inferred: the tiny
   * models) the count must be given, and the error names the file, the tower's width and the
   * option; where it gives a count (a ResNet pool: 32 * width / 64) that count is used; a count
   * that does not divide the width is refused.
   */
  @ClipVariants
  void ruleHeadsThatAreZeroMustBeGiven(String variant) throws Exception {
    // read outside the lambdas, so that a missing fixture skips the test instead of failing it
    var shapes = shapesOf(variant);
    JsonNode inferred = Fixtures.variant("clip", variant).get("build_model_inferred");
    ClipArch actual = Fixtures.clipArch(variant);
    String source = "clip_" + variant + ".state.pt";
    // the width the image tower's heads divide: a ResNet's attention pool is 32 times its width
    int visionWidth = actual.vision() instanceof ClipArch.ResNet ? actual.vision().width() * 32 : actual.vision().width();
    int textHeads = actual.transformerHeads(), visionHeads = actual.vision().heads();

    if (inferred.get("transformer_heads").asInt() == 0) {
      HeadCountException text = assertThrows(HeadCountException.class,
          () -> ClipArchInference.infer(shapes, new ClipHeads(visionHeads, null), source));
      assertFalse(text.visionTower());
      assertTrue(text.getMessage().contains(source) && text.getMessage().contains(actual.transformerWidth() + " wide")
          && text.getMessage().contains("clip_text_heads"), text.getMessage());
    } else {
      assertEquals(inferred.get("transformer_heads").asInt(),
          ClipArchInference.infer(shapes, new ClipHeads(visionHeads, null), source).transformerHeads());
    }
    if (inferred.get("vision_heads").asInt() == 0) {
      HeadCountException vision = assertThrows(HeadCountException.class,
          () -> ClipArchInference.infer(shapes, new ClipHeads(null, textHeads), source));
      assertTrue(vision.visionTower());
      assertTrue(vision.getMessage().contains(visionWidth + " wide") && vision.getMessage().contains("clip_vision_heads"),
          vision.getMessage());
    } else {
      // e.g. the ResNet pool's heads follow from the rule (32 * 8 / 64 = 4 in the shared profile)
      assertEquals(inferred.get("vision_heads").asInt(),
          ClipArchInference.infer(shapes, new ClipHeads(null, textHeads), source).vision().heads());
    }
    int indivisible = 2;
    while (visionWidth % indivisible == 0) indivisible++;
    int bad = indivisible;
    HeadCountException e = assertThrows(HeadCountException.class,
        () -> ClipArchInference.infer(shapes, new ClipHeads(bad, textHeads), source));
    assertTrue(e.visionTower());
    assertTrue(e.getMessage().contains(visionWidth + " wide, which " + bad + " heads do not divide"), e.getMessage());
  }

  /** RN50's shapes (OpenAI's release): widths 64 and 512 give 32 pool heads and 8 text heads. */
  @Test
  void rn50ShapesGiveItsKnownArchitecture() {
    Map<String, long[]> s = textShapes(512, 1024, 12);
    int[] blocks = {3, 4, 6, 3};
    for (int b = 0; b < 4; b++)
      for (int i = 0; i < blocks[b]; i++) s.put("visual.layer" + (b + 1) + "." + i + ".conv1.weight", new long[] {64L << b, 64, 1, 1});
    s.put("visual.attnpool.positional_embedding", new long[] {50, 2048});
    ClipArch arch = ClipArchInference.infer(s, ClipHeads.INFERRED, "RN50.pt");
    assertEquals(ClipArch.resNet(1024, 224, List.of(3, 4, 6, 3), 64, 32, 77, 49408, 512, 8, 12), arch);
  }

  /** ViT-B/32's shapes: patch 32, 7x7 grid, 768 wide with 12 heads. */
  @Test
  void vitB32ShapesGiveItsKnownArchitecture() {
    Map<String, long[]> s = textShapes(512, 512, 12);
    s.put("visual.proj", new long[] {768, 512});
    s.put("visual.conv1.weight", new long[] {768, 3, 32, 32});
    s.put("visual.positional_embedding", new long[] {50, 768});
    for (int i = 0; i < 12; i++) s.put("visual.transformer.resblocks." + i + ".attn.in_proj_weight", new long[] {2304, 768});
    assertEquals(ClipArch.vit(512, 224, 12, 768, 32, 12, 77, 49408, 512, 8, 12),
        ClipArchInference.infer(s, ClipHeads.INFERRED, "ViT-B-32.pt"));
  }

  @Test
  void missingOrMisshapenKeysAreNamed() {
    Map<String, long[]> s = textShapes(512, 512, 12);
    s.put("visual.proj", new long[] {768, 512});
    s.put("visual.conv1.weight", new long[] {768, 3, 32, 32});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClipArchInference.infer(s, ClipHeads.INFERRED, "w.pt"));
    assertTrue(e.getMessage().startsWith("w.pt: ") && e.getMessage().contains("'visual.positional_embedding' is missing"),
        e.getMessage());
    s.put("visual.positional_embedding", new long[] {51, 768});
    e = assertThrows(IllegalArgumentException.class, () -> ClipArchInference.infer(s, ClipHeads.INFERRED, "w.pt"));
    assertTrue(e.getMessage().contains("'visual.positional_embedding' has 51 rows"), e.getMessage());
    s.put("text_projection", new long[] {512});
    e = assertThrows(IllegalArgumentException.class, () -> ClipArchInference.infer(s, ClipHeads.INFERRED, "w.pt"));
    assertTrue(e.getMessage().contains("'text_projection' has shape [512]"), e.getMessage());
  }

  private static Map<String, long[]> textShapes(int width, int embed, int layers) {
    Map<String, long[]> s = new LinkedHashMap<>();
    s.put("positional_embedding", new long[] {77, width});
    s.put("text_projection", new long[] {width, embed});
    s.put("logit_scale", new long[] {});
    s.put("token_embedding.weight", new long[] {49408, width});
    s.put("ln_final.weight", new long[] {width});
    for (int i = 0; i < layers; i++) s.put("transformer.resblocks." + i + ".ln_1.weight", new long[] {width});
    return s;
  }
}
