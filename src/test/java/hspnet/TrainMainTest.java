package hspnet;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import hspnet.io.TorchZipWriter;
import hspnet.testutil.DemoConfigs;

import static org.bytedeco.pytorch.global.torch.zeros;
import hspnet.data.DemoDataset;

/** The command line's contract: exit status, one clear line, and nothing created on bad input. */
class TrainMainTest {
  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    int exit = TrainMain.run(args, dir.resolve("checkpoints"), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void helpPrintsUsage() {
    Run r = run("--help");
    assertEquals(0, r.exit());
    assertTrue(r.out().contains("-c, --config-file FILE"), r.out());
  }

  @Test
  void badConfigExitsWithTwoAndOneLineAndCreatesNothing() throws Exception {
    Path cfg = dir.resolve("bad.yaml");
    Files.writeString(cfg, DemoConfigs.small(dir.resolve("demo"), "bad").replace("lr: 0.001", "lr: 0.001\nlr_decay: 3"));
    Run r = run("-c", cfg.toString());
    assertEquals(2, r.exit());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("error: " + cfg + ":"), r.err());
    assertTrue(r.err().contains("unknown key 'lr_decay'"), r.err());
    assertFalse(Files.exists(dir.resolve("checkpoints")), "no checkpoint folder for a run that never started");
    assertFalse(Files.exists(dir.resolve("demo")), "no data generated either");

    Run missing = run("-c", dir.resolve("nope.yaml").toString());
    assertEquals(2, missing.exit());
    assertTrue(missing.err().contains("nope.yaml: config file does not exist"), missing.err());

    Path weights = dir.resolve("w.yaml");
    Files.writeString(weights, DemoConfigs.small(dir.resolve("demo"), "w").replace("tokenizer: bytes", "tokenizer: " + dir.resolve("vocab.gz")));
    Run vocab = run("-c", weights.toString());
    assertEquals(2, vocab.exit());
    assertTrue(vocab.err().contains("key 'tokenizer'") && vocab.err().contains("vocab.gz"), vocab.err());
    assertFalse(Files.exists(dir.resolve("demo")), "checked before the demo data is generated");

    Run option = run("-c", cfg.toString(), "--fast");
    assertEquals(2, option.exit());
    assertTrue(option.err().contains("unknown option '--fast'"), option.err());
  }

  @Test
  void missingOrCorruptClipWeightsStopBeforeAnythingIsCreated() throws Exception {
    Path cfg = dir.resolve("clip.yaml");
    Path weights = dir.resolve("RN50.pt");
    Files.writeString(cfg, DemoConfigs.small(dir.resolve("demo"), "clip").replace("clip_model: random", "clip_model: " + weights));
    Run missing = run("-c", cfg.toString());
    assertEquals(2, missing.exit());
    assertTrue(missing.err().contains("key 'clip_model'") && missing.err().contains("does not exist"), missing.err());

    Files.writeString(weights, "not weights");
    Run corrupt = run("-c", cfg.toString());
    assertEquals(1, corrupt.exit());
    assertEquals(1, corrupt.err().strip().lines().count(), corrupt.err());
    assertTrue(corrupt.err().startsWith("error: " + weights + ": not CLIP weights"), corrupt.err());
    assertFalse(Files.exists(dir.resolve("checkpoints")), "no checkpoint folder");
    assertFalse(Files.exists(dir.resolve("demo")), "no data generated");
  }

  @Test
  void missingListFileNamesTheKey() throws Exception {
    Path cfg = dir.resolve("list.yaml");
    Files.writeString(cfg, DemoConfigs.small(dir.resolve("imgs"), "list")
        .replace("dataset_kind: demo", "dataset_kind: list\nlabels: " + dir.resolve("labels.yaml")
            + "\ntrain_dataset: " + dir.resolve("train.txt") + "\nval_dataset: " + dir.resolve("val.txt")));
    DemoDataset.labelSet().write(dir.resolve("labels.yaml"));
    Files.createDirectories(dir.resolve("imgs"));
    Run r = run("-c", cfg.toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("key 'train_dataset': list file") && r.err().contains("does not exist"), r.err());
    assertTrue(r.err().contains("list.yaml:"), "names the config line: " + r.err());
  }

  @Test
  void corruptOrMismatchedCheckpointIsOneClearError() throws Exception {
    Path cfg = dir.resolve("ck.yaml");
    Files.writeString(cfg, DemoConfigs.small(dir.resolve("demo"), "ck"));
    Path round = Files.createDirectories(dir.resolve("checkpoints/ck/round1"));
    Path ckpt = round.resolve("model-highest.ckpt");

    Files.writeString(ckpt, "not a checkpoint");
    Run corrupt = run("-c", cfg.toString(), "-t", "-r", "1");
    assertEquals(1, corrupt.exit());
    assertTrue(corrupt.err().contains("model-highest.ckpt"), corrupt.err());

    Map<String, Tensor> wrong = new LinkedHashMap<>();
    wrong.put("gcn.gamma", zeros(1));
    wrong.put("image_encoder.conv1.weight", zeros(8, 3, 3, 3));
    TorchZipWriter.writeStateDict(ckpt, wrong);
    Run mismatch = run("-c", cfg.toString(), "-t");
    assertEquals(1, mismatch.exit());
    assertTrue(mismatch.err().contains("does not fit the model") && mismatch.err().contains("missing key"), mismatch.err());
  }
}
