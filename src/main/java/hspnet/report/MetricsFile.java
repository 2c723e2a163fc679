package hspnet.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import hspnet.io.AtomicFiles;

/**
 * {@code roundN/metrics.jsonl}: one {@link EpochMetrics} object per line, one line per epoch, in
 * epoch order. The whole file is rewritten (atomically) after every epoch, and recording epoch e
 * drops any line of epoch e or later: a run killed after writing the metrics but before its
 * resume state repeats that epoch on {@code --resume}, and the file must keep one line for it.
 */
public final class MetricsFile {
  public static final String FILE = "metrics.jsonl";
  private static final ObjectMapper JSON = new ObjectMapper();

  private MetricsFile() {}

  /** The epochs recorded in a round folder; empty when it has no metrics file. */
  public static List<EpochMetrics> read(Path roundDir) throws IOException {
    Path file = roundDir.resolve(FILE);
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    }
    List<EpochMetrics> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) continue;
      try {
        out.add(EpochMetrics.fromJson(JSON.readTree(lines.get(i))));
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(file + ":" + (i + 1) + ": not a JSON object: " + e.getOriginalMessage());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ":" + (i + 1) + ": " + e.getMessage());
      }
    }
    return out;
  }

  /** Adds (or replaces) epoch {@code m.epoch()}, dropping the lines of later epochs. */
  public static List<EpochMetrics> record(Path roundDir, EpochMetrics m) throws IOException {
    List<EpochMetrics> all = new ArrayList<>();
    for (EpochMetrics e : read(roundDir)) if (e.epoch() < m.epoch()) all.add(e);
    all.add(m);
    StringBuilder text = new StringBuilder();
    for (EpochMetrics e : all) text.append(JSON.writeValueAsString(e.toJson())).append('\n');
    AtomicFiles.write(roundDir.resolve(FILE), text.toString().getBytes(StandardCharsets.UTF_8));
    return all;
  }
}
