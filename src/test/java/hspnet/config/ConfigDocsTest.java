package hspnet.config;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md's key tables list every key the loader accepts, each once, and no other:
 * a row {@code | `key` | …} per top-level key and {@code | `clip_arch.key` | …} per clip_arch key.
 */
class ConfigDocsTest {
  static final Path DOC = Path.of("docs", "configuration.md");
  private static final Pattern ROW = Pattern.compile("^\\| `([a-z_.]+)` \\|.*");

  @Test
  void everyKeyIsDocumentedOnceAndNoOther() throws Exception {
    List<String> documented = new ArrayList<>();
    for (String line : Files.readAllLines(DOC)) {
      Matcher m = ROW.matcher(line);
      if (m.matches()) documented.add(m.group(1));
    }
    Set<String> expected = new TreeSet<>();
    for (KeySpec k : ConfigKeys.TOP_LEVEL) expected.add(k.name());
    for (KeySpec k : ConfigKeys.CLIP_ARCH_KEYS) expected.add("clip_arch." + k.name());

    Set<String> missing = new TreeSet<>(expected);
    documented.forEach(missing::remove);
    assertEquals(Set.of(), missing, DOC + " lacks keys");

    Set<String> unknown = new TreeSet<>(documented);
    unknown.removeAll(expected);
    assertEquals(Set.of(), unknown, DOC + " documents keys that do not exist");

    assertEquals(expected.size(), documented.size(), DOC + " documents a key twice: " + documented);
  }

  @Test
  void theTableSaysWhichKeysARunNeeds() throws Exception {
    Pattern row = Pattern.compile("^\\| `([a-z_]+)` \\| [a-z ]+ \\| ([a-z, ]+) \\|.*");
    int checked = 0;
    for (String line : Files.readAllLines(DOC)) {
      Matcher m = row.matcher(line);
      if (!m.matches()) continue;
      KeySpec spec = ConfigKeys.TOP_LEVEL.stream().filter(k -> k.name().equals(m.group(1))).findFirst().orElse(null);
      if (spec == null) continue;
      String want = !spec.used() ? "accepted, unused" : spec.required() ? "required" : "optional";
      assertEquals(want, m.group(2), "the row of " + spec.name());
      checked++;
    }
    assertEquals(ConfigKeys.TOP_LEVEL.size(), checked, "rows read");
  }
}
