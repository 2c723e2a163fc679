package hspnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import hspnet.nn.Tensors;
import hspnet.testutil.MainRuns;
import hspnet.testutil.MainRuns.Outcome;
import hspnet.train.ResumeState;

/**
 * {@code --resume} with the baselines that keep state of their own: ROLE (its label estimator and
 * the estimator's Adam) and LL-Cp (its changes to the training labels). As ResumeTest does for
 * SPLC: 2 epochs, then resumed to 4, must end bit for bit where a straight 4-epoch run ends —
 * model, EMA and the loss's own state.
 */
class BaselineResumeTest {
  @TempDir Path dir;

  private Path config(String name, int epochs) throws Exception {
    return MainRuns.resumeConfig(dir, name, epochs, "");
  }

  private Outcome run(Path root, String... args) {
    return MainRuns.train(root, args);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ROLE", "LL-Cp"})
  void resumedRunEndsWhereTheStraightRunEnds(String loss) throws Exception {
    Path straightRoot = dir.resolve("straight"), resumedRoot = dir.resolve("resumed");
    String o = "loss=" + loss;
    Outcome straight = run(straightRoot, "-c", config("four", 4).toString(), "-o", o);
    assertEquals(0, straight.exit(), straight.err());
    Outcome first = run(resumedRoot, "-c", config("two", 2).toString(), "-o", o);
    assertEquals(0, first.exit(), first.err());
    Path half = resumedRoot.resolve("resume/round1").resolve(ResumeState.FILE);
    Map<String, Tensor> afterTwo = tensors(half, "loss_state");
    assertFalse(afterTwo.isEmpty(), loss + " keeps state in the resume file");
    if (loss.equals("LL-Cp")) {
      long changed = 0;
      for (long v : Tensors.toLongs(afterTwo.get("ll_cp_relabelled"))) changed += v;
      System.out.println("LL-Cp: " + changed + " training labels turned positive after 2 epochs");
      assertTrue(changed > 0, "LL-Cp changed no training label in 2 epochs: the resume test would not test its state");
    } else {
      assertTrue(MainRuns.archive(half).containsKey("loss_optimizer"), "ROLE's estimator Adam is saved");
    }
    Outcome resumed = run(resumedRoot, "-c", config("four-again", 4).toString(), "-o", o, "--resume");
    assertEquals(0, resumed.exit(), resumed.err());

    Path a = straightRoot.resolve("resume/round1").resolve(ResumeState.FILE), b = resumedRoot.resolve("resume/round1").resolve(ResumeState.FILE);
    assertEquals(4L, MainRuns.archive(a).get("epochs_done"));
    assertEquals(4L, MainRuns.archive(b).get("epochs_done"));
    for (String part : List.of("model", "ema", "loss_state")) {
      Map<String, Tensor> x = tensors(a, part), y = tensors(b, part);
      assertEquals(x.keySet(), y.keySet());
      int differ = 0;
      for (String k : x.keySet()) if (!x.get(k).equal(y.get(k))) differ++;
      System.out.printf("resume %s: %s, %d tensors, %d differ from the straight run%n", loss, part, x.size(), differ);
      assertEquals(0, differ, loss + ": " + part + " tensors that differ after resuming");
    }
    assertEquals(MainRuns.archive(a).get("highest_map"), MainRuns.archive(b).get("highest_map"));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Tensor> tensors(Path file, String key) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    Object v = MainRuns.archive(file).get(key);
    if (v != null) ((Map<String, Object>) v).forEach((k, t) -> out.put(k, (Tensor) t));
    return out;
  }
}
