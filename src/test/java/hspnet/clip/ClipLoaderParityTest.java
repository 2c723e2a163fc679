package hspnet.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;

import hspnet.io.TorchZipReader;
import hspnet.nn.StateDicts;
import hspnet.testutil.ClipVariants;
import hspnet.testutil.FixtureVariants;
import hspnet.testutil.Fixtures;
import hspnet.testutil.NativeScope;
import hspnet.testutil.Parity;
import hspnet.testutil.SafetensorsFiles;
import hspnet.testutil.Shared;

/**
 * ClipLoader on the fixtures' tiny CLIPs, from every format: the TorchScript archive and the
 * torch.save zip the original wrote, and safetensors copies (float32 and float16) written here.
 * Each gives cases.json's architecture (with its head counts passed explicitly), the stored
 * tensors bit for bit, and the original's four outputs.
 */
@ExtendWith(NativeScope.class)
class ClipLoaderParityTest {
  @TempDir Path dir;

  static ClipHeads headsOf(ClipArch arch) {
    return new ClipHeads(arch.vision().heads(), arch.transformerHeads());
  }

  /** Every CLIP variant of cases.json, from the two files the original wrote. */
  static Stream<Arguments> originalFiles() throws Exception {
    return FixtureVariants.clip().stream().flatMap(v -> Stream.of(
        Arguments.of(v, "state.pt", WeightFormat.TORCH_SAVE), Arguments.of(v, "jit.pt", WeightFormat.TORCHSCRIPT)));
  }

  /** Every CLIP variant of cases.json, copied to safetensors as float32 and as float16. */
  static Stream<Arguments> safetensorsCopies() throws Exception {
    return FixtureVariants.clip().stream().flatMap(v -> Stream.of(Arguments.of(v, "Float"), Arguments.of(v, "Half")));
  }

  @ParameterizedTest(name = "{0} from {1}")
  @MethodSource("originalFiles")
  void originalFilesGiveTheOriginalOutputs(String variant, String suffix, WeightFormat format) throws Exception {
    Path file = Shared.fixture("clip_" + variant + "." + suffix);
    assertEquals(format, WeightFormat.detect(file));
    check(variant, file, "clip_" + variant + " (" + suffix + ")");
  }

  @ParameterizedTest(name = "{0} as safetensors {1}")
  @MethodSource("safetensorsCopies")
  void safetensorsCopiesGiveTheOriginalOutputs(String variant, String dtype) throws Exception {
    Map<String, Tensor> stored = TorchZipReader.readStateDict(Shared.fixture("clip_" + variant + ".state.pt"));
    Map<String, Tensor> converted = new LinkedHashMap<>();
    ScalarType target = dtype.equals("Half") ? ScalarType.Half : ScalarType.Float;
    // every fixture value is float16-representable, so the float16 copy holds the same numbers
    stored.forEach((k, t) -> converted.put(k, t.is_floating_point() ? t.to(target) : t));
    Path file = dir.resolve("clip_" + variant + "." + dtype + ".safetensors");
    SafetensorsFiles.write(file, converted);
    assertEquals(WeightFormat.SAFETENSORS, WeightFormat.detect(file));
    check(variant, file, "clip_" + variant + " (safetensors " + dtype + ")");
  }

  private static void check(String variant, Path file, String label) throws Exception {
    ClipArch arch = Fixtures.clipArch(variant);
    ClipWeights weights = ClipLoader.read(file, headsOf(arch));
    assertEquals(arch, weights.arch(), "architecture inferred with the head counts given");
    ClipModel clip = weights.newModel();
    Parity.assertLoadedExactly(StateDicts.of(clip), TorchZipReader.readStateDict(Shared.fixture("clip_" + variant + ".state.pt")));
    ClipFixtureParity.assertOutputs(clip, variant, label);
    // a second model from the same weights: same tensors, without reading the file again
    Parity.assertLoadedExactly(StateDicts.of(weights.newModel()), StateDicts.of(clip));
  }

  /**
   * Without head counts the loader uses build_model's width / 64 rule: where that gives 0 heads
   * (cases.json build_model_inferred, the tiny models) loading must stop with an error naming the
   * file; where it gives a count, that count is what build_model would build.
   */
  @ClipVariants
  void headCountsAreNeededForTheTinyModels(String variant) throws Exception {
    JsonNode inferred = Fixtures.variant("clip", variant).get("build_model_inferred");
    Path jit = Shared.fixture("clip_" + variant + ".jit.pt");   // outside the lambda: skips when absent
    if (inferred.get("vision_heads").asInt() == 0 || inferred.get("transformer_heads").asInt() == 0) {
      HeadCountException e = assertThrows(HeadCountException.class, () -> ClipLoader.load(jit, ClipHeads.INFERRED));
      System.out.println("message: " + e.getMessage());
      assertTrue(e.getMessage().contains(jit.getFileName().toString()), e.getMessage());
    } else {
      ClipArch arch = ClipLoader.read(jit, ClipHeads.INFERRED).arch();
      assertEquals(inferred.get("vision_heads").asInt(), arch.vision().heads());
      assertEquals(inferred.get("transformer_heads").asInt(), arch.transformerHeads());
    }
  }
}
