package hspnet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;

import hspnet.data.Batch;
import hspnet.io.Npy;
import hspnet.io.NpyArray;
import hspnet.io.TorchZipReader;
import hspnet.loss.Splc;
import hspnet.model.HspNet;
import hspnet.nn.StateDicts;
import hspnet.nn.Tensors;
import hspnet.testutil.FixtureModels;
import hspnet.testutil.Fixtures;
import hspnet.testutil.Parity;
import hspnet.testutil.Shared;

/**
 * The fixture's four training steps of the original's train() on {@code hspnet_rn}, replayed
 * through {@link TrainingState} — the step and validation units the trainer's loop runs — and
 * compared with everything the original recorded: losses, corrected targets, logits, lr and beta1
 * in the optimizer, the gradients of the first step, validation scores and mAP after each epoch,
 * the final model and EMA states, and which state entries training changed.
 *
 * <p>The run happens once (in {@code @BeforeAll}); each test checks one fixture item.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainingParityTest {
  private JsonNode train;
  private PointerScope scope;
  private final List<Float> losses = new ArrayList<>();
  private final List<Tensor> logits = new ArrayList<>(), corrected = new ArrayList<>();
  private final List<double[]> lrUsed = new ArrayList<>(), beta1Used = new ArrayList<>();
  private final List<double[]> lrAfter = new ArrayList<>(), beta1After = new ArrayList<>();
  private final List<Boolean> encoderTraining = new ArrayList<>();
  private final List<TrainingState.Validation> validations = new ArrayList<>();
  private final Map<String, Tensor> step0Grads = new LinkedHashMap<>();
  private final List<String> step0WithoutGrad = new ArrayList<>();
  private Map<String, Tensor> initial, finalModel, finalEma;
  private List<List<String>> groupNames;

  @BeforeAll
  void replayTheFixturesTraining() throws Exception {
    train = Fixtures.cases().at("/train/rn");
    scope = new PointerScope();
    JsonNode recipe = train.get("recipe");
    int stepsPerEpoch = recipe.get("steps_per_epoch").asInt();
    double[] maxLr = new double[4];
    for (int g = 0; g < 4; g++) maxLr[g] = recipe.get("max_lr").get(g).asDouble();
    JsonNode splc = recipe.get("splc");
    TrainingState.Recipe r = new TrainingState.Recipe(maxLr, recipe.get("total_steps").asLong(),
        recipe.get("weight_decay").asDouble(), recipe.get("ema_decay").asDouble(),
        new Splc(splc.get("tau").asDouble(), splc.get("change_epoch").asInt(), splc.get("margin").asDouble(), splc.get("gamma").asDouble()),
        false);
    assertEquals(Splc.defaults().tau(), r.criterion().tau(), "train.py's SPLC() defaults");
    assertEquals(Splc.defaults().changeEpoch(), r.criterion().changeEpoch());

    HspNet model = FixtureModels.hspnetRnLoaded();
    HspNet emaModel = FixtureModels.hspnetRn();
    initial = copies(StateDicts.of(model));
    Tensor images = Npy.read(Shared.fixture("train_rn.images.npy")).toTensor();
    Tensor targets = Npy.read(Shared.fixture("train_rn.targets.npy")).toTensor();
    NpyArray valImages = Npy.read(Shared.fixture("train_rn.val_images.npy"));
    NpyArray valTargets = Npy.read(Shared.fixture("train_rn.val_targets.npy"));

    TrainingState state = new TrainingState(model, emaModel, r, new Device(DeviceType.CPU));
    groupNames = new ArrayList<>();
    for (int g = 0; g < 4; g++) groupNames.add(new ArrayList<>(state.groups().group(g).keySet()));
    int epochs = recipe.get("epochs_run").asInt();
    state.setModesFor(0, true);
    for (int epoch = 0; epoch < epochs; epoch++) {
      for (int i = 0; i < stepsPerEpoch; i++) {
        long step = (long) epoch * stepsPerEpoch + i;
        lrUsed.add(lrs(state.optimizer()));
        beta1Used.add(beta1s(state.optimizer()));
        encoderTraining.add(model.imageEncoder().is_training());
        TrainingState.StepResult out = state.step(images.select(0, step), targets.select(0, step), epoch, step);
        losses.add(out.loss().item_float());
        logits.add(out.logits().detach().clone());
        corrected.add(out.correctedTargets().clone());
        lrAfter.add(lrs(state.optimizer()));
        beta1After.add(beta1s(state.optimizer()));
        if (step == 0) {
          // the gradients the first optimizer.step() used are still in place after it
          StateDicts.trainable(model).forEach((name, p) -> {
            Tensor grad = p.grad();
            if (grad.defined()) step0Grads.put(name, grad.clone());
            else step0WithoutGrad.add(name);
          });
        }
      }
      Batch val = new Batch(valImages.toTensor(), valTargets.toTensor(), paths(valImages.shape()[0]));
      validations.add(state.validate(List.of(val).iterator()));
    }
    finalModel = copies(StateDicts.of(model));
    finalEma = copies(StateDicts.of(state.ema().module()));
    state.close();
  }

  @org.junit.jupiter.api.AfterAll
  void free() {
    if (scope != null) scope.close();
  }

  @Test
  void parameterGroupsAreTheOriginals() {
    JsonNode groups = train.get("param_groups");
    for (int g = 0; g < 4; g++) {
      assertEquals(FixtureModels.strings(groups.get(g).get("params")), groupNames.get(g), "group " + g);
      assertEquals(groups.get(g).get("weight_decay").asDouble(), ParamGroups.decays(g) ? 1e-4 : 0.0, "group " + g + " decay");
    }
  }

  @Test
  void lossesMatch() {
    JsonNode steps = train.get("steps");
    double worst = 0;
    for (int k = 0; k < steps.size(); k++) {
      double want = steps.get(k).get("loss").asDouble();
      double rel = Math.abs(losses.get(k) - want) / Math.abs(want);
      worst = Math.max(worst, rel);
      System.out.printf("parity train_rn step %d loss %.6f (reference %.6f, rel diff %.3e)%n", k, losses.get(k), want, rel);
      assertTrue(rel <= 1e-5, "step " + k + " loss " + losses.get(k) + " vs " + want);
    }
    System.out.printf("parity train_rn losses: max rel diff %.3e (bound 1e-5)%n", worst);
  }

  @Test
  void correctedTargetsMatchExactly() throws Exception {
    NpyArray ref = Npy.read(Shared.fixture("train_rn.step_targets_corrected.npy"));
    long per = ref.numel() / ref.shape()[0];
    long[] all = ref.longs();
    int added = 0;
    for (int k = 0; k < corrected.size(); k++) {
      long[] want = java.util.Arrays.copyOfRange(all, (int) (k * per), (int) ((k + 1) * per));
      long[] got = Tensors.toLongs(corrected.get(k));
      assertArrayEquals(want, got, "step " + k + " corrected targets");
      int n = 0;
      for (long v : got) n += (int) v;
      added += n;
      assertEquals(train.get("steps").get(k).get("n_targets_corrected").asInt(), n - 4, "step " + k + " pseudo positives");
    }
    System.out.printf("parity train_rn corrected targets: exact (%d positives over 4 steps)%n", added);
  }

  @Test
  void stepLogitsMatch() throws Exception {
    NpyArray ref = Npy.read(Shared.fixture("train_rn.step_logits.npy"));
    float[] all = ref.floats();
    int per = (int) (ref.numel() / ref.shape()[0]);
    for (int k = 0; k < logits.size(); k++) {
      float[] want = java.util.Arrays.copyOfRange(all, k * per, (k + 1) * per);
      Parity.assertWithin("train_rn.step_logits[" + k + "]", logits.get(k), new long[] {ref.shape()[1], ref.shape()[2]}, want,
          Parity.FORWARD_REL * Math.max(1, maxAbs(want)));
    }
  }

  @Test
  void optimizerHoldsTheScheduledLrAndBeta1() {
    JsonNode steps = train.get("steps");
    double worst = 0;
    for (int k = 0; k < steps.size(); k++) {
      JsonNode s = steps.get(k);
      for (int g = 0; g < 4; g++) {
        worst = Math.max(worst, relCheck("lr_used", k, g, s.get("lr_used").get(g).asDouble(), lrUsed.get(k)[g]));
        worst = Math.max(worst, relCheck("beta1_used", k, g, s.get("beta1_used").get(g).asDouble(), beta1Used.get(k)[g]));
        worst = Math.max(worst, relCheck("lr_after", k, g, s.get("lr_after_scheduler_step").get(g).asDouble(), lrAfter.get(k)[g]));
        worst = Math.max(worst, relCheck("beta1_after", k, g, s.get("beta1_after_scheduler_step").get(g).asDouble(), beta1After.get(k)[g]));
      }
      assertEquals(s.get("image_encoder_training").asBoolean(), encoderTraining.get(k), "step " + k + " image encoder mode");
    }
    System.out.printf("parity train_rn optimizer lr/beta1 used and after: max rel diff %.3e (bound 1e-12)%n", worst);
  }

  @Test
  void firstStepGradientsMatch() throws Exception {
    Map<String, Tensor> ref = TorchZipReader.readStateDict(Shared.fixture("train_rn.step0_grads.pt"));
    assertEquals(train.get("n_step0_grads").asInt(), ref.size());
    // the reference lists the gradients in the optimizer's order: group by group
    List<String> optimizerOrder = new ArrayList<>();
    for (List<String> group : groupNames) for (String n : group) if (step0Grads.containsKey(n)) optimizerOrder.add(n);
    assertEquals(new ArrayList<>(ref.keySet()), optimizerOrder, "parameters with a gradient at step 0");
    assertEquals(FixtureModels.strings(train.get("params_without_grad")), step0WithoutGrad);
    double globalMax = train.get("max_abs_grad_step0").asDouble();
    List<String> noise = noiseDriven();
    double worstRatio = 0;
    String worstName = "";
    for (Map.Entry<String, Tensor> e : ref.entrySet()) {
      float[] want = Tensors.toFloats(e.getValue());
      String name = e.getKey();
      double bound = noise.contains(name) ? 1e-6 * globalMax : 1e-4 * maxAbs(want);
      double diff = maxAbsDiff(Tensors.toFloats(step0Grads.get(name)), want);
      assertArrayEquals(Tensors.shape(e.getValue()), Tensors.shape(step0Grads.get(name)), name);
      if (noise.contains(name))
        System.out.printf("parity train_rn step0 grad %-40s max abs diff %.3e (noise-driven; bound %.3e)%n", name, diff, bound);
      assertTrue(diff <= bound, name + ": gradient differs by " + diff + " > " + bound);
      if (!noise.contains(name) && diff / maxAbs(want) > worstRatio) {
        worstRatio = diff / maxAbs(want);
        worstName = name;
      }
    }
    System.out.printf("parity train_rn step0 grads: %d tensors, worst max abs diff / max abs ref %.3e (%s; bound 1e-4)%n",
        ref.size(), worstRatio, worstName);
  }

  @Test
  void validationScoresAndMapMatchAfterEachEpoch() throws Exception {
    NpyArray regular = Npy.read(Shared.fixture("train_rn.val_preds_regular.npy"));
    NpyArray ema = Npy.read(Shared.fixture("train_rn.val_preds_ema.npy"));
    double worstMap = 0;
    for (int e = 0; e < validations.size(); e++) {
      TrainingState.Validation v = validations.get(e);
      checkScores("train_rn.val_preds_regular[" + e + "]", v.regular().scores(), regular, e);
      checkScores("train_rn.val_preds_ema[" + e + "]", v.ema().scores(), ema, e);
      JsonNode ref = train.get("validate").get(e);
      double dr = Math.abs(v.mapRegular() - ref.get("mAP_regular").asDouble());
      double de = Math.abs(v.mapEma() - ref.get("mAP_ema").asDouble());
      System.out.printf("parity train_rn epoch %d mAP regular %.6f (ref %.6f), EMA %.6f (ref %.6f)%n", e,
          v.mapRegular(), ref.get("mAP_regular").asDouble(), v.mapEma(), ref.get("mAP_ema").asDouble());
      assertTrue(dr <= 1e-4 && de <= 1e-4, "epoch " + e + " mAP differs by " + dr + " / " + de);
      worstMap = Math.max(worstMap, Math.max(dr, de));
    }
    System.out.printf("parity train_rn validation mAP: max abs diff %.3e (bound 1e-4)%n", worstMap);
  }

  @Test
  void finalModelStateMatches() throws Exception {
    assertStateClose("final_model", finalModel, TorchZipReader.readStateDict(Shared.fixture("train_rn.final_model.state.pt")));
  }

  @Test
  void finalEmaStateMatches() throws Exception {
    assertStateClose("final_ema", finalEma, TorchZipReader.readStateDict(Shared.fixture("train_rn.final_ema.state.pt")));
  }

  /** Adam skips parameters without a gradient: parent_prompt_learner.ctx and logit_scale stay bit-identical. */
  @Test
  void trainingChangesExactlyTheEntriesTheOriginalChanged() {
    List<String> model = changed(finalModel), ema = changed(finalEma);
    assertFalse(model.contains("parent_prompt_learner.ctx") || model.contains("logit_scale"),
        "parameters without gradient must stay untouched: " + model);
    assertEquals(new TreeSet<>(FixtureModels.strings(train.get("changed_in_final_model"))), new TreeSet<>(model), "changed_in_final_model");
    assertEquals(new TreeSet<>(FixtureModels.strings(train.get("changed_in_final_ema"))), new TreeSet<>(ema), "changed_in_final_ema");
    System.out.printf("parity train_rn changed entries: model %d, EMA %d of %d, as in the reference%n", model.size(), ema.size(), initial.size());
  }

  private void assertStateClose(String what, Map<String, Tensor> mine, Map<String, Tensor> ref) {
    assertEquals(new ArrayList<>(ref.keySet()), new ArrayList<>(mine.keySet()), what + " keys");
    List<String> noise = noiseDriven();
    double worstAbs = 0, worstRatio = 0;
    String worstName = "";
    for (Map.Entry<String, Tensor> e : ref.entrySet()) {
      String name = e.getKey();
      assertArrayEquals(Tensors.shape(e.getValue()), Tensors.shape(mine.get(name)), name);
      double[] want = Tensors.toDoubles(e.getValue()), got = Tensors.toDoubles(mine.get(name));
      double ratio = 0, abs = 0;
      for (int i = 0; i < want.length; i++) {
        double d = Math.abs(got[i] - want[i]);
        abs = Math.max(abs, d);
        ratio = Math.max(ratio, d / (1e-5 + 1e-4 * Math.abs(want[i])));
      }
      if (noise.contains(name)) {
        System.out.printf("parity train_rn %s %-40s max abs diff %.3e (noise-driven, not compared)%n", what, name, abs);
        continue;
      }
      if (abs > worstAbs) worstAbs = abs;
      if (ratio > worstRatio) {
        worstRatio = ratio;
        worstName = name;
      }
      final double r = ratio;
      assertTrue(r <= 1.0, () -> what + " " + name + ": not allclose(rtol=1e-4, atol=1e-5): |diff| / bound = " + r);
    }
    System.out.printf("parity train_rn %s: %d tensors, max abs diff %.3e, worst |diff|/(atol+rtol|ref|) %.3f (%s)%n",
        what, ref.size(), worstAbs, worstRatio, worstName);
  }

  private List<String> changed(Map<String, Tensor> state) {
    List<String> out = new ArrayList<>();
    state.forEach((name, t) -> {
      if (!t.equal(initial.get(name))) out.add(name);
    });
    return out;
  }

  private void checkScores(String name, float[][] scores, NpyArray ref, int epoch) {
    int rows = (int) ref.shape()[1], cols = (int) ref.shape()[2];
    float[] all = ref.floats();
    float[] want = java.util.Arrays.copyOfRange(all, epoch * rows * cols, (epoch + 1) * rows * cols);
    float[] flat = new float[rows * cols];
    assertEquals(rows, scores.length, name + " rows");
    for (int i = 0; i < rows; i++) System.arraycopy(scores[i], 0, flat, i * cols, cols);
    Parity.assertWithin(name, Tensors.ofFloats(flat, rows, cols), new long[] {rows, cols}, want,
        Parity.FORWARD_REL * Math.max(1, maxAbs(want)));
  }

  private List<String> noiseDriven() {
    List<String> out = new ArrayList<>();
    train.get("noise_driven").forEach(n -> out.add(n.get("name").asText()));
    return out;
  }

  private static double relCheck(String what, int step, int group, double want, double got) {
    double rel = Math.abs(got - want) / Math.abs(want);
    assertTrue(rel <= 1e-12, what + " step " + step + " group " + group + ": " + got + " vs " + want);
    return rel;
  }

  private static double[] lrs(AdamWithGroups adam) {
    double[] out = new double[4];
    for (int g = 0; g < 4; g++) out[g] = adam.lr(g);
    return out;
  }

  private static double[] beta1s(AdamWithGroups adam) {
    double[] out = new double[4];
    for (int g = 0; g < 4; g++) out[g] = adam.beta1(g);
    return out;
  }

  private static Map<String, Tensor> copies(Map<String, Tensor> state) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    state.forEach((k, v) -> out.put(k, v.detach().clone()));
    return out;
  }

  private static List<String> paths(long n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add("val" + i);
    return out;
  }

  private static double maxAbs(float[] v) {
    double m = 0;
    for (float x : v) m = Math.max(m, Math.abs(x));
    return m;
  }

  private static double maxAbsDiff(float[] a, float[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      double d = Math.abs((double) a[i] - b[i]);
      if (!(d <= m)) m = d;
    }
    return m;
  }
}
