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

import hspnet.clip.ClipArch;
import hspnet.clip.ClipModel;
import hspnet.clip.ClipTokenizer;
import hspnet.io.Npy;
import hspnet.io.NpyArray;
import hspnet.io.TorchZipReader;
import hspnet.nn.Ops;
import hspnet.nn.StateDicts;
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

  private ClipArch clipArch() throws Exception {
    return hspnet.testutil.Fixtures.clipArch("rn");
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** The prompts as the original builds them, checked against the fixture's texts and token ids. */
  private Prompts prompts() throws Exception {
    JsonNode cfg = rn.get("cfg");
    ClipTokenizer tokenizer = ClipTokenizer.fromBpeFile(Shared.fixture("bpe_simple_vocab_16e6.txt.gz"));
    List<String> parentTexts = new ArrayList<>(), childTexts = new ArrayList<>();
    for (String group : strings(rn.get("super_classnames")))
      parentTexts.add(PromptTokens.parentPrompt(cfg.get("parent_ctx_init").asText(), group));
    for (String label : strings(rn.get("classnames")))
      childTexts.add(PromptTokens.childPrompt(cfg.get("child_n_ctx").asInt(), label));
    assertEquals(strings(rn.get("parent_prompts")), parentTexts);
    assertEquals(strings(rn.get("child_prompts")), childTexts);

    long[][] parentTokens = tokenizer.tokenize(parentTexts, ClipTokenizer.CONTEXT_LENGTH, false);
    long[][] childTokens = tokenizer.tokenize(childTexts, ClipTokenizer.CONTEXT_LENGTH, false);
    assertArrayEquals(Npy.read(Shared.fixture("hspnet_rn.parent_tokens.npy")).longs(), flatten(parentTokens));
    assertArrayEquals(Npy.read(Shared.fixture("hspnet_rn.child_tokens.npy")).longs(), flatten(childTokens));

    int[] groupOf = new int[rn.get("parent_index").size()];
    for (int c = 0; c < groupOf.length; c++) groupOf[c] = rn.get("parent_index").get(c).asInt();
    long[] fixtureIndex = Npy.read(Shared.fixture("hspnet_rn.parent_index.npy")).longs();
    for (int c = 0; c < groupOf.length; c++) assertEquals(fixtureIndex[c], groupOf[c], "parent_index[" + c + "]");
    return new Prompts(parentTokens, childTokens, groupOf, cfg.get("parent_n_ctx").asInt(), cfg.get("child_n_ctx").asInt());
  }

  private HspNet buildModel() throws Exception {
    float[] relation = Npy.read(Shared.fixture("hspnet_rn.relation_raw.npy")).floats();
    // the CLIP weights do not matter: every tensor HSPNet keeps is overwritten by the state dict
    return new HspNet(new ClipModel(clipArch()), prompts(), relation, rn.at("/cfg/reweight_p").asDouble());
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
    StateDicts.of(model).forEach((name, t) -> {
      if (name.contains("text_encoder")) t.requires_grad_(false);
    });
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
    HspNet model = buildModel();
    Path file = Shared.fixture("hspnet_rn.state.pt");
    StateDicts.loadStrict(model, TorchZipReader.readStateDict(file), file.getFileName().toString());
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
