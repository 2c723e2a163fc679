package hspnet.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import hspnet.io.AtomicFiles;

/**
 * Writes the merged configuration of a run next to its outputs, so a round records what it ran;
 * the command-line overrides are in its values and listed in a comment line.
 */
public final class ResolvedConfig {
  private ResolvedConfig() {}

  public static void write(Path file, RunConfig cfg) throws IOException {
    DumperOptions o = new DumperOptions();
    o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    Map<String, Object> values = new LinkedHashMap<>(cfg.values());
    List<String> overrides = ConfigLoader.overrides(cfg);
    String text = "# merged configuration of this run (" + cfg.file() + " over base.yaml"
        + (overrides.isEmpty() ? "" : ", then the command line's overrides") + ")\n"
        + (overrides.isEmpty() ? "" : "# command-line overrides: -o " + String.join(" -o ", overrides).replace("\n", "\\n") + "\n")
        + new Yaml(o).dump(values);
    AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
  }
}
