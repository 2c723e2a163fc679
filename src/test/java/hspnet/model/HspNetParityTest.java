package hspnet.model;

import org.junit.jupiter.api.extension.ExtendWith;
import hspnet.testutil.NativeScope;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import com.fasterxml.jackson.databind.JsonNode;

import hspnet.io.Npy;
import hspnet.io.NpyArray;
import hspnet.io.TorchZipReader;
import hspnet.nn.Ops;
import hspnet.nn.StateDicts;
import hspnet.testutil.FixtureModels;
import hspnet.testutil.HspNetVariants;
import hspnet.testutil.Parity;
import hspnet.testutil.Shared;

/**
 * HSPNet on each of the fixtures' tiny CLIPs ({@code hspnet_<variant>.*}, one run per variant
 * cases.json lists): prompts tokenize to the original's ids, the state dict has the original's keys
 * in the original's order, loads bit-identically, the relation split and every intermediate of one
 * eval-mode forward pass match the original, and freezing the text encoder leaves exactly the
 * original's trainable parameters.
 */
@ExtendWith(NativeScope.class)
class HspNetParityTest {
  private PointerScope scope;

  @BeforeEach
  void setUp() {
    scope = new PointerScope();
  }

  @AfterEach
  void closeScope() {
    scope.close();
  }

  private static List<String> strings(JsonNode array) {
    return FixtureModels.strings(array);
  }

  @HspNetVariants
  void promptsTokenizeToTheOriginalsIds(String variant) throws Exception {
    JsonNode c = FixtureModels.hspnetCase(variant);
    assertEquals(strings(c.get("parent_prompts")), FixtureModels.parentPromptTexts(c));
    assertEquals(strings(c.get("child_prompts")), FixtureModels.childPromptTexts(c));
    Prompts prompts = FixtureModels.prompts(variant);
    assertArrayEquals(Npy.read(file(variant, "parent_tokens.npy")).longs(), flatten(prompts.parentTokens()));
    assertArrayEquals(Npy.read(file(variant, "child_tokens.npy")).longs(), flatten(prompts.childTokens()));
    long[] fixtureIndex = Npy.read(file(variant, "parent_index.npy")).longs();
    assertEquals(fixtureIndex.length, prompts.groupOf().length);
    assertEquals(c.get("num_labels").asInt(), prompts.numLabels());
    assertEquals(c.get("num_groups").asInt(), prompts.numGroups());
    for (int l = 0; l < fixtureIndex.length; l++) assertEquals(fixtureIndex[l], prompts.groupOf()[l], "parent_index[" + l + "]");
  }

  @HspNetVariants
  void stateDictHasTheOriginalsKeysInOrderAndLoadsExactly(String variant) throws Exception {
    HspNet model = FixtureModels.hspnet(variant);
    List<String> expected = new ArrayList<>();
    FixtureModels.hspnetCase(variant).get("state_dict").forEach(e -> expected.add(e.get("name").asText()));
    assertFalse(expected.isEmpty(), "cases.json hspnet." + variant + ".state_dict is empty");
    assertEquals(expected, new ArrayList<>(StateDicts.of(model).keySet()));

    Path file = file(variant, "state.pt");
    Map<String, Tensor> stored = TorchZipReader.readStateDict(file);
    assertEquals(expected, new ArrayList<>(stored.keySet()));
    StateDicts.loadStrict(model, stored, file.getFileName().toString());
    Parity.assertLoadedExactly(StateDicts.of(model), stored);
  }

  @HspNetVariants
  void freezingTheTextEncoderLeavesTheOriginalsTrainableParameters(String variant) throws Exception {
    HspNet model = FixtureModels.hspnet(variant);
    model.freezeTextEncoder();
    JsonNode c = FixtureModels.hspnetCase(variant);
    Map<String, Boolean> expected = new LinkedHashMap<>(), actual = new LinkedHashMap<>();
    c.get("state_dict").forEach(e -> expected.put(e.get("name").asText(), e.get("trainable").asBoolean()));
    var trainable = StateDicts.trainable(model).keySet();
    StateDicts.of(model).keySet().forEach(k -> actual.put(k, trainable.contains(k)));
    assertEquals(expected, actual);
    assertEquals(strings(c.get("trainable_parameters")), new ArrayList<>(trainable));
  }

  @HspNetVariants
  void relationMatricesMatchTheOriginalsSplit(String variant) throws Exception {
    HspNet model = FixtureModels.hspnet(variant);
    NpyArray child = Npy.read(file(variant, "relation_child.npy"));
    NpyArray parent = Npy.read(file(variant, "relation_parent.npy"));
    Parity.assertWithin("hspnet_" + variant + ".relation_child", model.relationChild(), child.shape(), child.floats(), 1e-6);
    Parity.assertWithin("hspnet_" + variant + ".relation_parent", model.relationParent(), parent.shape(), parent.floats(), 1e-6);
  }

  @HspNetVariants
  void evalForwardMatchesEveryIntermediateOfTheOriginal(String variant) throws Exception {
    HspNet model = FixtureModels.hspnetLoaded(variant);
    model.eval();
    Tensor images = Npy.read(file(variant, "images.npy")).toTensor();
    try (NoGradGuard g = new NoGradGuard()) {
      HspNet.Intermediates out = model.forwardAll(images);
      check(variant, "image_features", out.imageFeatures());
      check(variant, "image_features_norm", Ops.l2Normalize(out.imageFeatures()));
      check(variant, "parent_text_features", out.parentFeatures());
      check(variant, "parent_text_features_gcn", out.parentFeaturesGcn());
      check(variant, "meta_net_out", out.metaOut());
      check(variant, "child_prompts", out.childPrompts());
      check(variant, "child_text_features", out.childFeatures());
      check(variant, "child_text_features_gcn", out.childFeaturesGcn());
      check(variant, "text_features_norm", out.textFeaturesNorm());
      check(variant, "logits", out.logits());
      // forward() is what training and evaluation call: the same logits as forwardAll
      check(variant, "logits", model.forward(images));
    }
  }

  /** hspnet_&lt;variant&gt;.&lt;suffix&gt; of the fixture set. */
  private static Path file(String variant, String suffix) {
    return Shared.fixture("hspnet_" + variant + "." + suffix);
  }

  private static void check(String variant, String name, Tensor actual) throws Exception {
    Parity.assertForward("hspnet_" + variant + "." + name, actual, file(variant, name + ".npy"));
  }

  private static long[] flatten(long[][] rows) {
    int len = rows[0].length;
    long[] out = new long[rows.length * len];
    for (int i = 0; i < rows.length; i++) System.arraycopy(rows[i], 0, out, i * len, len);
    return out;
  }
}
