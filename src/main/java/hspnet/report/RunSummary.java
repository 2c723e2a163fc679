package hspnet.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import hspnet.io.AtomicFiles;

/**
 * {@code roundN/summary.txt}: a few {@code key: value} lines a person reads first (config,
 * versions, wall time, best epoch and mAP, test results). Training writes its entries, test mode
 * adds its own; an update keeps the other entries and their order.
 */
public final class RunSummary {
  public static final String FILE = "summary.txt";
  private static final int KEY_WIDTH = 16;

  private RunSummary() {}

  /** The entries of a round's summary, in file order; empty when there is none. */
  public static Map<String, String> read(Path roundDir) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(roundDir.resolve(FILE), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return out;
    }
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (colon > 0) out.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
    }
    return out;
  }

  /** Sets {@code entries} (replacing entries of the same key in place, appending new ones). */
  public static void update(Path roundDir, Map<String, String> entries) throws IOException {
    Map<String, String> all = read(roundDir);
    all.putAll(entries);
    StringBuilder text = new StringBuilder();
    for (Map.Entry<String, String> e : all.entrySet())
      text.append(String.format("%-" + KEY_WIDTH + "s%s\n", e.getKey() + ":", e.getValue()));
    AtomicFiles.write(roundDir.resolve(FILE), text.toString().getBytes(StandardCharsets.UTF_8));
  }
}
