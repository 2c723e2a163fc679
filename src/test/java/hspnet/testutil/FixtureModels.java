package hspnet.testutil;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import hspnet.clip.ClipModel;
import hspnet.clip.tokenizer.ClipTokenizer;
import hspnet.io.Npy;
import hspnet.io.TorchZipReader;
import hspnet.model.HspNet;
import hspnet.model.PromptTokens;
import hspnet.model.Prompts;
import hspnet.nn.StateDicts;

/**
 * The fixtures' HSPNet models ({@code hspnet_<variant>}: HSPNet on one of the tiny CLIPs, with the
 * label space cases.json names) built as the original builds them: prompts from cases.json's class
 * and group names, the relation file its cfg names, the CLIP architecture of the CLIP it names, and
 * optionally the initial state {@code hspnet_<variant>.state.pt}. Skips the calling test when the
 * fixtures are absent.
 */
public final class FixtureModels {
  private FixtureModels() {}

  /** cases.json → hspnet.&lt;variant&gt;. */
  public static JsonNode hspnetCase(String variant) throws IOException {
    return Fixtures.variant("hspnet", variant);
  }

  public static List<String> strings(JsonNode array) {
    return Fixtures.strings(array);
  }

  /** Group prompt texts, label prompt texts, as the original words them. */
  public static List<String> parentPromptTexts(JsonNode hspnet) {
    List<String> out = new ArrayList<>();
    for (String group : strings(hspnet.get("super_classnames")))
      out.add(PromptTokens.parentPrompt(hspnet.at("/cfg/parent_ctx_init").asText(), group));
    return out;
  }

  public static List<String> childPromptTexts(JsonNode hspnet) {
    List<String> out = new ArrayList<>();
    for (String label : strings(hspnet.get("classnames")))
      out.add(PromptTokens.childPrompt(hspnet.at("/cfg/child_n_ctx").asInt(), label));
    return out;
  }

  /** The tokenized prompts of both levels and the label → group index of cases.json. */
  public static Prompts prompts(String variant) throws IOException {
    JsonNode c = hspnetCase(variant);
    ClipTokenizer tokenizer = ClipTokenizer.fromBpeFile(Shared.fixture("bpe_simple_vocab_16e6.txt.gz"));
    long[][] parentTokens = tokenizer.tokenize(parentPromptTexts(c), ClipTokenizer.CONTEXT_LENGTH, false);
    long[][] childTokens = tokenizer.tokenize(childPromptTexts(c), ClipTokenizer.CONTEXT_LENGTH, false);
    int[] groupOf = new int[c.get("parent_index").size()];
    for (int l = 0; l < groupOf.length; l++) groupOf[l] = c.get("parent_index").get(l).asInt();
    return new Prompts(parentTokens, childTokens, groupOf, c.at("/cfg/parent_n_ctx").asInt(), c.at("/cfg/child_n_ctx").asInt());
  }

  /**
   * HSPNet with the fixture's prompts and relation file on the architecture of the CLIP it was
   * built on (hspnet.&lt;variant&gt;.clip). The CLIP weights are left uninitialised: every tensor
   * HSPNet keeps is overwritten when a state is loaded.
   */
  public static HspNet hspnet(String variant) throws IOException {
    JsonNode c = hspnetCase(variant);
    float[] relation = Npy.read(Shared.fixture(c.at("/cfg/relation_file").asText())).floats();
    String clip = Fixtures.variantOf("clip", c.get("clip").asText());
    return new HspNet(new ClipModel(Fixtures.clipArch(clip)), prompts(variant), relation, c.at("/cfg/reweight_p").asDouble());
  }

  /** {@link #hspnet} with the fixture's initial state {@code hspnet_<variant>.state.pt} loaded strictly. */
  public static HspNet hspnetLoaded(String variant) throws IOException {
    return withState(hspnet(variant), Shared.fixture("hspnet_" + variant + ".state.pt"));
  }

  /** Loads a state file strictly into a model and returns the model. */
  public static HspNet withState(HspNet model, Path file) throws IOException {
    StateDicts.loadStrict(model, TorchZipReader.readStateDict(file), file.getFileName().toString());
    return model;
  }
}
