package hspnet.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import hspnet.io.Npy;
import hspnet.nn.Tensors;
import hspnet.testutil.FixtureDir;

/**
 * The baselines against their authors' code (fixtures/spml: Cole et al.'s and Kim et al.'s
 * losses.py on one batch). Sizes, parameters and expected values come from its cases.json;
 * tolerances from its README: loss 1e-6 relative, gradient 1e-5 × max|ref|, corrected entries exact.
 */
class BaselineLossParityTest {
  private static final Map<String, String> WORST = new TreeMap<>();

  private static Path file(String name) {
    Path dir = FixtureDir.spml();
    Assumptions.assumeTrue(dir != null, "skipped: neither ../shared/fixtures/spml nor src/test/resources/golden-spml is present");
    Path p = dir.resolve(name);
    Assumptions.assumeTrue(Files.exists(p), "skipped: spml fixture missing: " + p);
    return p;
  }

  private static JsonNode cases() throws IOException {
    return new ObjectMapper().readTree(file("cases.json").toFile());
  }

  private static Tensor npy(String name) throws IOException {
    return Npy.read(file(name)).toTensor();
  }

  /** The observed labels as training hands them to a loss: int64. */
  private static Tensor observed() throws IOException {
    return npy("observed.npy").to(ScalarType.Long);
  }

  private static Tensor leaf(Tensor t) {
    Tensor x = t.to(ScalarType.Float).clone();
    x.requires_grad_(true);
    return x;
  }

  private static double gradRatio(Tensor grad, String refFile) throws IOException {
    float[] g = Tensors.toFloats(grad);
    float[] ref = Npy.read(file(refFile)).floats();
    assertEquals(ref.length, g.length, refFile + " size");
    double maxRef = 0, maxDiff = 0;
    for (int i = 0; i < g.length; i++) {
      maxRef = Math.max(maxRef, Math.abs(ref[i]));
      maxDiff = Math.max(maxDiff, Math.abs(g[i] - ref[i]));
    }
    return maxDiff / maxRef;
  }

  private static void check(String name, double loss, double want, double... gradRatios) {
    double rel = Math.abs(loss - want) / Math.abs(want);
    double worstGrad = 0;
    for (double r : gradRatios) worstGrad = Math.max(worstGrad, r);
    WORST.put(name, String.format("loss rel %.3g, grad %.3g x max|ref|", rel, worstGrad));
    assertTrue(rel <= 1e-6, name + ": loss " + loss + " vs " + want + " (rel " + rel + ")");
    for (double r : gradRatios) assertTrue(r <= 1e-5, name + ": grad max diff " + r + " x max|ref|");
  }

  @AfterAll
  static void report() {
    WORST.forEach((k, v) -> System.out.println("spml parity " + k + ": " + v));
  }

  @Test
  void coleLossesMatchTheirCode() throws Exception {
    JsonNode cole = cases().get("cole");
    Map<String, ColeLoss.Kind> kinds = Map.of("an", ColeLoss.Kind.AN, "an_ls", ColeLoss.Kind.AN_LS, "wan", ColeLoss.Kind.WAN,
        "epr", ColeLoss.Kind.EPR);
    for (Map.Entry<String, ColeLoss.Kind> e : kinds.entrySet()) {
      try (PointerScope scope = new PointerScope()) {
        JsonNode c = cole.get(e.getKey());
        JsonNode p = c.get("params");
        Tensor logits = leaf(npy("logits.npy"));
        assertEquals(p.get("num_classes").asLong(), logits.size(1), "num_classes of " + e.getKey());
        Tensor loss = new ColeLoss(e.getValue(), p.get("ls_coef").asDouble(), p.get("expected_num_pos").asDouble())
            .loss(logits, observed());
        loss.backward();
        check(e.getKey(), loss.item_double(), c.get("loss").asDouble(), gradRatio(logits.grad(), "cole_" + e.getKey() + ".grad_logits.npy"));
      }
    }
  }

  @Test
  void roleMatchesTheirCodeForBothLearners() throws Exception {
    JsonNode c = cases().get("cole").get("role");
    try (PointerScope scope = new PointerScope()) {
      Tensor logits = leaf(npy("logits.npy"));
      Tensor estimator = leaf(npy("role_estimator_logits.npy"));
      Tensor loss = Role.loss(logits, estimator, observed(), c.get("params").get("expected_num_pos").asDouble());
      loss.backward();
      check("role", loss.item_double(), c.get("loss").asDouble(), gradRatio(logits.grad(), "cole_role.grad_logits.npy"),
          gradRatio(estimator.grad(), "cole_role.grad_estimator_logits.npy"));
    }
  }

