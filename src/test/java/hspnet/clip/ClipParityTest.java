package hspnet.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import hspnet.io.TorchZipReader;
import hspnet.nn.StateDicts;
import hspnet.testutil.ClipVariants;
import hspnet.testutil.Fixtures;
import hspnet.testutil.NativeScope;
import hspnet.testutil.Parity;
import hspnet.testutil.Shared;

/**
 * Each tiny CLIP of the fixtures ({@code clip_<variant>.*}: ModifiedResNet and VisionTransformer
 * today), built from cases.json's architecture: the state dict loads strictly, bit-identically and
 * in the original's key order, and in eval mode encode_image, encode_text and both logits match
 * what the original CLIP code computed on the same inputs.
 */
@ExtendWith(NativeScope.class)
class ClipParityTest {
  @ClipVariants
  void encodersAndLogitsMatchTheOriginal(String variant) throws Exception {
    JsonNode c = Fixtures.variant("clip", variant);
    ClipArch arch = Fixtures.clipArch(variant);
    Class<?> tower = switch (c.get("type").asText()) {
      case "ModifiedResNet" -> ClipArch.ResNet.class;
      case "VisionTransformer" -> ClipArch.Vit.class;
      default -> throw new AssertionError("clip." + variant + ".type " + c.get("type") + " is no CLIP tower");
    };
    assertInstanceOf(tower, arch.vision());
    // the TorchScript archive's extra keys record the same sizes as the arch
    assertEquals(c.at("/jit_extra_state_keys/input_resolution").asInt(), arch.imageResolution());
    assertEquals(c.at("/jit_extra_state_keys/vocab_size").asInt(), arch.vocabSize());
    assertEquals(c.at("/jit_extra_state_keys/context_length").asInt(), arch.contextLength());

    ClipModel clip = new ClipModel(arch);
    Path file = Shared.fixture("clip_" + variant + ".state.pt");
    Map<String, Tensor> stored = TorchZipReader.readStateDict(file);
    List<String> names = new ArrayList<>();
    c.get("state_dict").forEach(row -> names.add(row.get("name").asText()));
    assertEquals(names, List.copyOf(stored.keySet()), "the entries of cases.json clip." + variant + ".state_dict");
    StateDicts.loadStrict(clip, stored, file.getFileName().toString());
    Map<String, Tensor> mine = StateDicts.of(clip);
    Parity.assertLoadedExactly(mine, stored);
    assertEquals(List.copyOf(stored.keySet()), List.copyOf(mine.keySet()), "state-dict order");
    clip.eval();
    ClipFixtureParity.assertOutputs(clip, variant, "clip_" + variant + " (state.pt, direct)");
  }
}
