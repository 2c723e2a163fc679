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
    JsonNode a = cases().at("/clip/" + variant + "/arch");
    List<Integer> layers = new ArrayList<>();
    a.get("vision_layers").forEach(n -> layers.add(n.asInt()));
    return new ClipArch(a.get("embed_dim").asInt(), a.get("image_resolution").asInt(), layers,
        a.get("vision_width").asInt(), a.get("vision_heads").asInt(), a.get("context_length").asInt(),
        a.get("vocab_size").asInt(), a.get("transformer_width").asInt(), a.get("transformer_heads").asInt(),
        a.get("transformer_layers").asInt());
  }
}
