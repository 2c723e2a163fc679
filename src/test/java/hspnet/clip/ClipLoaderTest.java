package hspnet.clip;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.zeros;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import hspnet.io.TorchZipWriter;
import hspnet.nn.StateDicts;
import hspnet.nn.Tensors;
import hspnet.testutil.NativeScope;
import hspnet.testutil.SafetensorsFiles;
import hspnet.testutil.Shared;
import hspnet.testutil.FixtureVariants;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * ClipLoader on small random CLIPs written here: the float16 rounding of build_model (applied to
 * exactly the tensors convert_weights converts), float16/bfloat16 inputs, and every way a file can
 * fail to be loadable CLIP weights, each ending in one message naming the file and the key.
 */
@ExtendWith(NativeScope.class)
class ClipLoaderTest {
  static final ClipArch TINY_RN = ClipArch.resNet(16, 32, List.of(1, 1, 1, 1), 8, 2, 77, 300, 16, 2, 2);
  static final ClipArch TINY_VIT = ClipArch.vit(16, 32, 1, 16, 16, 2, 77, 300, 16, 2, 1);
  static final ClipHeads HEADS = new ClipHeads(2, 2);
  /** 1 + 1e-4 lies between float16 neighbours 1 and 1 + 2^-10: float16 rounding gives 1. */
  private static final float OFF_GRID = 1.0001f;
  /** The names convert_weights converts, written out by hand as its code lists them. */
  private static final Pattern FP16 = Pattern.compile(
      "text_projection|visual\\.proj|.*\\.in_proj_(weight|bias)|.*\\.(conv\\d|downsample\\.0|[qkvc]_proj|out_proj|c_fc)\\.(weight|bias)");

  @TempDir Path dir;

  static Map<String, Tensor> randomState(ClipArch arch) {
    manual_seed(3);
    ClipModel m = new ClipModel(arch);
    ClipInit.initialize(m);
    Map<String, Tensor> state = new LinkedHashMap<>();
    StateDicts.of(m).forEach((k, v) -> state.put(k, v.detach().clone()));
    return state;
  }

  private Path save(String name, Map<String, Tensor> state) throws Exception {
    Path file = dir.resolve(name);
    TorchZipWriter.writeStateDict(file, state);
    return file;
  }

  @ParameterizedTest
  @ValueSource(strings = {"rn", "vit"})
  void float32WeightsAreRoundedThroughFloat16WhereBuildModelDoes(String variant) throws Exception {
    Map<String, Tensor> state = randomState(variant.equals("rn") ? TINY_RN : TINY_VIT);
    try (NoGradGuard g = new NoGradGuard()) {
      for (Tensor t : state.values()) if (t.is_floating_point()) t.flatten().select(0, 0).fill_(new Scalar(OFF_GRID));
    }
    ClipModel clip = ClipLoader.load(save(variant + ".pt", state), HEADS);
    int rounded = 0, kept = 0;
    for (Map.Entry<String, Tensor> e : StateDicts.of(clip).entrySet()) {
      Tensor t = e.getValue();
      if (!t.is_floating_point()) continue;
      assertEquals(ScalarType.Float, t.scalar_type().intern(), e.getKey());
      boolean fp16 = FP16.matcher(e.getKey()).matches();
      float first = Tensors.toFloats(t)[0];
      assertEquals(fp16 ? 1.0f : OFF_GRID, first, 0.0f, e.getKey() + (fp16 ? " should be rounded" : " should keep float32"));
      if (fp16) rounded++;
      else kept++;
    }
    System.out.printf("%s: %d tensors rounded through float16, %d kept in float32%n", variant, rounded, kept);
    assertTrue(rounded > 10 && kept > 5);
  }

  @Test
  void bfloat16AndFloat16SafetensorsLoadAsFloat32() throws Exception {
    Map<String, Tensor> state = randomState(TINY_RN);
    for (ScalarType type : new ScalarType[] {ScalarType.BFloat16, ScalarType.Half}) {
      Map<String, Tensor> stored = new LinkedHashMap<>();
      state.forEach((k, t) -> stored.put(k, t.is_floating_point() ? t.to(type) : t));
      Path file = dir.resolve(type + ".safetensors");
      SafetensorsFiles.write(file, stored);
      Map<String, Tensor> loaded = StateDicts.of(ClipLoader.load(file, HEADS));
      for (Map.Entry<String, Tensor> e : stored.entrySet()) {
        Tensor want = e.getValue().is_floating_point()
            ? (FP16.matcher(e.getKey()).matches() ? e.getValue().to(ScalarType.Half) : e.getValue()).to(ScalarType.Float)
            : e.getValue();
        assertTrue(want.equal(loaded.get(e.getKey())), type + " " + e.getKey());
      }
    }
  }

