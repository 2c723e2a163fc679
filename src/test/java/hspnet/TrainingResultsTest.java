package hspnet;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import hspnet.report.Charts;
import hspnet.report.ConsoleStyle;
import hspnet.report.RoundReport;
import hspnet.report.RunSummary;
import hspnet.testutil.ResultFiles;
import hspnet.testutil.TrainedDemo;
import java.util.Locale;

/**
 * What a real training leaves besides checkpoints (on {@link TrainedDemo}'s shared run): progress
 * lines on a non-terminal console without control characters and never in the log file,
 * metrics.jsonl with one object per epoch agreeing with the log, the charts as PNGs of their sizes,
 * summary.txt, and after {@code -t} test_metrics.json agreeing with the printed mAP.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainingResultsTest {
  static final Pattern VALIDATION = Pattern.compile("mAP score regular (\\d+\\.\\d\\d), mAP score EMA (\\d+\\.\\d\\d)");
  static final Pattern PROGRESS = Pattern.compile("(?m)^epoch (\\d)/6: step (\\d+)/19, loss \\d+\\.\\d{4}, lr \\d\\.\\d\\de-0\\d, "
      + "\\d+\\.\\d images/s, ETA \\S+ \\(run \\S+\\)$");
  TrainedDemo.Run run;
  final ObjectMapper json = new ObjectMapper();

  @BeforeAll
  void train() {
    run = TrainedDemo.get();
    assertEquals(0, run.exit(), run.err());
  }

  @Test
  void progressLinesArePlainOnANonTerminalAndStayOutOfTheLogFile() throws Exception {
    String out = run.out();
    assertEquals(-1, ResultFiles.firstControlCharacter(out.replace(System.lineSeparator(), "\n")),
        "no control characters in non-terminal output");
    Matcher m = PROGRESS.matcher(out);
    int lines = 0;
    while (m.find()) lines++;
    assertEquals(6 * 19, lines, "a progress line at every step (interval 0)");
    assertTrue(Pattern.compile("(?m)^validation after epoch 5/6: step 7/7, \\d+\\.\\d images/s").matcher(out).find(), out);
    String log = Files.readString(run.round().resolve("run.txt"));
    assertFalse(log.contains("images/s"), "progress lines are console-only");
    // the original's lines, exactly as before
    assertTrue(Pattern.compile("\\[INFO\\] Epoch \\[0/6\\], Step \\[000/019\\], LR \\d\\.\\de-0\\d, Loss: \\d+\\.\\d\\n").matcher(log).find());
  }

  @Test
  void metricsFileHasOneObjectPerEpochAgreeingWithTheLog() throws Exception {
    List<String> lines = Files.readAllLines(run.round().resolve("metrics.jsonl"));
    assertEquals(6, lines.size());
    List<double[]> logged = new ArrayList<>();
    Matcher v = VALIDATION.matcher(Files.readString(run.round().resolve("run.txt")));
    while (v.find()) logged.add(new double[] {Double.parseDouble(v.group(1)), Double.parseDouble(v.group(2))});
    for (int e = 0; e < 6; e++) {
      JsonNode o = json.readTree(lines.get(e));
      assertTrue(o.isObject());
      assertEquals(e, o.get("epoch").intValue());
      assertEquals(19, o.get("steps").intValue());
      assertEquals(600, o.get("images").intValue());
      double loss = o.get("loss").doubleValue();
      assertTrue(Double.isFinite(loss) && loss > 0, "mean loss " + loss);
      assertEquals(4, o.get("lrs").size());
      assertEquals(logged.get(e)[0], o.get("map_regular").doubleValue(), 0.005 + 1e-9);
      assertEquals(logged.get(e)[1], o.get("map_ema").doubleValue(), 0.005 + 1e-9);
      assertTrue(o.get("seconds").doubleValue() >= o.get("train_seconds").doubleValue());
      assertTrue(o.get("images_per_second").doubleValue() > 0);
      assertEquals(16, o.get("ap_per_class").size());
      double mean = 0;
      for (JsonNode a : o.get("ap_per_class")) mean += a.doubleValue() / 16;
      double kept = o.get("ap_of").textValue().equals("ema") ? o.get("map_ema").doubleValue() : o.get("map_regular").doubleValue();
      assertEquals(kept, mean, 1e-9, "the per-class APs average to the kept model's mAP");
    }
    System.out.println("metrics.jsonl, last epoch: " + lines.get(5).substring(0, Math.min(200, lines.get(5).length())));
  }

  @Test
  void chartsAndSummaryAreInTheRoundFolder() throws Exception {
    Path round = run.round();
    BufferedImage map = ResultFiles.png(round.resolve(RoundReport.MAP_CHART));
    assertEquals(Charts.WIDTH + "x" + Charts.HEIGHT, map.getWidth() + "x" + map.getHeight());
    BufferedImage loss = ResultFiles.png(round.resolve(RoundReport.LOSS_CHART));
    assertEquals(Charts.WIDTH + "x" + Charts.HEIGHT, loss.getWidth() + "x" + loss.getHeight());
    BufferedImage ap = ResultFiles.png(round.resolve(RoundReport.AP_CHART));
    assertEquals(Charts.WIDTH + "x" + Charts.apChartHeight(16), ap.getWidth() + "x" + ap.getHeight());
    Map<String, String> s = RunSummary.read(round);
    assertEquals(run.config().toString(), s.get("config"));
    Matcher best = Pattern.compile("highest_mAP = (\\d+\\.\\d\\d) at epoch (\\d+)").matcher(run.out());
    assertTrue(best.find(), run.out());
    assertEquals(best.group(2), s.get("best epoch"));
    assertTrue(s.get("best mAP").startsWith(best.group(1) + " "), s.get("best mAP") + " vs " + best.group(1));
    assertTrue(s.get("device").startsWith("cpu"), s.get("device"));
    assertTrue(run.out().contains("Results in " + round + ": metrics.jsonl, map.png, loss.png, ap_per_class.png, summary.txt"),
        run.out());
  }

  @Test
  void testModeWritesTestMetricsAgreeingWithThePrintedMap() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit = TrainMain.run(new String[] {"-c", run.config().toString(), "-t", "-r", "1"}, run.checkpoints(),
        new PrintStream(out, true, StandardCharsets.UTF_8), System.err, ConsoleStyle.plain(Duration.ZERO));
    String text = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, exit, text);
    assertTrue(Pattern.compile("(?m)^test: step 7/7, \\d+\\.\\d images/s").matcher(text).find(), text);
    Matcher m = Pattern.compile("mAP score: (\\S+)").matcher(text);
    assertTrue(m.find(), text);
    JsonNode t = json.readTree(run.round().resolve("test_metrics.json").toFile());
    assertEquals(Double.parseDouble(m.group(1)), t.get("map").doubleValue(), 0, "the same double as printed");
    assertEquals(200, t.get("images").intValue());
    assertEquals(16, t.get("per_class").size());
    assertEquals("traffic_light", t.get("per_class").get(15).get("label").textValue());
    Matcher p = Pattern.compile(" \\* P_C (\\S+) R_C (\\S+) F_C (\\S+) P_O (\\S+) R_O (\\S+) F_O (\\S+)").matcher(text);
    assertTrue(p.find(), text);
    String[] keys = {"P_C", "R_C", "F_C", "P_O", "R_O", "F_O"};
    for (int i = 0; i < 6; i++) assertEquals(Double.parseDouble(p.group(i + 1)), t.get(keys[i]).doubleValue(), 0.005 + 1e-9, keys[i]);
    BufferedImage img = ResultFiles.png(run.round().resolve(RoundReport.TEST_AP_CHART));
    assertEquals(Charts.apChartHeight(16), img.getHeight());
    assertTrue(RunSummary.read(run.round()).get("test mAP").startsWith(String.format(Locale.ROOT, "%.2f", t.get("map").doubleValue())));
  }
}
