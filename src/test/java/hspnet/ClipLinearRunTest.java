package hspnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BiFunction;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import hspnet.io.TorchZipReader;
import hspnet.testutil.DemoConfigs;

/**
 * The baseline model ({@code model_name: clip_linear}) through every command: training with a
 * baseline loss, test mode and prediction from its checkpoint; its state dict is the image tower
 * and the linear head, nothing of HSPNet's.
 */
class ClipLinearRunTest {
  @TempDir Path dir;

  record Result(int exit, String out, String err) {}

  private static Result capture(BiFunction<PrintStream, PrintStream, Integer> main) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    int exit = main.apply(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void trainsTestsAndPredicts() throws Exception {
    Path cfg = dir.resolve("linear.yaml");
    Files.writeString(cfg, DemoConfigs.small(dir.resolve("demo"), "linear")
        .replace("demo_train_images: 600", "demo_train_images: 64").replace("demo_val_images: 200", "demo_val_images: 32")
        .replace("epochs: 6", "epochs: 2") + "model_name: clip_linear\nloss: AN\n");
    Path root = dir.resolve("checkpoints");
    Result train = capture((o, e) -> TrainMain.run(new String[] {"-c", cfg.toString()}, root, o, e));
    assertEquals(0, train.exit(), train.err());
    assertTrue(train.out().contains("Relation matrix: not used"), train.out());

    Map<String, Tensor> state = TorchZipReader.readStateDict(root.resolve("linear/round1/model-highest.ckpt"));
    assertTrue(state.containsKey("head.weight") && state.containsKey("head.bias"), state.keySet().toString());
    assertEquals(16, state.get("head.weight").size(0));
    assertFalse(state.keySet().stream().anyMatch(k -> k.startsWith("gcn") || k.startsWith("text_encoder") || k.contains("prompt")),
        "nothing of HSPNet's in the baseline's checkpoint");

    Result test = capture((o, e) -> TrainMain.run(new String[] {"-c", cfg.toString(), "-t"}, root, o, e));
    assertEquals(0, test.exit(), test.err());
    assertTrue(test.out().contains("mAP"), test.out());

    Path out = dir.resolve("pred.json");
    Result predict = capture((o, e) -> PredictMain.run(new String[] {"-c", cfg.toString(), "--out", out.toString(),
        dir.resolve("demo/images/val").toString()}, root, o, e));
    assertEquals(0, predict.exit(), predict.err());
    assertTrue(Files.size(out) > 0);
  }
}
