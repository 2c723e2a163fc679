package hspnet.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import hspnet.io.AtomicFiles;

/** Writes the merged configuration of a run next to its outputs, so a round records what it ran. */
public final class ResolvedConfig {
  private ResolvedConfig() {}

  public static void write(Path file, Config cfg) throws IOException {
    DumperOptions o = new DumperOptions();
    o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    Map<String, Object> values = new LinkedHashMap<>(cfg.values());
    String text = "# merged configuration of this run (" + cfg.file() + " over base.yaml)\n" + new Yaml(o).dump(values);
    AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
  }
}
