package hspnet.config;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import hspnet.data.ClipTransform;
import java.util.Optional;

class ConfigLoaderTest {
  @TempDir Path dir;

  private static final String BASE = String.join("\n",
      "checkpoint: base", "log_file: train.txt", "data: /data/coco2014", "lr: 1e-4", "gcn_lr: 5e-4",
      "num_classes: 80", "workers: 4", "thre: 0.5", "batch_size: 128", "loss: SPLC", "epochs: 60",
      "total_epochs: 80", "weight_decay: 1e-4", "test: false", "parent_n_ctx: 4", "parent_ctx_init: a photo of a",
      "child_n_ctx: 4", "change_epoch: 1", "tau: 0.6", "reweight_p: 0.2", "image_size: 224", "seed: 1",
      "device: cpu", "amp: true", "clip_model: weights/RN50.pt", "tokenizer: bytes", "dataset_kind: auto",
      "bn_eval_first_epoch: true", "log_every: 100", "cpu_threads: 0", "hgcn_backend: auto", "");

  private Path write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  private ConfigException fails(String fileText) throws Exception {
    write("base.yaml", BASE);
    Path f = write("run.yaml", fileText);
    return assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
  }

  @Test
  void fileOverridesBaseKeyByKeyAndRemembersWhere() throws Exception {
    write("base.yaml", BASE);
    Path f = write("run.yaml", "checkpoint: hspnet+voc\nlr: 0.001\nnum_classes: 20\n");
    RunConfig c = ConfigLoader.load(f);
    assertEquals("hspnet+voc", c.checkpoint());
    assertEquals(0.001, c.lr());
    assertEquals(20, c.numClasses());
    assertEquals(5e-4, c.gcnLr(), "base value kept where the file is silent");
    assertEquals(1e-4, c.weightDecay(), "1e-4 is a number, although YAML 1.1 calls it a string");
    assertTrue(c.where("lr").endsWith("run.yaml:2"), c.where("lr"));
    assertTrue(c.where("gcn_lr").endsWith("base.yaml:5"), c.where("gcn_lr"));
  }

  @Test
  void resumeKeyAsksToContinueTheLatestRound() throws Exception {
    write("base.yaml", BASE);
    assertFalse(ConfigLoader.load(write("a.yaml", "checkpoint: a\n")).resume());
    assertTrue(ConfigLoader.load(write("b.yaml", "checkpoint: b\nresume: true\n")).resume());
  }

  @Test
  void configWithoutSiblingBaseUsesTheBuiltInBase() throws Exception {
    Path f = write("alone.yaml", "checkpoint: mine\nnum_classes: 5\ngcn_lr: 0.0005\n");
    RunConfig c = ConfigLoader.load(f);
    assertEquals("mine", c.checkpoint());
    assertEquals(128, c.batchSize(), "batch_size from the built-in configs/base.yaml");
    assertTrue(c.where("batch_size").contains("built-in"), c.where("batch_size"));
  }

  @Test
  void shippedConfigsAllLoad() {
    for (String name : List.of("hspnet+coco", "hspnet+voc", "hspnet+nuswide", "hspnet+cub", "hspnet+demo")) {
      RunConfig c = ConfigLoader.load(Path.of("configs", name + ".yaml"));
      assertEquals(name, c.checkpoint());
      assertEquals(1, c.changeEpoch(), name + ": the published runs used change_epoch 1");
    }
    RunConfig voc = ConfigLoader.load(Path.of("configs", "hspnet+voc.yaml"));
    assertEquals(7e-4, voc.gcnLr());
    assertEquals(20, voc.numClasses());
    RunConfig cub = ConfigLoader.load(Path.of("configs", "hspnet+cub.yaml"));
    assertEquals(1e-3, cub.lr());
    assertEquals(5e-3, cub.gcnLr());
  }

