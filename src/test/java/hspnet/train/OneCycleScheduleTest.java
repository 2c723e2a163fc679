package hspnet.train;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import hspnet.testutil.Fixtures;
import hspnet.testutil.TrainVariants;

class OneCycleScheduleTest {
  private static final double REL_TOL = 1e-12;

  private static JsonNode cases() throws Exception {
    return Fixtures.cases();
  }

  private static double[] doubles(JsonNode array) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) out[i] = array.get(i).asDouble();
    return out;
  }

  private static double rel(double got, double want) {
    return want == 0 ? Math.abs(got) : Math.abs(got - want) / Math.abs(want);
  }

  @Test
  void handCheckedCorners() {
    // total 10, pct 0.2: warm-up ends at step 0.2·10 − 1 = 1, the cycle at step 9
    OneCycleSchedule s = OneCycleSchedule.withDefaults(new double[] {1e-3, 5e-3}, 10);
    assertEquals(1e-3 / 25, s.lr(0, 0), 1e-18);        // starts at max_lr / div_factor
    assertEquals(0.95, s.beta1(0), 1e-15);              // at max momentum
    assertEquals(5e-3, s.lr(1, 1), 1e-18);              // peak at the end of warm-up
    assertEquals(0.85, s.beta1(1), 1e-15);              // at base momentum
    assertEquals(1e-3 / 25 / 1e4, s.lr(0, 9), 1e-20);   // min lr = initial / final_div_factor
    assertEquals(0.95, s.beta1(9), 1e-15);
    // halfway through the decay (step 5 of 1..9): cos(pi/2) = 0 -> midpoint of max and min
    assertEquals((1e-3 + 1e-3 / 25 / 1e4) / 2, s.lr(0, 5), 1e-18);
    assertEquals(0.90, s.beta1(5), 1e-15);
    assertEquals(2, s.groups());
    assertEquals(10, s.totalSteps());
  }

  @Test
  void refusesStepsBeyondTheScheduleAndBadArguments() {
    OneCycleSchedule s = OneCycleSchedule.withDefaults(new double[] {1e-4}, 10);
    s.lr(0, 10);   // the value the scheduler sets after the last step is still defined
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.lr(0, 11));
    assertTrue(e.getMessage().contains("step 11"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> s.beta1(11));
    assertThrows(IllegalArgumentException.class, () -> s.beta1(-1));
    assertThrows(IllegalArgumentException.class, () -> s.lr(1, 0));
    assertThrows(IllegalArgumentException.class, () -> OneCycleSchedule.withDefaults(new double[0], 10));
    assertThrows(IllegalArgumentException.class, () -> OneCycleSchedule.withDefaults(new double[] {1e-4}, 0));
    // 0.2 · 5 − 1 = 0: a zero-length warm-up, where torch divides by zero
    assertThrows(IllegalArgumentException.class, () -> OneCycleSchedule.withDefaults(new double[] {1e-4}, 5));
    assertThrows(IllegalArgumentException.class,
        () -> new OneCycleSchedule(new double[] {1e-4}, 10, 1.5, 25, 1e4, 0.85, 0.95));
  }

  @Test
  void matchesTheReferenceOneCycleTable() throws Exception {
    JsonNode oc = cases().get("onecycle");
    assertEquals("cos", oc.get("anneal_strategy").asText());
    long total = oc.get("total_steps").asLong();
    assertEquals(oc.get("steps_per_epoch").asLong() * oc.get("epochs").asLong(), total);
    OneCycleSchedule s = new OneCycleSchedule(doubles(oc.get("max_lr")), total,
        oc.get("pct_start").asDouble(), oc.get("div_factor").asDouble(), oc.get("final_div_factor").asDouble(),
        oc.get("base_momentum").asDouble(), oc.get("max_momentum").asDouble());
    JsonNode lr = oc.get("lr"), beta1 = oc.get("beta1");
    assertEquals(total + 1, lr.size(), "rows 0..total_steps");
    double maxLrRel = 0, maxBetaRel = 0;
    for (int k = 0; k <= total; k++) {
      for (int g = 0; g < s.groups(); g++) {
        maxLrRel = Math.max(maxLrRel, rel(s.lr(g, k), lr.get(k).get(g).asDouble()));
        maxBetaRel = Math.max(maxBetaRel, rel(s.beta1(k), beta1.get(k).get(g).asDouble()));
      }
    }
    System.out.printf("OneCycle parity (%d rows x %d groups): lr max rel diff %.3g, beta1 max rel diff %.3g%n",
        total + 1, s.groups(), maxLrRel, maxBetaRel);
    assertTrue(maxLrRel <= REL_TOL, "lr max rel diff " + maxLrRel);
    assertTrue(maxBetaRel <= REL_TOL, "beta1 max rel diff " + maxBetaRel);
    assertThrows(IllegalArgumentException.class, () -> s.lr(0, total + 1), "a further step raises in torch");
  }

  /** The schedule train.py builds from a fixture's recipe gives the lr / beta1 its optimizer held at every step. */
  @TrainVariants
  void matchesTheValuesUsedInTheReferenceTrainingSteps(String variant) throws Exception {
    JsonNode train = Fixtures.variant("train", variant);
    JsonNode recipe = train.get("recipe");
    // total_steps = steps_per_epoch * cfg.total_epochs (not the epochs actually run)
    long total = recipe.get("steps_per_epoch").asLong() * recipe.get("total_epochs").asLong();
    assertEquals(recipe.get("total_steps").asLong(), total);
    OneCycleSchedule s = OneCycleSchedule.withDefaults(doubles(recipe.get("max_lr")), total);
    JsonNode steps = train.get("steps");
    assertTrue(steps.size() > 0, "train." + variant + ".steps is empty");
    double maxRel = 0;
    for (int k = 0; k < steps.size(); k++) {
      JsonNode st = steps.get(k);
      assertEquals(s.groups(), st.get("lr_used").size(), "step " + k + ": one lr per group");
      for (int g = 0; g < s.groups(); g++) {
        maxRel = Math.max(maxRel, rel(s.lr(g, k), st.get("lr_used").get(g).asDouble()));
        maxRel = Math.max(maxRel, rel(s.beta1(k), st.get("beta1_used").get(g).asDouble()));
        maxRel = Math.max(maxRel, rel(s.lr(g, k + 1), st.get("lr_after_scheduler_step").get(g).asDouble()));
        maxRel = Math.max(maxRel, rel(s.beta1(k + 1), st.get("beta1_after_scheduler_step").get(g).asDouble()));
      }
    }
    System.out.printf("OneCycle vs train_%s steps (%d steps): lr/beta1 max rel diff %.3g%n", variant, steps.size(), maxRel);
    assertTrue(maxRel <= REL_TOL, "max rel diff " + maxRel);
  }
}
