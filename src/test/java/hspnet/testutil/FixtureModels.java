package hspnet.testutil;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import hspnet.clip.ClipModel;
import hspnet.clip.ClipTokenizer;
import hspnet.io.Npy;
import hspnet.io.TorchZipReader;
import hspnet.model.HspNet;
import hspnet.model.PromptTokens;
import hspnet.model.Prompts;
import hspnet.nn.StateDicts;

/**
 * The fixtures' {@code hspnet_rn} model (HSPNet on the tiny ResNet CLIP, VOC label space) built
 * as the original builds it: prompts from cases.json's class and group names, the released
 * relation file, and optionally the initial state {@code hspnet_rn.state.pt}. Skips the calling
 * test when the fixtures are absent.
 */
public final class FixtureModels {
  private FixtureModels() {}

  /** cases.json → hspnet.rn. */
  public static JsonNode hspnetRnCase() throws IOException {
    return Fixtures.cases().at("/hspnet/rn");
  }

  public static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** Group prompt texts, label prompt texts, as the original words them. */
  public static List<String> parentPromptTexts(JsonNode rn) {
    List<String> out = new ArrayList<>();
    for (String group : strings(rn.get("super_classnames")))
      out.add(PromptTokens.parentPrompt(rn.at("/cfg/parent_ctx_init").asText(), group));
    return out;
  }

  public static List<String> childPromptTexts(JsonNode rn) {
    List<String> out = new ArrayList<>();
    for (String label : strings(rn.get("classnames")))
      out.add(PromptTokens.childPrompt(rn.at("/cfg/child_n_ctx").asInt(), label));
    return out;
  }

  /** The tokenized prompts of both levels and the label → group index of cases.json. */
  public static Prompts hspnetRnPrompts() throws IOException {
    JsonNode rn = hspnetRnCase();
    ClipTokenizer tokenizer = ClipTokenizer.fromBpeFile(Shared.fixture("bpe_simple_vocab_16e6.txt.gz"));
    long[][] parentTokens = tokenizer.tokenize(parentPromptTexts(rn), ClipTokenizer.CONTEXT_LENGTH, false);
    long[][] childTokens = tokenizer.tokenize(childPromptTexts(rn), ClipTokenizer.CONTEXT_LENGTH, false);
    int[] groupOf = new int[rn.get("parent_index").size()];
    for (int c = 0; c < groupOf.length; c++) groupOf[c] = rn.get("parent_index").get(c).asInt();
    return new Prompts(parentTokens, childTokens, groupOf, rn.at("/cfg/parent_n_ctx").asInt(), rn.at("/cfg/child_n_ctx").asInt());
  }

  /**
   * HSPNet with the fixture's prompts and relation file. The CLIP weights are left uninitialised:
   * every tensor HSPNet keeps is overwritten when a state is loaded.
   */
  public static HspNet hspnetRn() throws IOException {
    float[] relation = Npy.read(Shared.fixture("hspnet_rn.relation_raw.npy")).floats();
    return new HspNet(new ClipModel(Fixtures.clipArch("rn")), hspnetRnPrompts(), relation,
        hspnetRnCase().at("/cfg/reweight_p").asDouble());
  }

  /** {@link #hspnetRn()} with the fixture's initial state loaded strictly. */
  public static HspNet hspnetRnLoaded() throws IOException {
    HspNet model = hspnetRn();
    Path file = Shared.fixture("hspnet_rn.state.pt");
    StateDicts.loadStrict(model, TorchZipReader.readStateDict(file), file.getFileName().toString());
    return model;
  }
}