  /**
   * Their LabelEstimator's initial values: observed positives at logit(0.995), the rest within
   * ±logit(0.6). The fixture's estimator logits are not an initial state (its observed positives
   * are not at logit(0.995)), so only the rule is checked here, not the values.
   */
  @Test
  void roleEstimatorStartsAsTheirs() throws Exception {
    try (PointerScope scope = new PointerScope()) {
      Tensor obs = observed();
      float[] ours = Tensors.toFloats(Role.initialEstimator(obs, 7));
      long[] o = Tensors.toLongs(obs);
      double bound = Role.inverseSigmoid(0.6);
      for (int i = 0; i < o.length; i++) {
        if (o[i] == 1) {
          assertEquals((float) Role.inverseSigmoid(0.995), ours[i]);
        } else {
          assertTrue(Math.abs(ours[i]) <= bound, "entry " + i + ": " + ours[i]);
        }
      }
    }
  }

  /** Through the training interface: the estimator rows are picked by the batch's sample indices. */
  @Test
  void roleForwardPicksTheBatchRowsOfItsEstimator() throws Exception {
    JsonNode c = cases().get("cole").get("role");
    try (PointerScope scope = new PointerScope()) {
      Tensor obs = observed();
      long n = obs.size(0);
      Role role = new Role(obs, c.get("params").get("expected_num_pos").asDouble(), 1);
      role.loadState(Map.of("role_estimator", npy("role_estimator_logits.npy")), "test");
      long[] rows = new long[(int) n];
      for (int i = 0; i < n; i++) rows[i] = n - 1 - i;
      Tensor reversed = Tensors.ofLongs(rows, n);
      Criterion.Result r = role.forward(npy("logits.npy").index_select(0, reversed), obs.index_select(0, reversed), rows, 0);
      double want = c.get("loss").asDouble();
      assertEquals(want, r.loss().item_double(), 1e-6 * Math.abs(want), "the same batch in another order");
    }
  }

  /** LL-Cp through the training interface: the reported entries become positives of the training labels. */
  @Test
  void llCpKeepsItsCorrectionsForLaterBatches() throws Exception {
    int n = cases().get("N").asInt(), c = cases().get("C").asInt();
    try (PointerScope scope = new PointerScope()) {
      LargeLoss loss = new LargeLoss(LargeLoss.Scheme.CORRECT_PERMANENT, cases().get("large_loss").get("LL-Cp_epoch4").get("delta_rel").asDouble(),
          new long[] {n, c});
      long[] rows = new long[n];
      for (int i = 0; i < n; i++) rows[i] = i;
      Tensor obs = observed();
      Criterion.Result first = loss.forward(npy("logits.npy"), obs, rows, 3);
      assertArrayEquals(Tensors.toLongs(obs), Tensors.toLongs(first.targets()), "this batch trains on the labels it was given");
      long[] corrected = Npy.read(file("ll_LL-Cp_epoch4.corrected.npy")).longs();
      assertArrayEquals(corrected, Tensors.toLongs(loss.relabelled()), "the reported entries are kept");
      long[] want = Tensors.toLongs(obs);
      for (int i = 0; i < want.length; i++) want[i] |= corrected[i];
      Criterion.Result later = loss.forward(npy("logits.npy"), obs, rows, 4);
      assertArrayEquals(want, Tensors.toLongs(later.targets()), "a later epoch sees them as positives");
    }
  }

  @Test
  void largeLossSchemesMatchTheirCodeAtEveryEpoch() throws Exception {
    JsonNode ll = cases().get("large_loss");
    int n = cases().get("N").asInt(), c = cases().get("C").asInt();
    Map<String, LargeLoss.Scheme> schemes = Map.of("LL-R", LargeLoss.Scheme.REJECT, "LL-Ct", LargeLoss.Scheme.CORRECT_TEMPORARY,
        "LL-Cp", LargeLoss.Scheme.CORRECT_PERMANENT);
    int checked = 0;
    for (var it = ll.fields(); it.hasNext();) {
      var entry = it.next();
      String name = entry.getKey();
      JsonNode k = entry.getValue();
      String schemeName = name.substring(0, name.indexOf("_epoch"));
      int epoch = Integer.parseInt(name.substring(name.indexOf("_epoch") + "_epoch".length()));
      try (PointerScope scope = new PointerScope()) {
        double delta = k.get("delta_rel").asDouble();
        assertEquals(k.get("clean_rate").asDouble(), LargeLoss.cleanRate(delta, epoch - 1), 1e-12, name + " clean rate");
        LargeLoss loss = new LargeLoss(schemes.get(schemeName), delta, new long[] {n, c});
        Tensor logits = leaf(npy("logits.npy"));
        // their epochs count from 1, ours from 0
        LargeLoss.Outcome o = loss.compute(logits, observed(), epoch - 1);
        o.loss().backward();
        check(name, o.loss().item_double(), k.get("loss").asDouble(), gradRatio(logits.grad(), "ll_" + name + ".grad_logits.npy"));
        long[] corrected = Tensors.toLongs(o.corrected());
        assertArrayEquals(Npy.read(file("ll_" + name + ".corrected.npy")).longs(), corrected, name + ": corrected entries");
        long count = 0;
        for (long v : corrected) count += v;
        assertEquals(k.get("corrected_count").asLong(), count, name + ": corrected count");
        checked++;
      }
    }
    assertTrue(checked > 0, "no large-loss case in cases.json");
  }
}
