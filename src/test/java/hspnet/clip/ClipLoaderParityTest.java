package hspnet.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import hspnet.io.TorchZipReader;
import hspnet.nn.StateDicts;
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

  @ParameterizedTest(name = "{0} from {1}")
  @CsvSource({"rn, state.pt, TORCH_SAVE", "rn, jit.pt, TORCHSCRIPT", "vit, state.pt, TORCH_SAVE", "vit, jit.pt, TORCHSCRIPT"})
  void originalFilesGiveTheOriginalOutputs(String variant, String suffix, WeightFormat format) throws Exception {
    Path file = Shared.fixture("clip_" + variant + "." + suffix);
    assertEquals(format, WeightFormat.detect(file));
    check(variant, file, "clip_" + variant + " (" + suffix + ")");
  }

  @ParameterizedTest(name = "{0} as safetensors {1}")
  @CsvSource({"rn, Float", "rn, Half", "vit, Float", "vit, Half"})
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

  @Test
  void headCountsAreNeededForTheTinyModels() throws Exception {
    java.nio.file.Path jit = Shared.fixture("clip_vit.jit.pt");   // outside the lambda: skips without ../shared
    HeadCountException e = org.junit.jupiter.api.Assertions.assertThrows(HeadCountException.class,
        () -> ClipLoader.load(jit, ClipHeads.INFERRED));
    System.out.println("message: " + e.getMessage());
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("clip_vit.jit.pt"), e.getMessage());
  }
}
