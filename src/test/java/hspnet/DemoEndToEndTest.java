package hspnet;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import hspnet.data.DemoDataset;
import hspnet.data.LabelList;
import hspnet.testutil.TrainedDemo;

/**
 * The whole program on a small demo dataset: TrainMain trains into round 1, validation mAP ends
 * far above chance, and {@code -t -r 1} reproduces the best validation mAP from the checkpoint.
 * The training is {@link TrainedDemo}'s, shared with the other tests of a trained model.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemoEndToEndTest {
  static final Pattern VALIDATION = Pattern.compile("mAP score regular (\\d+\\.\\d\\d), mAP score EMA (\\d+\\.\\d\\d)");
  static final Pattern SUMMARY = Pattern.compile("current_mAP = (\\d+\\.\\d\\d), highest_mAP = (\\d+\\.\\d\\d), best_epoch=(\\d+)");
  static final Pattern STEP = Pattern.compile("Epoch \\[(\\d+)/6\\], Step \\[(\\d{3})/019\\], LR \\d\\.\\de-0\\d, Loss: \\d+\\.\\d");

  Path dir, config, checkpoints;
  String trainOutput;
  int trainExit;
  double chance;

  @BeforeAll
  void trainOnce() throws Exception {
    // the training is shared with the other test classes that need a trained demo model
    TrainedDemo.Run run = TrainedDemo.get();
    dir = run.dir();
    config = run.config();
    checkpoints = run.checkpoints();
    trainExit = run.exit();
    trainOutput = run.out();
    chance = DemoDataset.chanceMap(LabelList.read(dir.resolve("demo/val.txt"), 16), 16, 1);
  }

  @Test
  void trainingEndsFarAboveChance() {
    assertEquals(0, trainExit);
    List<Double> best = new ArrayList<>();
    Matcher m = VALIDATION.matcher(trainOutput);
    while (m.find()) best.add(Math.max(Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))));
    assertEquals(6, best.size(), "one validation line per epoch");
    double last = best.get(best.size() - 1);
    System.out.printf("chance mAP %.2f, last epoch %.2f (%.1fx chance)%n", chance, last, last / chance);
    assertTrue(last > 2.5 * chance, "final mAP " + last + " vs chance " + chance);
    assertTrue(best.get(0) < last, "mAP improves over training: " + best);
  }

  @Test
  void logKeepsTheOriginalsWordingInTheRoundFolder() throws Exception {
    Path log = checkpoints.resolve("e2e/round1/run.txt");
    String text = Files.readString(log);
    assertTrue(STEP.matcher(text).find(), "a step line in the original's format");
    Matcher s = SUMMARY.matcher(text);
    int summaries = 0;
    while (s.find()) summaries++;
    assertEquals(6, summaries);
    assertTrue(Pattern.compile("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3} \\[INFO\\] Start validation\\.\\.\\.").matcher(text).find());
    for (String f : new String[] {"model-highest.ckpt", "model-highest-regular.ckpt", "model-highest-ema.ckpt", "config.yaml", "resume.pt"})
      assertTrue(Files.size(checkpoints.resolve("e2e/round1").resolve(f)) > 0, f);
  }

  @Test
  void testModeReproducesTheBestValidationMap() {
    Matcher s = SUMMARY.matcher(trainOutput);
    double highest = -1;
    while (s.find()) highest = Double.parseDouble(s.group(2));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit = TrainMain.run(new String[] {"-c", config.toString(), "-t", "-r", "1"}, checkpoints,
        new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
    String text = out.toString(StandardCharsets.UTF_8);
    System.out.println(text);
    assertEquals(0, exit);
    Matcher m = Pattern.compile("mAP score: (\\d+\\.\\d+)").matcher(text);
    assertTrue(m.find(), text);
    assertEquals(highest, Double.parseDouble(m.group(1)), 0.005 + 1e-9, "the logged highest_mAP is rounded to 2 decimals");
    assertTrue(Pattern.compile(" \\* P_C \\d+\\.\\d\\d R_C \\d+\\.\\d\\d F_C \\d+\\.\\d\\d P_O \\d+\\.\\d\\d R_O \\d+\\.\\d\\d F_O \\d+\\.\\d\\d").matcher(text).find());
  }

  @Test
  void aSecondTrainingGetsRoundTwoAndTestingAMissingRoundFails() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = TrainMain.run(new String[] {"-c", config.toString(), "-t", "-r", "7"}, checkpoints, System.out,
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(2, exit);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("round7: no such round (rounds of 'e2e' go up to 1)"), err.toString());
  }
}
