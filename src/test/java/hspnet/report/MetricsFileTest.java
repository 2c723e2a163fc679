package hspnet.report;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.StandardOpenOption;

/** metrics.jsonl: one object per epoch, a repeated epoch replaces the later lines, bad lines are named. */
class MetricsFileTest {
  @TempDir Path dir;

  static EpochMetrics epoch(int e, double loss) {
    return new EpochMetrics(e, 19, 600, loss, new double[] {1e-3, 1e-3, 1e-4, 1e-4}, 40 + e, 41 + e, 12.5, 10.0, 60.0,
        "ema", new double[] {50, 60, 70});
  }

  @Test
  void everyLineIsOneJsonObjectAndARepeatedEpochDropsTheLaterOnes() throws Exception {
    for (int e = 0; e < 3; e++) MetricsFile.record(dir, epoch(e, 2.0 - e));
    // a run killed after writing epoch 2's metrics but before its resume state repeats epoch 1..2
    MetricsFile.record(dir, epoch(1, 5.0));
    List<String> lines = Files.readAllLines(dir.resolve(MetricsFile.FILE));
    assertEquals(2, lines.size(), lines.toString());
    ObjectMapper json = new ObjectMapper();
    JsonNode second = json.readTree(lines.get(1));
    assertEquals(1, second.get("epoch").intValue());
    assertEquals(5.0, second.get("loss").doubleValue());
    assertEquals(4, second.get("lrs").size());
    assertEquals(42.0, second.get("map_ema").doubleValue());
    List<EpochMetrics> back = MetricsFile.read(dir);
    assertEquals(List.of(0, 1), back.stream().map(EpochMetrics::epoch).toList());
    assertArrayEquals(new double[] {50, 60, 70}, back.get(0).apPerClass());
  }

  @Test
  void aDivergedLossSurvivesTheRoundTrip() throws Exception {
    MetricsFile.record(dir, epoch(0, Double.NaN));
    assertTrue(Double.isNaN(MetricsFile.read(dir).get(0).loss()));
  }

  @Test
  void aDamagedLineIsNamedWithItsNumberAndField() throws Exception {
    MetricsFile.record(dir, epoch(0, 1.0));
    Files.writeString(dir.resolve(MetricsFile.FILE), "{\"epoch\": 1}\n", StandardOpenOption.APPEND);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetricsFile.read(dir));
    assertTrue(e.getMessage().contains("metrics.jsonl:2: field 'steps' is missing"), e.getMessage());
    Files.writeString(dir.resolve(MetricsFile.FILE), "not json\n");
    e = assertThrows(IllegalArgumentException.class, () -> MetricsFile.read(dir));
    assertTrue(e.getMessage().contains("metrics.jsonl:1: not a JSON object"), e.getMessage());
  }

  @Test
  void aRoundWithoutMetricsHasNoEpochs() throws Exception {
    assertEquals(List.of(), MetricsFile.read(dir));
  }
}