  @Test
  void unknownKeyNamesTheLineAndTheClosestKey() throws Exception {
    ConfigException e = fails("checkpoint: x\nlearning_rat: 3\ngcn_lrr: 0.1\n");
    assertTrue(e.getMessage().contains("run.yaml:2"), e.getMessage());
    assertTrue(e.getMessage().contains("unknown key 'learning_rat'"), e.getMessage());
    e = fails("gcn_lrr: 0.1\n");
    assertTrue(e.getMessage().contains("did you mean 'gcn_lr'?"), e.getMessage());
  }

  @Test
  void wrongTypesAreRefusedWithFileLineAndKey() throws Exception {
    ConfigException e = fails("lr: fast\n");
    assertTrue(e.getMessage().matches(".*run.yaml:1: key 'lr' must be a number, got 'fast'.*"), e.getMessage());
    e = fails("batch_size: 12.5\n");
    assertTrue(e.getMessage().contains("key 'batch_size' must be an integer"), e.getMessage());
    e = fails("test: maybe\n");
    assertTrue(e.getMessage().contains("key 'test' must be true or false"), e.getMessage());
    e = fails("checkpoint:\n  a: 1\n");
    assertTrue(e.getMessage().contains("key 'checkpoint' must be a string, not a mapping"), e.getMessage());
    e = fails("lr:\n");
    assertTrue(e.getMessage().contains("key 'lr' has no value"), e.getMessage());
  }

  @Test
  void malformedYamlNamesTheLine() throws Exception {
    ConfigException e = fails("lr: 0.1\ncheckpoint: [unclosed\nseed: 3\n");
    assertTrue(e.getMessage().contains("run.yaml:") && e.getMessage().contains("malformed YAML"), e.getMessage());
    e = fails("lr: 0.1\nlr: 0.2\n");
    assertTrue(e.getMessage().contains("malformed YAML") && e.getMessage().contains("duplicate"), e.getMessage());
    e = fails("- just\n- a list\n");
    assertTrue(e.getMessage().contains("must be a mapping"), e.getMessage());
  }

  @Test
  void valueChecksNameTheKey() throws Exception {
    assertTrue(fails("epochs: 90\n").getMessage().contains("key 'epochs'"));
    assertTrue(fails("child_num: 81\n").getMessage().contains("child_num"));
    assertTrue(fails("tau: 1.5\n").getMessage().contains("key 'tau': must lie in [0, 1]"));
    assertTrue(fails("loss: BCE\n").getMessage().contains("key 'loss': must be one of SPLC, AN, AN-LS, WAN, EPR, ROLE, LL-R, LL-Ct, LL-Cp"));
    assertTrue(fails("model_name: vit\n").getMessage().contains("key 'model_name': must be clip_gcn or resnet50"));
    assertTrue(fails("delta_rel: 0\n").getMessage().contains("key 'delta_rel': must lie in (0, 1]"));
    assertTrue(fails("ls_coef: 2\n").getMessage().contains("key 'ls_coef': must lie in [0, 1]"));
    assertTrue(fails("device: tpu\n").getMessage().contains("key 'device'"));
    assertTrue(fails("hgcn_backend: cudnn\n").getMessage().contains("key 'hgcn_backend': must be one of auto, libtorch, fused"));
    assertTrue(fails("dataset_kind: imagenet\n").getMessage().contains("key 'dataset_kind'"));
    assertTrue(fails("batch_size: 0\n").getMessage().contains("key 'batch_size': must be at least 1"));
    assertTrue(fails("parent_n_ctx: 3\n").getMessage().contains("parent_ctx_init"));
  }

  @Test
  void randomClipNeedsACompleteArchitecture() throws Exception {
    ConfigException e = fails("clip_model: random\n");
    assertTrue(e.getMessage().contains("clip_arch"), e.getMessage());
    e = fails("clip_model: random\nclip_arch:\n  vision_layers: [1, 1, 1]\n");
    assertTrue(e.getMessage().contains("misses"), e.getMessage());
    e = fails("clip_model: random\nclip_arch:\n  vision_width: 8\n  depth: 3\n");
    assertTrue(e.getMessage().contains("unknown key 'clip_arch.depth'"), e.getMessage());
  }