  @Test
  void missingKey() throws Exception {
    Map<String, Tensor> state = randomState(TINY_RN);
    state.remove("ln_final.bias");
    Path file = save("missing.pt", state);
    assertFails(() -> ClipLoader.load(file, HEADS), file, "1 missing key(s) [ln_final.bias]");
  }

  @Test
  void unexpectedKey() throws Exception {
    Map<String, Tensor> state = randomState(TINY_VIT);
    state.put("visual.extra.weight", zeros(2));
    Path file = save("extra.pt", state);
    assertFails(() -> ClipLoader.load(file, HEADS), file, "1 unexpected key(s) [visual.extra.weight]");
  }

  @Test
  void wrongShape() throws Exception {
    Map<String, Tensor> state = randomState(TINY_RN);
    state.put("transformer.resblocks.1.mlp.c_fc.bias", zeros(3));
    Path file = save("shape.pt", state);
    assertFails(() -> ClipLoader.load(file, HEADS), file, "'transformer.resblocks.1.mlp.c_fc.bias' is [3] but the model needs [64]");
  }

  @Test
  void truncatedFiles() throws Exception {
    Map<String, Tensor> state = randomState(TINY_RN);
    Path zip = truncate(save("cut.pt", state));
    assertFails(() -> ClipLoader.load(zip, HEADS), zip, "truncated or corrupt zip archive");
    Path st = dir.resolve("cut.safetensors");
    SafetensorsFiles.write(st, state);
    truncate(st);
    assertFails(() -> ClipLoader.load(st, HEADS), st, "(truncated file)");
  }

  @Test
  void truncatedTorchScriptArchive() throws Exception {
    // any TorchScript archive the original wrote; the ViT's is the smaller one
    byte[] all = Files.readAllBytes(Shared.fixture("clip_vit.jit.pt"));
    Path file = dir.resolve("RN50.pt");
    Files.write(file, Arrays.copyOf(all, all.length / 2));
    assertFails(() -> ClipLoader.load(file, HEADS), file, "truncated or corrupt zip archive");
  }

  /** A well-formed zip that LibTorch's JIT loader still refuses (a storage record is gone). */
  @Test
  void damagedTorchScriptArchive() throws Exception {
    Path file = dir.resolve("damaged.pt");
    try (ZipFile in = new ZipFile(Shared.fixture("clip_vit.jit.pt").toFile());
        ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(file))) {
      for (var e = in.entries(); e.hasMoreElements(); ) {
        ZipEntry entry = e.nextElement();
        if (entry.getName().endsWith("/data/0")) continue;
        out.putNextEntry(new ZipEntry(entry.getName()));
        in.getInputStream(entry).transferTo(out);
        out.closeEntry();
      }
    }
    assertEquals(WeightFormat.TORCHSCRIPT, WeightFormat.detect(file));
    assertFails(() -> ClipLoader.load(file, HEADS), file, "missing storage record");
  }

  @Test
  void filesThatAreNoClip() throws Exception {
    Path missing = dir.resolve("nothing.pt");
    assertFails(() -> ClipLoader.load(missing, HEADS), missing, "no such file");
    Path empty = Files.write(dir.resolve("empty.pt"), new byte[0]);
    assertFails(() -> ClipLoader.load(empty, HEADS), empty, "not CLIP weights (0 bytes");
    Path text = Files.writeString(dir.resolve("notes.pt"), "these are not weights\n");
    assertFails(() -> ClipLoader.load(text, HEADS), text, "not CLIP weights");
    Map<String, Tensor> other = new LinkedHashMap<>();
    other.put("fc.weight", zeros(2, 2));
    Path foreign = save("other.pt", other);
    assertFails(() -> ClipLoader.load(foreign, HEADS), foreign, "not a CLIP model: none of CLIP's keys");
    Path json = dir.resolve("bad.safetensors");
    SafetensorsFiles.writeRaw(json, "{\"w\": {\"dtype\": \"F64\", \"shape\": [1], \"data_offsets\": [0, 8]}}", new byte[8]);
    assertFails(() -> ClipLoader.load(json, HEADS), json, "entry 'w' has dtype F64");
  }

  @Test
  void anHspNetCheckpointIsNoClip() throws Exception {
    Path file = Shared.fixture("hspnet_" + FixtureVariants.hspnet().get(0) + ".state.pt");
    assertFails(() -> ClipLoader.load(file, HEADS), file, "not a CLIP model");
  }

  private static Path truncate(Path file) throws Exception {
    byte[] all = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(all, all.length * 3 / 5));
    return file;
  }

  private static void assertFails(Executable load, Path file, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, load);
    System.out.println("message: " + e.getMessage());
    assertTrue(e.getMessage().startsWith(file.toString()), "names the file: " + e.getMessage());
    assertTrue(e.getMessage().contains(expected), "says '" + expected + "': " + e.getMessage());
  }
}
