package hspnet.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import hspnet.CompareMain;
import hspnet.EmbedMain;
import hspnet.bench.LoaderBench;
import hspnet.PredictMain;
import hspnet.SinglePositiveMain;
import hspnet.TrainMain;
import hspnet.bench.BenchMain;
import hspnet.bench.DecodeBench;
import hspnet.bench.DeviceCheck;
import hspnet.bench.HgcnBench;
import hspnet.bench.PhotoSet;
import hspnet.bench.TextTowerBench;

/** Every main parses through OptionParser and ends through ExitStatus: a usage error is status 2 and one line. */
class MainsUsageTest {
  @TempDir Path dir;

  private record Run(int exit, String out, String err) {}

  @FunctionalInterface
  private interface Main {
    int run(String[] args, PrintStream out, PrintStream err);
  }

  private Map<String, Main> mains() {
    Map<String, Main> m = new LinkedHashMap<>();
    Path root = dir.resolve("checkpoints");
    m.put("TrainMain", (a, o, e) -> TrainMain.run(a, root, o, e));
    m.put("PredictMain", (a, o, e) -> PredictMain.run(a, root, o, e));
    m.put("CompareMain", (a, o, e) -> CompareMain.run(a, root, o, e));
    m.put("EmbedMain", EmbedMain::run);
    m.put("SinglePositiveMain", SinglePositiveMain::run);
    m.put("LoaderBench", LoaderBench::run);
    m.put("PhotoSet", PhotoSet::run);
    m.put("BenchMain", BenchMain::run);
    m.put("DeviceCheck", DeviceCheck::run);
    m.put("HgcnBench", HgcnBench::run);
    m.put("TextTowerBench", TextTowerBench::run);
    m.put("DecodeBench", DecodeBench::run);
    return m;
  }

  private static Run run(Main main, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    int exit = main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void everyMainRefusesAnUnknownOptionWithTwoAndOneLine() {
    mains().forEach((name, main) -> {
      Run r = run(main, "--no-such-option");
      assertEquals(ExitStatus.USAGE, r.exit(), name + ": " + r.err());
      assertEquals(1, r.err().strip().lines().count(), name + ": " + r.err());
      assertTrue(r.err().startsWith("error: unknown option '--no-such-option'") && r.err().contains("(usage: "), name + ": " + r.err());
      assertEquals("", r.out(), name);
    });
  }

  @Test
  void everyMainPrintsHelpWithZero() {
    mains().forEach((name, main) -> {
      Run r = run(main, "--help");
      assertEquals(ExitStatus.DONE, r.exit(), name + ": " + r.err());
      assertTrue(r.out().startsWith("usage: "), name + ": " + r.out());
      assertEquals("", r.err(), name);
    });
  }

  @Test
  void aMissingValueIsAUsageError() {
    Run r = run(mains().get("TrainMain"), "-c", "x.yaml", "-t", "-r");
    assertEquals(2, r.exit());
    assertEquals("error: option -r needs a value (usage: hspnet -h)", r.err().strip());
    Run b = run(mains().get("BenchMain"), "--bach", "2");
    assertEquals(2, b.exit());
    assertEquals("error: unknown option '--bach' (did you mean --batch?) (usage: BenchMain -h)", b.err().strip());
  }

  @Test
  void overrideErrorsOfTrainingAndPredictionNameTheOverride() {
    String demo = Path.of("configs", "hspnet+demo.yaml").toString();
    Run type = run(mains().get("TrainMain"), "-c", demo, "-o", "epochs=abc");
    assertEquals(2, type.exit(), type.err());
    assertEquals("error: -o epochs=abc: key 'epochs' must be an integer, got 'abc'", type.err().strip());
    Run range = run(mains().get("TrainMain"), "-c", demo, "--override", "epochs=0", "-t");
    assertEquals(2, range.exit(), range.err());
    assertEquals("error: command line (-o epochs=0): key 'epochs': must be at least 1, got 0", range.err().strip());
    assertFalse(Files.exists(dir.resolve("checkpoints")), "nothing created for a refused override");
    Run unknown = run(mains().get("PredictMain"), "-c", demo, "-o", "thres=0.3", "photo.jpg");
    assertEquals(2, unknown.exit(), unknown.err());
    assertEquals("error: -o thres=0.3: unknown key 'thres' (did you mean 'thre'?)", unknown.err().strip());
  }

  /** No main ends the JVM but with the status its run returned. */
  @Test
  void systemExitOnlyWithRunsStatus() throws IOException {
    Pattern exit = Pattern.compile("System\\.exit\\(([^;]*)\\);");
    List<String> offenders = new ArrayList<>();
    int mains = 0;
    for (String root : List.of("src/main/java", "src/bench/java")) {
      try (Stream<Path> files = Files.walk(Path.of(root))) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          String text = Files.readString(f);
          if (text.contains("static void main(")) mains++;
          Matcher m = exit.matcher(text);
          while (m.find())
            if (!m.group(1).startsWith("run(")) offenders.add(f + ": " + m.group());
        }
      }
    }
    assertEquals(List.of(), offenders);
    assertEquals(mains().size(), mains, "every main is in this test");
  }
}
