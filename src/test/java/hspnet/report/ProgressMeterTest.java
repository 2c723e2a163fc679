package hspnet.report;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import hspnet.testutil.ResultFiles;
import hspnet.train.TrainLog;

/** Progress lines: their content, how often they come, and what reaches a terminal versus a file. */
class ProgressMeterTest {
  @TempDir Path dir;

  /** A sink that keeps the lines; the clock advances one second per step. */
  static final class Lines implements ProgressSink {
    final List<String> lines = new ArrayList<>();
    final ConsoleStyle style;
    int ends;

    Lines(ConsoleStyle style) { this.style = style; }

    @Override public void progress(String line) { lines.add(line); }
    @Override public void endProgress() { ends++; }
    @Override public ConsoleStyle style() { return style; }
  }

  @Test
  void aTrainingLineHasStepLossLrRateAndEtaOfPhaseAndRun() {
    Lines sink = new Lines(ConsoleStyle.plain(Duration.ZERO));
    long[] now = {0};
    ProgressMeter m = new ProgressMeter(sink, () -> now[0]);
    m.startPhase("epoch 2/5", 10, est -> 2 * est);
    for (int i = 0; i < 4; i++) {
      now[0] += 1_000_000_000L;
      m.trainStep(32, () -> 1.25, 3e-4);
    }
    m.endPhase();
    assertEquals(4, sink.lines.size());
    // 4 steps of 1 s: 6 left in the phase, then twice the phase's 10 s
    assertEquals("epoch 2/5: step 4/10, loss 1.2500, lr 3.00e-04, 32.0 images/s, ETA 6s (run 26s)", sink.lines.get(3));
    assertEquals(1, sink.ends);
  }

  @Test
  void plainLinesComeOnlyEveryIntervalAndTheLossIsReadOnlyForThem() {
    Lines sink = new Lines(ConsoleStyle.plain(Duration.ofSeconds(30)));
    long[] now = {0};
    int[] lossReads = {0};
    ProgressMeter m = new ProgressMeter(sink, () -> now[0]);
    m.startPhase("epoch 0/1", 100, null);
    for (int i = 0; i < 100; i++) {
      now[0] += 1_000_000_000L;
      m.trainStep(8, () -> { lossReads[0]++; return 2.0; }, 1e-3);
    }
    assertEquals(3, sink.lines.size(), "one line per 30 s of 100 s");
    assertEquals(3, lossReads[0], "the loss (a device sync) is read only for a shown line");
    assertTrue(sink.lines.get(0).startsWith("epoch 0/1: step 30/100,"), sink.lines.get(0));
  }

  @Test
  void evaluationLinesHaveNoLoss() {
    Lines sink = new Lines(ConsoleStyle.plain(Duration.ZERO));
    long[] now = {0};
    ProgressMeter m = new ProgressMeter(sink, () -> now[0]);
    m.startPhase("test", 4, null);
    now[0] += 2_000_000_000L;
    m.evalStep(50);
    assertEquals("test: step 1/4, 25.0 images/s, ETA 6s", sink.lines.get(0));
  }

  @Test
  void durationsAreShort() {
    assertEquals("0s", ProgressMeter.duration(0.2));
    assertEquals("59s", ProgressMeter.duration(59.4));
    assertEquals("3m05s", ProgressMeter.duration(185));
    assertEquals("2h07m", ProgressMeter.duration(2 * 3600 + 7 * 60 + 10));
    assertEquals("?", ProgressMeter.duration(Double.NaN));
  }

  @Test
  void aTerminalGetsTheLineRedrawnInPlaceAndTheLogFileNeverSeesIt() throws Exception {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    Path file = dir.resolve("log.txt");
    try (TrainLog log = new TrainLog(file, new PrintStream(console, true, StandardCharsets.UTF_8),
        new ConsoleStyle(true, Duration.ZERO))) {
      log.progress("epoch 0/1: step 1/2");
      log.info("Epoch [0/1], Step [001/002], LR 1.0e-03, Loss: 2.0");
      log.endProgress();
    }
    String out = console.toString(StandardCharsets.UTF_8);
    // drawn, cleared for the log line, drawn again below it, cleared at the end
    assertTrue(out.startsWith("\r\033[Kepoch 0/1: step 1/2\r\033[K"), out);
    assertTrue(out.endsWith("Loss: 2.0\nepoch 0/1: step 1/2\r\033[K".replace("\n", System.lineSeparator())), out);
    String logged = Files.readString(file);
    assertFalse(logged.contains("step 1/2"), logged);
    assertTrue(logged.contains("[INFO] Epoch [0/1], Step [001/002], LR 1.0e-03, Loss: 2.0"), logged);
  }

  @Test
  void aNonTerminalConsoleGetsPlainLinesWithoutControlCharacters() throws Exception {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    try (TrainLog log = new TrainLog(null, new PrintStream(console, true, StandardCharsets.UTF_8))) {
      assertFalse(log.style().live(), "a buffer is not a terminal");
      log.progress("epoch 0/1: step 1/2");
      log.info("Start validation...");
      log.endProgress();
    }
    String out = console.toString(StandardCharsets.UTF_8);
    assertTrue(out.startsWith("epoch 0/1: step 1/2" + System.lineSeparator()), out);
    assertEquals(-1, ResultFiles.firstControlCharacter(out.replace(System.lineSeparator(), "\n")), out);
  }
}