  @Test
  void headCountsApplyToLoadedWeightsOnly() throws Exception {
    write("base.yaml", BASE);
    RunConfig c = ConfigLoader.load(write("run.yaml", "clip_vision_heads: 12\nclip_text_heads: 8\n"));
    assertEquals(Optional.of(12), c.clipVisionHeads());
    assertEquals(Optional.of(8), c.clipTextHeads());
    ConfigException e = fails("clip_text_heads: 0\n");
    assertTrue(e.getMessage().contains("key 'clip_text_heads': must be at least 1"), e.getMessage());
    e = fails("clip_model: random\nclip_vision_heads: 4\n");
    assertTrue(e.getMessage().contains("key 'clip_vision_heads'") && e.getMessage().contains("clip_model is 'random'"),
        e.getMessage());
  }

  @Test
  void choicesAreTypedOnceAndNamedWithTheirLine() throws Exception {
    write("base.yaml", BASE);
    RunConfig c = ConfigLoader.load(write("run.yaml", "hgcn_backend: fused\namp_dtype: bfloat16\ndevice: cuda\n"));
    assertEquals(HgcnBackend.FUSED, c.hgcnBackend());
    assertEquals(AmpDtype.BFLOAT16, c.ampDtype());
    assertEquals(DeviceChoice.CUDA, c.device());
    assertEquals(DatasetKind.COCO, c.datasetKind(), "auto, resolved from data: /data/coco2014");
    ConfigException e = fails("device: tpu\n");
    assertTrue(e.getMessage().endsWith("run.yaml:1: key 'device': must be one of auto, cpu, cuda; got 'tpu'"), e.getMessage());
    e = fails("hgcn_backend: cudnn\n");
    assertTrue(e.getMessage().contains("key 'hgcn_backend': must be one of auto, libtorch, fused"), e.getMessage());
    e = fails("data: /data/mine\n");
    assertTrue(e.getMessage().contains("key 'dataset_kind': is auto but 'data' (/data/mine) names no known dataset"), e.getMessage());
  }

  @Test
  void anOlderBaseBesideTheConfigStillGetsEveryDefault() throws Exception {
    // BASE predates image_resize, the aug_* keys and amp_dtype: the built-in base.yaml supplies them
    write("base.yaml", BASE);
    RunConfig c = ConfigLoader.load(write("run.yaml", "seed: 3\n"));
    assertEquals(ClipTransform.Resize.PIL, c.imageResize());
    assertEquals(AmpDtype.FLOAT16, c.ampDtype());
    assertEquals(new RunConfig.AugmentationKeys(false, false, 0.08, 0.0, 0, 9), c.augmentation());
    assertTrue(c.where("aug_crop_min_scale").startsWith("(built-in) configs/base.yaml:"), c.where("aug_crop_min_scale"));
    assertEquals(2000, c.demoTrainImages());
  }

  @Test
  void missingFileAndMissingRequiredKey() throws Exception {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir.resolve("nope.yaml")));
    assertTrue(e.getMessage().contains("nope.yaml") && e.getMessage().contains("does not exist"), e.getMessage());
    // gcn_lr has no default (every dataset config sets it); the other required keys have theirs in base.yaml
    write("base.yaml", BASE.replace("gcn_lr: 5e-4\n", ""));
    Path f = write("run.yaml", "seed: 2\n");
    e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
    assertTrue(e.getMessage().contains("required key 'gcn_lr' is missing"), e.getMessage());
  }

  @Test
  void loadingCreatesNothingOnDisk() throws Exception {
    write("base.yaml", BASE);
    Path f = write("run.yaml", "lr: nope\n");
    long before;
    try (var s = Files.list(dir)) { before = s.count(); }
    assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
    try (var s = Files.list(dir)) { assertEquals(before, s.count()); }
  }
}
