package hspnet.config;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import hspnet.train.ResumeState;

/** {@code -o KEY=VALUE}: ConfigLoader's overrides layer over base.yaml and the chosen file. */
class ConfigOverridesTest {
  private static final Path DEMO = Path.of("configs", "hspnet+demo.yaml");
  @TempDir Path dir;

  private static String fails(String... overrides) {
    return assertThrows(ConfigException.class, () -> ConfigLoader.load(DEMO, List.of(overrides))).getMessage();
  }

  @Test
  void overriddenValuesReachTheConfigWithTheirOrigin() {
    RunConfig plain = ConfigLoader.load(DEMO);
    RunConfig c = ConfigLoader.load(DEMO, List.of("epochs=1", "lr=5e-4", "device=cpu", "amp=off", "checkpoint=demo run"));
    assertEquals(1, c.epochs());
    assertEquals(5e-4, c.lr());
    assertEquals(DeviceChoice.CPU, c.device());
    assertFalse(c.amp());
    assertEquals("demo run", c.checkpoint());
    assertEquals("command line (-o epochs=1)", c.where("epochs"));
    assertEquals(plain.where("batch_size"), c.where("batch_size"), "keys not overridden keep their file:line");
    assertEquals(plain.values().keySet(), c.values().keySet(), "the key order stays the file's");
    assertEquals(List.of("lr=5e-4", "epochs=1", "checkpoint=demo run", "device=cpu", "amp=off"), ConfigLoader.overrides(c),
        "in the config's key order");
    assertEquals(List.of(), ConfigLoader.overrides(plain));
    assertEquals(2, ConfigLoader.load(DEMO, List.of("epochs=1", "epochs=2")).epochs(), "a later override of a key wins");
    assertEquals(plain.values(), ConfigLoader.load(DEMO, List.of()).values());
  }

  @Test
  void valuesAreYamlAsInTheFile() {
    RunConfig c = ConfigLoader.load(DEMO, List.of("lr=1e-3", "weight_decay=0", "batch_size=1_024", "parent_ctx_init='a photo of a'",
        "clip_arch={vision_layers: [1, 2, 1, 1], vision_width: 16, embed_dim: 64, context_length: 77, transformer_width: 64,"
            + " transformer_heads: 2, transformer_layers: 2}"));
    assertEquals(1e-3, c.lr());
    assertEquals(1024, c.batchSize());
    assertEquals("a photo of a", c.parentCtxInit());
    assertEquals(List.of(1, 2, 1, 1), c.clipArch().orElseThrow().visionLayers());
  }

  @Test
  void typeErrorsNameTheOverride() {
    assertEquals("-o epochs=abc: key 'epochs' must be an integer, got 'abc'", fails("epochs=abc"));
    assertTrue(fails("amp=maybe").startsWith("-o amp=maybe: key 'amp' must be "), fails("amp=maybe"));
    assertEquals("-o epochs=: key 'epochs' has no value (expected an integer)", fails("epochs="));
    assertTrue(fails("lr=[1, 2]").startsWith("-o lr=[1, 2]: key 'lr' must be "), fails("lr=[1, 2]"));
    assertTrue(fails("lr=[1, 2").startsWith("-o lr=[1, 2: malformed YAML value"), fails("lr=[1, 2"));
    assertTrue(fails("clip_arch={vision_layerz: [1, 1, 1, 1]}").contains("unknown key 'clip_arch.vision_layerz'"));
  }

  @Test
  void unknownKeysGetTheClosestKey() {
    assertEquals("-o epoch=3: unknown key 'epoch' (did you mean 'epochs'?)", fails("epoch=3"));
    assertEquals("-o zzzzzzzzzzzz=3: unknown key 'zzzzzzzzzzzz'", fails("zzzzzzzzzzzz=3"));
    assertTrue(fails("epochs").startsWith("-o epochs: an override is KEY=VALUE"), fails("epochs"));
    assertTrue(fails("=3").startsWith("-o =3: an override is KEY=VALUE"), fails("=3"));
  }

  @Test
  void rangeChecksCiteTheCommandLine() {
    assertEquals("command line (-o epochs=0): key 'epochs': must be at least 1, got 0", fails("epochs=0"));
    assertEquals("command line (-o thre=1.5): key 'thre': must lie in [0, 1], got 1.5", fails("thre=1.5"));
    assertTrue(fails("epochs=20").startsWith("command line (-o epochs=20): key 'epochs': 20 epochs cannot run inside a schedule"),
        fails("epochs=20"));
    assertTrue(fails("device=tpu").startsWith("command line (-o device=tpu): key 'device': must be one of"), fails("device=tpu"));
    assertNotNull(ConfigLoader.load(DEMO, List.of("epochs=20", "total_epochs=20")), "keys that must agree, overridden together");
  }

  @Test
  void theRoundsConfigYamlShowsAndListsTheOverrides() throws Exception {
    RunConfig c = ConfigLoader.load(DEMO, List.of("epochs=1", "lr=5e-4"));
    Path written = dir.resolve("config.yaml");
    ResolvedConfig.write(written, c);
    List<String> lines = Files.readAllLines(written);
    assertTrue(lines.contains("# command-line overrides: -o lr=5e-4 -o epochs=1"), String.join("\n", lines));
    assertTrue(lines.contains("epochs: 1") && lines.contains("lr: 5.0E-4"), String.join("\n", lines));
    RunConfig back = ConfigLoader.load(written);
    assertEquals(1, back.epochs(), "the written file reads back as the run's config");
    assertEquals(5e-4, back.lr());

    ResolvedConfig.write(written, ConfigLoader.load(DEMO));
    assertFalse(Files.readString(written).contains("overrides"), "no override line without overrides");
  }

  @Test
  void resumeComparesOverriddenValuesLikeFileValues() {
    String plain = ResumeState.settingsOf(ConfigLoader.load(DEMO));
    assertEquals(plain, ResumeState.settingsOf(ConfigLoader.load(DEMO, List.of("epochs=3", "workers=0"))),
        "keys that may change on resume may be overridden");
    String lr = ResumeState.settingsOf(ConfigLoader.load(DEMO, List.of("lr=5e-4")));
    assertNotEquals(plain, lr);
    assertTrue(lr.contains("lr: 5.0E-4"), lr);
  }
}
