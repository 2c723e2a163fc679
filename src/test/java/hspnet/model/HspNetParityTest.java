package hspnet.model;

import org.junit.jupiter.api.extension.ExtendWith;
import hspnet.testutil.NativeScope;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import hspnet.io.Npy;
import hspnet.io.NpyArray;
import hspnet.io.TorchZipReader;
import hspnet.nn.Ops;
import hspnet.nn.StateDicts;
import hspnet.testutil.FixtureModels;
import hspnet.testutil.Parity;
import hspnet.testutil.Shared;

/**
 * HSPNet on the tiny ResNet CLIP with the VOC label space ({@code hspnet_rn.*}): prompts tokenize
 * to the original's ids, the state dict has the original's keys in the original's order, loads
 * bit-identically, the relation split and every intermediate of one eval-mode forward pass match
 * the original, and freezing the text encoder leaves exactly the original's trainable parameters.
 */
@ExtendWith(NativeScope.class)
class HspNetParityTest {
  private PointerScope scope;
  private JsonNode rn;

  @BeforeEach
  void setUp() throws Exception {
    scope = new PointerScope();
    rn = new ObjectMapper().readTree(Shared.fixture("cases.json").toFile()).at("/hspnet/rn");
  }

  @AfterEach
  void closeScope() {
    scope.close();
  }

  private static List<String> strings(JsonNode array) {
    return FixtureModels.strings(array);
  }

  @Test
  void promptsTokenizeToTheOriginalsIds() throws Exception {
    assertEquals(strings(rn.get("parent_prompts")), FixtureModels.parentPromptTexts(rn));
    assertEquals(strings(rn.get("child_prompts")), FixtureModels.childPromptTexts(rn));
    Prompts prompts = FixtureModels.hspnetRnPrompts();
    assertArrayEquals(Npy.read(Shared.fixture("hspnet_rn.parent_tokens.npy")).longs(), flatten(prompts.parentTokens()));
    assertArrayEquals(Npy.read(Shared.fixture("hspnet_rn.child_tokens.npy")).longs(), flatten(prompts.childTokens()));
    long[] fixtureIndex = Npy.read(Shared.fixture("hspnet_rn.parent_index.npy")).longs();
    assertEquals(fixtureIndex.length, prompts.groupOf().length);
    for (int c = 0; c < fixtureIndex.length; c++) assertEquals(fixtureIndex[c], prompts.groupOf()[c], "parent_index[" + c + "]");
  }

  private HspNet buildModel() throws Exception {
    return FixtureModels.hspnetRn();
  }

  @Test
  void stateDictHasTheOriginalsKeysInOrderAndLoadsExactly() throws Exception {
    HspNet model = buildModel();
    List<String> expected = new ArrayList<>();
    rn.get("state_dict").forEach(e -> expected.add(e.get("name").asText()));
    assertEquals(167, expected.size());
    assertEquals(expected, new ArrayList<>(StateDicts.of(model).keySet()));

    Path file = Shared.fixture("hspnet_rn.state.pt");
    Map<String, Tensor> stored = TorchZipReader.readStateDict(file);
    assertEquals(expected, new ArrayList<>(stored.keySet()));
    StateDicts.loadStrict(model, stored, file.getFileName().toString());
    Parity.assertLoadedExactly(StateDicts.of(model), stored);
  }

  @Test
  void freezingTheTextEncoderLeavesTheOriginalsTrainableParameters() throws Exception {
    HspNet model = buildModel();
    model.freezeTextEncoder();
    Map<String, Boolean> expected = new LinkedHashMap<>(), actual = new LinkedHashMap<>();
    rn.get("state_dict").forEach(e -> expected.put(e.get("name").asText(), e.get("trainable").asBoolean()));
    var trainable = StateDicts.trainable(model).keySet();
    StateDicts.of(model).keySet().forEach(k -> actual.put(k, trainable.contains(k)));
    assertEquals(expected, actual);
    assertEquals(strings(rn.get("trainable_parameters")), new ArrayList<>(trainable));
  }

  @Test
  void relationMatricesMatchTheOriginalsSplit() throws Exception {
    HspNet model = buildModel();
    NpyArray child = Npy.read(Shared.fixture("hspnet_rn.relation_child.npy"));
    NpyArray parent = Npy.read(Shared.fixture("hspnet_rn.relation_parent.npy"));
    Parity.assertWithin("hspnet_rn.relation_child", model.relationChild(), child.shape(), child.floats(), 1e-6);
    Parity.assertWithin("hspnet_rn.relation_parent", model.relationParent(), parent.shape(), parent.floats(), 1e-6);
  }

  @Test
  void evalForwardMatchesEveryIntermediateOfTheOriginal() throws Exception {
    HspNet model = FixtureModels.hspnetRnLoaded();
    model.eval();
    Tensor images = Npy.read(Shared.fixture("hspnet_rn.images.npy")).toTensor();
    try (NoGradGuard g = new NoGradGuard()) {
      HspNet.Intermediates out = model.forwardAll(images);
      check("image_features", out.imageFeatures());
      check("image_features_norm", Ops.l2Normalize(out.imageFeatures()));
      check("parent_text_features", out.parentFeatures());
      check("parent_text_features_gcn", out.parentFeaturesGcn());
      check("meta_net_out", out.metaOut());
      check("child_prompts", out.childPrompts());
      check("child_text_features", out.childFeatures());
      check("child_text_features_gcn", out.childFeaturesGcn());
      check("text_features_norm", out.textFeaturesNorm());
      check("logits", out.logits());
      // forward() is what training and evaluation call: the same logits as forwardAll
      check("logits", model.forward(images));
    }
  }

  private static void check(String name, Tensor actual) throws Exception {
    Parity.assertForward("hspnet_rn." + name, actual, Shared.fixture("hspnet_rn." + name + ".npy"));
  }

  private static long[] flatten(long[][] rows) {
    int len = rows[0].length;
    long[] out = new long[rows.length * len];
    for (int i = 0; i < rows.length; i++) System.arraycopy(rows[i], 0, out, i * len, len);
    return out;
  }
}
