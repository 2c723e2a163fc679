package hspnet.testutil;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The variants a fixture set holds, as argument sources for parameterized tests: the keys of
 * cases.json's "clip", "hspnet" and "train" objects (today rn, plus vit for CLIP; a profile may add
 * hspnet.vit / train.vit). Tests iterate over these instead of naming a variant, so that every
 * variant a profile writes is checked. {@code @MethodSource("hspnet.testutil.FixtureVariants#hspnet")}.
 */
public final class FixtureVariants {
  private FixtureVariants() {}

  public static List<String> clip() throws IOException {
    return keys("clip");
  }

  public static List<String> hspnet() throws IOException {
    return keys("hspnet");
  }

  public static List<String> train() throws IOException {
    return keys("train");
  }

  /**
   * The one "variant" offered when no fixture folder exists at all: the test then runs once and
   * skips at its first fixture read with the usual message, instead of vanishing from the report
   * (an argument source that aborts makes JUnit drop the whole test without counting it).
   */
  static final String NO_FIXTURES = "none (no fixtures)";

  private static List<String> keys(String section) throws IOException {
    if (FixtureDir.get() == null) return List.of(NO_FIXTURES);
    JsonNode node = Fixtures.cases().path(section);
    List<String> out = new ArrayList<>();
    node.fieldNames().forEachRemaining(out::add);
    if (out.isEmpty()) throw new IllegalStateException("cases.json lists no " + section + " variant");
    return out;
  }
}
