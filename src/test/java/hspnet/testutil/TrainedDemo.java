package hspnet.testutil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

import hspnet.TrainMain;
import hspnet.report.ConsoleStyle;

/**
 * One small demo training ({@link DemoConfigs#small}, round 1 of checkpoint "e2e") shared by the
 * test classes that need a trained model, so the suite trains it once per JVM. The console output
 * is captured with plain progress lines at every step, as a log file or CI would get them.
 * The folder is deleted when the JVM exits.
 */
public final class TrainedDemo {
  /** The folder holding the config, the demo data (demo/) and the checkpoints (checkpoints/). */
  public record Run(Path dir, Path config, Path checkpoints, int exit, String out, String err) {
    public Path round() { return checkpoints.resolve("e2e/round1"); }

    public Path data() { return dir.resolve("demo"); }
  }

  private static Run run;

  private TrainedDemo() {}

  public static synchronized Run get() {
    if (run == null) run = train();
    return run;
  }

  private static Run train() {
    try {
      Path dir = Files.createTempDirectory("hspnet-trained-demo");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
      Path config = dir.resolve("demo.yaml");
      Path checkpoints = dir.resolve("checkpoints");
      Files.writeString(config, DemoConfigs.small(dir.resolve("demo"), "e2e"));
      ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
      int exit = TrainMain.run(new String[] {"-c", config.toString()}, checkpoints,
          new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
          ConsoleStyle.plain(Duration.ZERO));
      Run r = new Run(dir, config, checkpoints, exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
      System.out.println(r.out() + r.err());
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary folder left behind is harmless
    }
  }
}
