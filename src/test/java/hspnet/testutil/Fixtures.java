package hspnet.testutil;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assertions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import hspnet.clip.ClipArch;

/**
 * Readers for the reference fixtures' cases.json, read from the same folder as every other fixture
 * file of the run (skips the test when there is none). Sizes and counts come from here, never from
 * today's profile: another seed, other sizes or another label set must pass the same tests.
 */
public final class Fixtures {
  private Fixtures() {}

  public static JsonNode cases() throws IOException {
    return new ObjectMapper().readTree(Shared.fixture("cases.json").toFile());
  }

  /** cases.json → &lt;section&gt;.&lt;variant&gt; (clip.rn, hspnet.rn, train.rn, ...); fails when it is absent. */
  public static JsonNode variant(String section, String variant) throws IOException {
    JsonNode node = cases().path(section).path(variant);
    Assertions.assertFalse(node.isMissingNode(), "cases.json has no " + section + "." + variant);
    return node;
  }

  /** The variant a fixture file stem names: "clip_rn" → "rn" for section "clip". */
  public static String variantOf(String section, String stem) {
    String prefix = section + "_";
    Assertions.assertTrue(stem.startsWith(prefix), stem + " is not a " + section + " fixture");
    return stem.substring(prefix.length());
  }

  public static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  public static long[] longs(JsonNode array) {
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) out[i] = array.get(i).asLong();
    return out;
  }

  public static double[] doubles(JsonNode array) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) out[i] = array.get(i).asDouble();
    return out;
  }

  /** The architecture of cases.json clip.&lt;variant&gt;.arch (head counts as built, not width / 64). */
  public static ClipArch clipArch(String variant) throws IOException {
    return clipArch(variant("clip", variant).get("arch"));
  }

  /** An architecture written as build_model's fields (vision_layers a list for a ResNet, a number for a ViT). */
  public static ClipArch clipArch(JsonNode a) {
    int embed = a.get("embed_dim").asInt(), res = a.get("image_resolution").asInt();
    int ctx = a.get("context_length").asInt(), vocab = a.get("vocab_size").asInt();
    int tw = a.get("transformer_width").asInt(), th = a.get("transformer_heads").asInt(), tl = a.get("transformer_layers").asInt();
    JsonNode layers = a.get("vision_layers");
    if (layers.isArray()) {
      List<Integer> counts = new ArrayList<>();
      layers.forEach(n -> counts.add(n.asInt()));
      return ClipArch.resNet(embed, res, counts, a.get("vision_width").asInt(), a.get("vision_heads").asInt(), ctx, vocab, tw, th, tl);
    }
    return ClipArch.vit(embed, res, layers.asInt(), a.get("vision_width").asInt(), a.get("vision_patch_size").asInt(),
        a.get("vision_heads").asInt(), ctx, vocab, tw, th, tl);
  }
}
