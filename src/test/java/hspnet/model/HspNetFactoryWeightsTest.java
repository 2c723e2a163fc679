package hspnet.model;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import hspnet.clip.ClipArch;
import hspnet.clip.VisionTransformer;
import com.fasterxml.jackson.databind.JsonNode;

import hspnet.config.RunConfig;
import hspnet.config.ConfigException;
import hspnet.config.ConfigLoader;
import hspnet.data.LabelSet;
import hspnet.io.Npy;
import hspnet.nn.StateDicts;
import hspnet.testutil.Fixtures;
import hspnet.testutil.NativeScope;
import hspnet.testutil.Parity;
import hspnet.testutil.Shared;

/**
 * clip_model naming a weights file: HSPNet is built on the loaded CLIP (either tower), with the
 * architecture read from the weights, and every disagreement between config and weights is one
 * error naming the key.
 */
@ExtendWith(NativeScope.class)
class HspNetFactoryWeightsTest {
  private static final LabelSet LABELS = new LabelSet(List.of("cat", "dog", "car", "bus"), List.of("animal", "vehicle"),
      new int[] {0, 0, 1, 1});

  @TempDir Path dir;

  /** A run config naming a CLIP weights file, with the image size of that fixture CLIP. */
  private RunConfig config(String variant, String clipModel, String extra) throws Exception {
    Path file = dir.resolve("run.yaml");
    Files.writeString(file, String.join("\n",
        "checkpoint: w", "log_file: run.txt", "data: " + dir.resolve("data"), "dataset_kind: demo",
        "num_classes: " + LABELS.numClasses(), "image_size: " + Fixtures.clipArch(variant).imageResolution(), "batch_size: 4", "workers: 1", "epochs: 1", "total_epochs: 1", "lr: 0.001", "gcn_lr: 0.001",
        "log_every: 10", "device: cpu", "clip_model: " + clipModel,
        "tokenizer: " + Shared.fixture("bpe_simple_vocab_16e6.txt.gz"), extra, ""));
    return ConfigLoader.load(file);
  }

  /** The config keys of both head counts of a fixture CLIP (cases.json clip.&lt;variant&gt;.arch). */
  private static String heads(String variant) throws Exception {
    ClipArch arch = Fixtures.clipArch(variant);
    return "clip_vision_heads: " + arch.vision().heads() + "\nclip_text_heads: " + arch.transformerHeads();
  }

  @Test
  void vitWeightsBecomeHspNetsImageEncoder() throws Exception {
    RunConfig cfg = config("vit", Shared.fixture("clip_vit.jit.pt").toString(), heads("vit"));
    HspNetFactory.check(cfg);
    HspNetFactory factory = new HspNetFactory(cfg, LABELS);
    assertEquals(Fixtures.clipArch("vit"), factory.arch());
    HspNet model = factory.build(), ema = factory.build();
    assertInstanceOf(VisionTransformer.class, model.imageEncoder());
    model.eval();
    try (NoGradGuard g = new NoGradGuard()) {
      Tensor images = Npy.read(Shared.fixture("clip_vit.images.npy")).toTensor();
      Parity.assertForward("hspnet(vit weights).image_encoder", model.imageEncoder().forward(images),
          Shared.fixture("clip_vit.encode_image.npy"));
      assertArrayEquals(new long[] {images.size(0), LABELS.numClasses()}, model.forward(images).sizes().vec().get());
    }
    Map<String, Tensor> a = StateDicts.of(model), b = StateDicts.of(ema);
    a.forEach((k, v) -> {
      if (k.startsWith("image_encoder.") || k.startsWith("text_encoder.")) assertTrue(v.equal(b.get(k)), k);
    });
  }

  /** The tiny ResNet CLIP: build_model's rule gives 0 text heads (text width < 64) but the right pool heads. */
  @Test
  void headCountsTheWeightsCannotTellNameTheirKey() throws Exception {
    String rn = Shared.fixture("clip_rn.state.pt").toString();
    ClipArch arch = Fixtures.clipArch("rn");
    JsonNode inferred = Fixtures.variant("clip", "rn").get("build_model_inferred");
    Assumptions.assumeTrue(inferred.get("transformer_heads").asInt() == 0,
        "skipped: this profile's ResNet CLIP has a text width build_model's rule can split into heads");
    RunConfig cfg = config("rn", rn, "");
    ConfigException e = assertThrows(ConfigException.class, () -> new HspNetFactory(cfg, LABELS));
    assertTrue(e.getMessage().contains("key 'clip_text_heads'") && e.getMessage().contains(arch.transformerWidth() + " wide"),
        e.getMessage());
    ConfigException viaCheck = assertThrows(ConfigException.class, () -> HspNetFactory.check(cfg));
    assertEquals(e.getMessage(), viaCheck.getMessage());
    // the ResNet pool's heads follow from the rule (32 * width / 64); the text heads are given
    assertEquals(inferred.get("vision_heads").asInt(),
        new HspNetFactory(config("rn", rn, "clip_text_heads: " + arch.transformerHeads()), LABELS).arch().vision().heads());
  }

  @Test
  void imageSizeMustBeTheWeightsResolution() throws Exception {
    int res = Fixtures.clipArch("vit").imageResolution(), wrong = res == 224 ? 288 : 224;
    RunConfig cfg = config("vit", Shared.fixture("clip_vit.state.pt").toString(), heads("vit"))
        .with("image_size", wrong, "run.yaml:6");
    ConfigException e = assertThrows(ConfigException.class, () -> HspNetFactory.check(cfg));
    assertTrue(e.getMessage().startsWith("run.yaml:6: key 'image_size': is " + wrong)
        && e.getMessage().contains("take " + res + "x" + res + " images") && e.getMessage().contains("set image_size: " + res),
        e.getMessage());
  }

  @Test
  void tokenizerMustHaveTheWeightsVocabulary() throws Exception {
    RunConfig cfg = config("vit", Shared.fixture("clip_vit.state.pt").toString(), heads("vit"))
        .with("tokenizer", "bytes", "run.yaml:16");
    ConfigException e = assertThrows(ConfigException.class, () -> new HspNetFactory(cfg, LABELS));
    assertTrue(e.getMessage().contains("key 'tokenizer'")
        && e.getMessage().contains("vocabulary of " + Fixtures.clipArch("vit").vocabSize()), e.getMessage());
  }

  @Test
  void missingOrCorruptWeights() throws Exception {
    RunConfig missing = config("vit", dir.resolve("RN50.pt").toString(), "");
    ConfigException e = assertThrows(ConfigException.class, () -> HspNetFactory.check(missing));
    assertTrue(e.getMessage().contains("key 'clip_model'") && e.getMessage().contains("RN50.pt' does not exist"), e.getMessage());
    Path corrupt = Files.writeString(dir.resolve("ViT-B-32.pt"), "PK\3\4 but not really a zip");
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> HspNetFactory.check(config("vit", corrupt.toString(), "")));
    assertTrue(bad.getMessage().startsWith(corrupt.toString()), bad.getMessage());
  }
}
