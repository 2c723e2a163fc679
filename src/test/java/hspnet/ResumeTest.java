package hspnet;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import hspnet.io.TorchZipReader;
import hspnet.model.RelationCache;
import hspnet.testutil.MainRuns;
import hspnet.testutil.MainRuns.Outcome;
import hspnet.train.ResumeState;
import hspnet.report.EpochMetrics;
import hspnet.report.MetricsFile;

/**
 * {@code --resume} on the demo: a run trained for 2 epochs, then resumed to 4, ends with the same
 * weights (model and EMA, bit for bit), the same validation mAP of every epoch and the same best
 * checkpoint as a straight 4-epoch run with the same seed (CPU float32 is deterministic here). Also
 * the refusals: a changed recipe, nothing left to train, a round without resume state, a damaged
 * state file.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResumeTest {
  @TempDir static Path dir;
  Path straightRoot, resumedRoot;
  Outcome straight, firstPart, resumed;

  private Path config(String name, int epochs, String extra) throws Exception {
    return MainRuns.resumeConfig(dir, name, epochs, extra);
  }

  private Outcome run(Path root, String... args) {
    return MainRuns.train(root, args);
  }

  @BeforeAll
  void trainStraightAndInTwoParts() throws Exception {
    straightRoot = dir.resolve("straight");
    resumedRoot = dir.resolve("resumed");
    straight = run(straightRoot, "-c", config("four", 4, "").toString());
    firstPart = run(resumedRoot, "-c", config("two", 2, "").toString());
    // epochs, log_every and workers may change on resume; the round continues in its own folder
    Path again = config("four-again", 4, "");
    Files.writeString(again, Files.readString(again).replace("workers: 2", "workers: 1").replace("log_every: 1", "log_every: 2"));
    resumed = run(resumedRoot, "-c", again.toString(), "--resume");
    System.out.println(straight.out() + straight.err() + firstPart.err() + resumed.out() + resumed.err());
    assertEquals(0, straight.exit(), straight.err());
    assertEquals(0, firstPart.exit(), firstPart.err());
    assertEquals(0, resumed.exit(), resumed.err());
  }

  @Test
  void resumedRunEndsWithTheStraightRunsWeightsBitForBit() {
    Path a = straightRoot.resolve("resume/round1").resolve(ResumeState.FILE), b = resumedRoot.resolve("resume/round1").resolve(ResumeState.FILE);
    assertEquals(4, integer(a, "epochs_done"));
    assertEquals(4, integer(b, "epochs_done"));
    assertEquals(integer(a, "global_step"), integer(b, "global_step"));
    for (String part : List.of("model", "ema")) {
      Map<String, Tensor> x = tensors(a, part), y = tensors(b, part);
      assertEquals(x.keySet(), y.keySet());
      int differ = 0;
      for (String k : x.keySet()) if (!x.get(k).equal(y.get(k))) differ++;
      System.out.printf("resume: %s state, %d tensors, %d differ from the straight run%n", part, x.size(), differ);
      assertEquals(0, differ, part + " tensors that differ after resuming");
    }
    assertFalse(Files.exists(resumedRoot.resolve("resume/round2")), "resuming continues round 1 instead of starting round 2");
  }

  @Test
  void everyEpochsMapAndTheBestCheckpointAreTheStraightRuns() throws Exception {
    List<String> straightMaps = validationLines(Files.readString(straightRoot.resolve("resume/round1/run.txt")));
    List<String> twoPartMaps = validationLines(Files.readString(resumedRoot.resolve("resume/round1/run.txt")));
    System.out.println("resume: straight " + straightMaps + " / resumed " + twoPartMaps);
    assertEquals(4, straightMaps.size());
    assertEquals(straightMaps, twoPartMaps, "the round's log holds the 4 epochs, the same mAPs");
    assertEquals(number(straightRoot.resolve("resume/round1/resume.pt"), "highest_map"),
        number(resumedRoot.resolve("resume/round1/resume.pt"), "highest_map"));
    Map<String, Tensor> x = TorchZipReader.readStateDict(straightRoot.resolve("resume/round1/model-highest.ckpt"));
    Map<String, Tensor> y = TorchZipReader.readStateDict(resumedRoot.resolve("resume/round1/model-highest.ckpt"));
    for (String k : x.keySet()) assertTrue(x.get(k).equal(y.get(k)), "model-highest.ckpt differs in " + k);
    assertTrue(resumed.out().contains("Resuming " + resumedRoot.resolve("resume/round1") + " after epoch 1"), resumed.out());
  }

  @Test
  void metricsFileOfTheResumedRoundHasTheStraightRunsEpochs() throws Exception {
    List<EpochMetrics> a = MetricsFile.read(straightRoot.resolve("resume/round1"));
    List<EpochMetrics> b = MetricsFile.read(resumedRoot.resolve("resume/round1"));
    assertEquals(List.of(0, 1, 2, 3), b.stream().map(EpochMetrics::epoch).toList(), "one line per epoch");
    for (int e = 0; e < 4; e++) {
      assertEquals(a.get(e).mapRegular(), b.get(e).mapRegular(), 0, "epoch " + e);
      assertEquals(a.get(e).mapEma(), b.get(e).mapEma(), 0, "epoch " + e);
      assertEquals(a.get(e).loss(), b.get(e).loss(), 0, "epoch " + e + ": the same steps, the same mean loss");
    }
    assertTrue(Files.isRegularFile(resumedRoot.resolve("resume/round1/map.png")), "charts redrawn after resuming");
  }

  @Test
  void theRelationMatrixIsComputedOnceAndThenReadFromTheCache() {
    assertTrue(firstPart.out().contains("Relation matrix: computed from CLIP text features, cached in "
        + resumedRoot.resolve("resume").resolve(RelationCache.FILE)), firstPart.out());
    assertTrue(resumed.out().contains("Relation matrix: read from the cache"), resumed.out());
  }

  @Test
  void refusesWhatCannotBeResumed() throws Exception {
    Path lr = config("lr", 5, "");
    Files.writeString(lr, Files.readString(lr).replace("\nlr: 0.001\n", "\nlr: 0.002\n"));
    Outcome changed = run(resumedRoot, "-c", lr.toString(), "--resume", "-r", "1");
    assertEquals(2, changed.exit(), changed.err());
    assertTrue(changed.err().contains("lr (was 0.001, now 0.002)") && changed.err().contains("may change on resume"), changed.err());

    Outcome done = run(resumedRoot, "-c", config("done", 4, "").toString(), "--resume");
    assertEquals(2, done.exit(), done.err());
    assertTrue(done.err().contains("key 'epochs'") && done.err().contains("already trained 4 epoch(s)"), done.err());

    Outcome missingRound = run(resumedRoot, "-c", config("nine", 5, "").toString(), "--resume", "-r", "9");
    assertEquals(2, missingRound.exit());
    assertTrue(missingRound.err().contains("round9: no such round"), missingRound.err());

    Files.createDirectories(resumedRoot.resolve("resume/round2"));
    // named with -r (without it, a round lacking resume.pt is passed over for the latest one that has it: RoundChoiceTest)
    Outcome noState = run(resumedRoot, "-c", config("viaKey", 5, "resume: true\n").toString(), "--resume", "-r", "2");
    assertEquals(2, noState.exit());
    assertTrue(noState.err().contains("round2/resume.pt: no resume state"), noState.err());

    Files.writeString(resumedRoot.resolve("resume/round2").resolve(ResumeState.FILE), "not an archive");
    Outcome damaged = run(resumedRoot, "-c", config("damaged", 5, "").toString(), "--resume", "-r", "2");
    assertEquals(1, damaged.exit());
    assertTrue(damaged.err().contains("resume.pt: not a readable resume state"), damaged.err());
    assertEquals(1, damaged.err().strip().lines().count(), damaged.err());
  }

  private static List<String> validationLines(String log) {
    List<String> out = new ArrayList<>();
    Matcher m = DemoEndToEndTest.VALIDATION.matcher(log);
    while (m.find()) out.add(m.group(1) + "/" + m.group(2));
    return out;
  }

  private static long integer(Path file, String key) {
    return (Long) MainRuns.archive(file).get(key);
  }

  private static double number(Path file, String key) {
    return (Double) MainRuns.archive(file).get(key);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Tensor> tensors(Path file, String key) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    ((Map<String, Object>) MainRuns.archive(file).get(key)).forEach((k, v) -> out.put(k, (Tensor) v));
    return out;
  }
}
