package hspnet.testutil;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import hspnet.clip.ClipArch;

/** Readers for the reference fixtures' cases.json (skips the test when the fixtures are absent). */
public final class Fixtures {
  private Fixtures() {}

  public static JsonNode cases() throws IOException {
    return new ObjectMapper().readTree(Shared.fixture("cases.json").toFile());
  }

  /** The architecture of cases.json clip.&lt;variant&gt;.arch (head counts as built, not width / 64). */
  public static ClipArch clipArch(String variant) throws IOException {
    return clipArch(cases().at("/clip/" + variant + "/arch"));
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
