package hspnet.testutil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import hspnet.TrainMain;
import hspnet.io.TorchZipReader;

/** TrainMain called in this JVM with its console captured, and the tiny demo config the resume tests share. */
public final class MainRuns {
  private MainRuns() {}

  /** What one call of the main printed and returned. */
  public record Outcome(int exit, String out, String err) {}

  public static Outcome train(Path checkpointsRoot, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    int exit = TrainMain.run(args, checkpointsRoot, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /**
   * {@code dir/name.yaml}: the small demo cut to 64 training and 32 validation images, one log
   * line per step, seed 11, {@code epochs} of a 5-epoch schedule, then {@code extra} lines.
   */
  public static Path resumeConfig(Path dir, String name, int epochs, String extra) throws Exception {
    Path f = dir.resolve(name + ".yaml");
    Files.writeString(f, DemoConfigs.small(dir.resolve("demo"), "resume")
        .replace("demo_train_images: 600", "demo_train_images: 64").replace("demo_val_images: 200", "demo_val_images: 32")
        .replace("epochs: 6", "epochs: " + epochs).replace("total_epochs: 7", "total_epochs: 5")
        .replace("log_every: 10", "log_every: 1") + "seed: 11\n" + extra);
    return f;
  }

  /** The tree a {@code torch.save} archive holds (a resume state's), as the restricted reader reads it. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> archive(Path file) {
    try {
      return (Map<String, Object>) TorchZipReader.readTree(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
