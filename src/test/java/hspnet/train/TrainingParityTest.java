package hspnet.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;

import hspnet.io.Npy;
import hspnet.io.NpyArray;
import hspnet.io.TorchZipReader;
import hspnet.nn.Tensors;
import hspnet.testutil.FixtureModels;
import hspnet.testutil.Parity;
import hspnet.testutil.TrainVariants;

/**
 * The fixtures' training steps of the original's train() (every train.&lt;variant&gt; of
 * cases.json: train_rn on the ResNet HSPNet, and train_vit where a profile has it), replayed
 * through {@link TrainingState} — the step and validation units the trainer's loop runs — and
 * compared with everything the original recorded: losses, corrected targets, logits, lr and beta1
 * in the optimizer, the gradients of the first step, validation scores and mAP after each epoch,
 * the final model and EMA states, and which state entries training changed.
 *
 * <p>Each variant is replayed once (on first use); each test checks one fixture item.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainingParityTest {
  private final Map<String, TrainingReplay> replays = new HashMap<>();

  private TrainingReplay replay(String variant) throws Exception {
    TrainingReplay r = replays.get(variant);
    if (r == null) {
      r = TrainingReplay.run(variant);
      replays.put(variant, r);
    }
    return r;
  }

  @AfterAll
  void free() {
    replays.values().forEach(TrainingReplay::close);
  }

  @TrainVariants
  void parameterGroupsAreTheOriginals(String variant) throws Exception {
    TrainingReplay r = replay(variant);
    JsonNode groups = r.train.get("param_groups");
    double weightDecay = r.train.at("/recipe/weight_decay").asDouble();
    assertEquals(groups.size(), r.groupNames.size(), "number of parameter groups");
    for (int g = 0; g < groups.size(); g++) {
      assertEquals(FixtureModels.strings(groups.get(g).get("params")), r.groupNames.get(g), "group " + g);
      assertEquals(groups.get(g).get("weight_decay").asDouble(), ParamGroups.decays(g) ? weightDecay : 0.0, "group " + g + " decay");
    }
  }

  @TrainVariants
  void lossesMatch(String variant) throws Exception {
    TrainingReplay r = replay(variant);
    JsonNode steps = r.train.get("steps");
    assertEquals(steps.size(), r.losses.size(), "steps replayed");
    double worst = 0;
    for (int k = 0; k < steps.size(); k++) {
      double want = steps.get(k).get("loss").asDouble();
      double rel = Math.abs(r.losses.get(k) - want) / Math.abs(want);
      worst = Math.max(worst, rel);
      System.out.printf("parity train_%s step %d loss %.6f (reference %.6f, rel diff %.3e)%n", variant, k, r.losses.get(k), want, rel);
      assertTrue(rel <= 1e-5, "step " + k + " loss " + r.losses.get(k) + " vs " + want);
    }
    System.out.printf("parity train_%s losses: max rel diff %.3e (bound 1e-5)%n", variant, worst);
  }

  @TrainVariants
  void correctedTargetsMatchExactly(String variant) throws Exception {
    TrainingReplay r = replay(variant);
    NpyArray ref = Npy.read(r.file("step_targets_corrected"));
    assertEquals(r.train.get("steps").size(), ref.shape()[0], "one row of corrected targets per step");
    assertEquals(ref.shape()[0], r.corrected.size(), "steps replayed");
    long per = ref.numel() / ref.shape()[0];
    long[] all = ref.longs();
    int added = 0;
    for (int k = 0; k < r.corrected.size(); k++) {
      long[] want = Arrays.copyOfRange(all, (int) (k * per), (int) ((k + 1) * per));
      long[] got = Tensors.toLongs(r.corrected.get(k));
      assertArrayEquals(want, got, "step " + k + " corrected targets");
      // pseudo positives = positives after SPLC minus the positives the loader gave
      int pseudo = positives(got) - positives(r.givenTargets.get(k));
      added += pseudo;
      assertEquals(r.train.get("steps").get(k).get("n_targets_corrected").asInt(), pseudo, "step " + k + " pseudo positives");
    }
    System.out.printf("parity train_%s corrected targets: exact (%d pseudo positives over %d steps)%n", variant, added, r.corrected.size());
  }

  @TrainVariants
  void stepLogitsMatch(String variant) throws Exception {
    TrainingReplay r = replay(variant);
    NpyArray ref = Npy.read(r.file("step_logits"));
    assertEquals(ref.shape()[0], r.logits.size(), "steps replayed");
    float[] all = ref.floats();
    int per = (int) (ref.numel() / ref.shape()[0]);
    long[] stepShape = Arrays.copyOfRange(ref.shape(), 1, ref.shape().length);
    for (int k = 0; k < r.logits.size(); k++) {
      float[] want = Arrays.copyOfRange(all, k * per, (k + 1) * per);
      Parity.assertWithin("train_" + variant + ".step_logits[" + k + "]", r.logits.get(k), stepShape, want,
          Parity.FORWARD_REL * Math.max(1, maxAbs(want)));
    }
  }

  @TrainVariants
  void optimizerHoldsTheScheduledLrAndBeta1(String variant) throws Exception {
    TrainingReplay r = replay(variant);
    JsonNode steps = r.train.get("steps");
    double worst = 0;
    for (int k = 0; k < steps.size(); k++) {
      JsonNode s = steps.get(k);
      for (int g = 0; g < r.groups(); g++) {
        worst = Math.max(worst, relCheck("lr_used", k, g, s.get("lr_used").get(g).asDouble(), r.lrUsed.get(k)[g]));
        worst = Math.max(worst, relCheck("beta1_used", k, g, s.get("beta1_used").get(g).asDouble(), r.beta1Used.get(k)[g]));
        worst = Math.max(worst, relCheck("lr_after", k, g, s.get("lr_after_scheduler_step").get(g).asDouble(), r.lrAfter.get(k)[g]));
        worst = Math.max(worst, relCheck("beta1_after", k, g, s.get("beta1_after_scheduler_step").get(g).asDouble(), r.beta1After.get(k)[g]));
      }
      assertEquals(s.get("image_encoder_training").asBoolean(), r.encoderTraining.get(k), "step " + k + " image encoder mode");
    }
    System.out.printf("parity train_%s optimizer lr/beta1 used and after: max rel diff %.3e (bound 1e-12)%n", variant, worst);
  }

  /** Which parameters get a gradient, and its value: every trainable one except the two the forward never uses. */
  @TrainVariants
  void firstStepGradientsMatch(String variant) throws Exception {
    TrainingReplay r = replay(variant);
    Map<String, Tensor> ref = TorchZipReader.readStateDict(r.file("step0_grads"));
    assertEquals(r.train.get("n_step0_grads").asInt(), ref.size());
    // the reference lists the gradients in the optimizer's order: group by group
    List<String> optimizerOrder = new ArrayList<>();
    for (List<String> group : r.groupNames) for (String n : group) if (r.step0Grads.containsKey(n)) optimizerOrder.add(n);
    assertEquals(new ArrayList<>(ref.keySet()), optimizerOrder, "parameters with a gradient at step 0");
    assertEquals(FixtureModels.strings(r.train.get("params_without_grad")), r.step0WithoutGrad);
    double globalMax = r.train.get("max_abs_grad_step0").asDouble();
    NoiseDriven noise = new NoiseDriven(r.train.get("noise_driven"));
    double worstRatio = 0;
    String worstName = "";
    for (Map.Entry<String, Tensor> e : ref.entrySet()) {
      String name = e.getKey();
      long[] shape = Tensors.shape(e.getValue());
      assertArrayEquals(shape, Tensors.shape(r.step0Grads.get(name)), name);
      float[] want = Tensors.toFloats(e.getValue()), got = Tensors.toFloats(r.step0Grads.get(name));
      boolean[] noisy = noise.mask(name, shape);
      double refMax = maxAbs(want);
      double diff = maxAbsDiff(got, want, noisy, false), noiseDiff = maxAbsDiff(got, want, noisy, true);
      double bound = 1e-4 * refMax, noiseBound = 1e-6 * globalMax;
      if (noise.contains(name))
        System.out.printf("parity train_%s step0 grad %-40s noise-driven part: max abs diff %.3e (bound %.3e)%n",
            variant, name, noiseDiff, noiseBound);
      assertTrue(noiseDiff <= noiseBound, name + ": noise-driven gradient differs by " + noiseDiff + " > " + noiseBound);
      assertTrue(diff <= bound, name + ": gradient differs by " + diff + " > " + bound);
      if (!noise.whole(name) && diff / refMax > worstRatio) {
        worstRatio = diff / refMax;
        worstName = name;
      }
    }
    System.out.printf("parity train_%s step0 grads: %d tensors, worst max abs diff / max abs ref %.3e (%s; bound 1e-4)%n",
        variant, ref.size(), worstRatio, worstName);
  }

  @TrainVariants
  void validationScoresAndMapMatchAfterEachEpoch(String variant) throws Exception {
    TrainingReplay r = replay(variant);
    NpyArray regular = Npy.read(r.file("val_preds_regular"));
    NpyArray ema = Npy.read(r.file("val_preds_ema"));
    assertEquals(r.train.get("validate").size(), r.validations.size(), "one validation per epoch");
    double worstMap = 0;
    for (int e = 0; e < r.validations.size(); e++) {
      TrainingState.Validation v = r.validations.get(e);
      checkScores("train_" + variant + ".val_preds_regular[" + e + "]", v.regular().scores(), regular, e);
      checkScores("train_" + variant + ".val_preds_ema[" + e + "]", v.ema().scores(), ema, e);
      JsonNode ref = r.train.get("validate").get(e);
      double dr = Math.abs(v.mapRegular() - ref.get("mAP_regular").asDouble());
      double de = Math.abs(v.mapEma() - ref.get("mAP_ema").asDouble());
      System.out.printf("parity train_%s epoch %d mAP regular %.6f (ref %.6f), EMA %.6f (ref %.6f)%n", variant, e,
          v.mapRegular(), ref.get("mAP_regular").asDouble(), v.mapEma(), ref.get("mAP_ema").asDouble());
      assertTrue(dr <= 1e-4 && de <= 1e-4, "epoch " + e + " mAP differs by " + dr + " / " + de);
      worstMap = Math.max(worstMap, Math.max(dr, de));
    }
    System.out.printf("parity train_%s validation mAP: max abs diff %.3e (bound 1e-4)%n", variant, worstMap);
  }

  @TrainVariants
  void finalModelStateMatches(String variant) throws Exception {
    TrainingReplay r = replay(variant);
    assertStateClose(r, "final_model", r.finalModel, TorchZipReader.readStateDict(r.file("final_model")));
  }

  @TrainVariants
  void finalEmaStateMatches(String variant) throws Exception {
    TrainingReplay r = replay(variant);
    assertStateClose(r, "final_ema", r.finalEma, TorchZipReader.readStateDict(r.file("final_ema")));
  }

  /** Adam skips parameters without a gradient: those cases.json lists (ctx, logit_scale) stay bit-identical. */
  @TrainVariants
  void trainingChangesExactlyTheEntriesTheOriginalChanged(String variant) throws Exception {
    TrainingReplay r = replay(variant);
    List<String> model = changed(r, r.finalModel), ema = changed(r, r.finalEma);
    List<String> withoutGrad = FixtureModels.strings(r.train.get("params_without_grad"));
    assertFalse(withoutGrad.isEmpty(), "the original has parameters without gradient (gotcha 3)");
    for (String name : withoutGrad)
      assertFalse(model.contains(name), "parameters without gradient must stay untouched: " + name + " in " + model);
    assertEquals(new TreeSet<>(FixtureModels.strings(r.train.get("changed_in_final_model"))), new TreeSet<>(model), "changed_in_final_model");
    assertEquals(new TreeSet<>(FixtureModels.strings(r.train.get("changed_in_final_ema"))), new TreeSet<>(ema), "changed_in_final_ema");
    System.out.printf("parity train_%s changed entries: model %d, EMA %d of %d, as in the reference%n",
        variant, model.size(), ema.size(), r.initial.size());
  }

  /** Per tensor allclose(rtol=1e-4, atol=1e-5), except the noise-driven elements. */
  private static void assertStateClose(TrainingReplay r, String what, Map<String, Tensor> mine, Map<String, Tensor> ref) {
    assertEquals(new ArrayList<>(ref.keySet()), new ArrayList<>(mine.keySet()), what + " keys");
    NoiseDriven noise = new NoiseDriven(r.train.get("noise_driven"));
    double worstAbs = 0, worstRatio = 0;
    String worstName = "";
    for (Map.Entry<String, Tensor> e : ref.entrySet()) {
      String name = e.getKey();
      long[] shape = Tensors.shape(e.getValue());
      assertArrayEquals(shape, Tensors.shape(mine.get(name)), name);
      double[] want = Tensors.toDoubles(e.getValue()), got = Tensors.toDoubles(mine.get(name));
      boolean[] noisy = noise.mask(name, shape);
      double ratio = 0, abs = 0, noiseAbs = 0;
      for (int i = 0; i < want.length; i++) {
        double d = Math.abs(got[i] - want[i]);
        if (noisy[i]) {
          noiseAbs = Math.max(noiseAbs, d);
          continue;
        }
        abs = Math.max(abs, d);
        ratio = Math.max(ratio, d / (1e-5 + 1e-4 * Math.abs(want[i])));
      }
      if (noise.contains(name))
        System.out.printf("parity train_%s %s %-40s noise-driven part: max abs diff %.3e (not compared)%n", r.variant, what, name, noiseAbs);
      if (abs > worstAbs) worstAbs = abs;
      if (ratio > worstRatio) {
        worstRatio = ratio;
        worstName = name;
      }
      final double q = ratio;
      assertTrue(q <= 1.0, () -> what + " " + name + ": not allclose(rtol=1e-4, atol=1e-5): |diff| / bound = " + q);
    }
    System.out.printf("parity train_%s %s: %d tensors, max abs diff %.3e, worst |diff|/(atol+rtol|ref|) %.3f (%s)%n",
        r.variant, what, ref.size(), worstAbs, worstRatio, worstName);
  }

  private static List<String> changed(TrainingReplay r, Map<String, Tensor> state) {
    List<String> out = new ArrayList<>();
    state.forEach((name, t) -> {
      if (!t.equal(r.initial.get(name))) out.add(name);
    });
    return out;
  }

  private static void checkScores(String name, float[][] scores, NpyArray ref, int epoch) {
    int rows = (int) ref.shape()[1], cols = (int) ref.shape()[2];
    float[] all = ref.floats();
    float[] want = Arrays.copyOfRange(all, epoch * rows * cols, (epoch + 1) * rows * cols);
    float[] flat = new float[rows * cols];
    assertEquals(rows, scores.length, name + " rows");
    for (int i = 0; i < rows; i++) System.arraycopy(scores[i], 0, flat, i * cols, cols);
    Parity.assertWithin(name, Tensors.ofFloats(flat, rows, cols), new long[] {rows, cols}, want,
        Parity.FORWARD_REL * Math.max(1, maxAbs(want)));
  }

  private static int positives(long[] targets) {
    int n = 0;
    for (long v : targets) if (v == 1) n++;
    return n;
  }

  private static double relCheck(String what, int step, int group, double want, double got) {
    double rel = Math.abs(got - want) / Math.abs(want);
    assertTrue(rel <= 1e-12, what + " step " + step + " group " + group + ": " + got + " vs " + want);
    return rel;
  }

  private static double maxAbs(float[] v) {
    double m = 0;
    for (float x : v) m = Math.max(m, Math.abs(x));
    return m;
  }

  /** Max |a - b| over the elements whose mask equals {@code masked}; NaN counts as infinite. */
  private static double maxAbsDiff(float[] a, float[] b, boolean[] mask, boolean masked) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      if (mask[i] != masked) continue;
      double d = Math.abs((double) a[i] - b[i]);
      if (!(d <= m)) m = d;
    }
    return m;
  }
}
