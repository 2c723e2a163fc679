package hspnet.config;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** The README's table of configuration keys lists every key the loader accepts, and no other. */
class ReadmeKeysTest {
  @Test
  void everyKeyIsDocumented() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    for (KeySpec k : ConfigKeys.TOP_LEVEL)
      assertTrue(readme.contains("| `" + k.name() + "` |"), "README lacks key " + k.name());
    for (KeySpec k : ConfigKeys.CLIP_ARCH_KEYS)
      assertTrue(readme.contains("| `clip_arch." + k.name() + "` |"), "README lacks key clip_arch." + k.name());
    long rows = readme.lines().filter(l -> l.matches("\\| `[a-z_.]+` \\| .*")).count();
    assertEquals(ConfigKeys.TOP_LEVEL.size() + ConfigKeys.CLIP_ARCH_KEYS.size(), rows, "README documents keys that do not exist");
  }
}
