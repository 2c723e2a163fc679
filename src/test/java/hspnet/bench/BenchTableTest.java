package hspnet.bench;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchTableTest {
  @TempDir
  Path dir;

  private static BenchRow row(String name, double peak) {
    return new BenchRow("2026-01-02", "abc1234", "NVIDIA H100 80GB HBM3", name, 128, 51.25, 2497.6, peak);
  }

  @Test
  void rowsHaveTheHistorysEightColumns() {
    assertEquals("| 2026-01-02 | abc1234 | NVIDIA H100 80GB HBM3 | train-step | 128 | 51.3 | 2498 | 7.50 |", row("train-step", 7.5).markdown());
    assertEquals("| 2026-01-02 | abc1234 | NVIDIA H100 80GB HBM3 | eval-forward | 128 | 51.3 | 2498 | - |", row("eval-forward", BenchRow.NONE).markdown());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> row("training", 1));
    assertTrue(e.getMessage().contains("'training'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new BenchRow("2026-01-02", "a|b", "cpu", "train-step", 1, 1, 1, 1));
  }

  @Test
  void appendsToTheTableThatEndsTheFileAndStartsOneOtherwise() throws Exception {
    Path f = dir.resolve("benchmarks.md");
    Files.writeString(f, "# Benchmarks\n\nSome prose.\n");
    BenchTable.append(f, List.of(row("train-step", 7.5)));
    BenchTable.append(f, List.of(row("eval-forward", 2.0), row("end-to-end", 8.0)));
    List<String> lines = Files.readAllLines(f);
    assertEquals(List.of("# Benchmarks", "", "Some prose.", "", BenchRow.HEADER, BenchRow.RULE), lines.subList(0, 6));
    assertEquals(9, lines.size(), String.join("\n", lines));
    assertTrue(lines.get(8).contains("| end-to-end |"));

    Path other = dir.resolve("other.md");
    Files.writeString(other, "| a | b |\n|---|---|\n| 1 | 2 |\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BenchTable.append(other, List.of(row("train-step", 1))));
    assertTrue(e.getMessage().startsWith(other + ":1:"), e.getMessage());
    assertEquals("| a | b |\n|---|---|\n| 1 | 2 |\n", Files.readString(other), "nothing written on refusal");
  }
}
