package hspnet.bench;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import hspnet.cli.UsageException;
import hspnet.testutil.SyntheticHspNet;

/**
 * The CI smoke run of the benchmark: the three benchmarks on the CPU at toy sizes, appended to a
 * temporary copy of docs/benchmarks.md (never the real one) in the history's exact format.
 */
class BenchMainSmokeTest {
  @TempDir
  Path dir;

  private static final Pattern ROW = Pattern.compile(
      "\\| \\d{4}-\\d{2}-\\d{2} \\| [^|\\s]+ \\| cpu \\| (train-step|eval-forward|end-to-end) \\| 2 \\| \\d+\\.\\d \\| \\d+ \\| - \\|");

  @Test
  void runsOnTheCpuAndAppendsRowsInTheHistorysFormat() throws Exception {
    Path docs = dir.resolve("benchmarks.md");
    Files.copy(Path.of("docs/benchmarks.md"), docs);
    long before = Files.readAllLines(docs).size();
    Path rowsOut = dir.resolve("rows.md");
    BenchArgs args = BenchArgs.parse(new String[] {"--device", "cpu", "--batch", "2", "--image-size", "32", "--warmup", "0",
        "--steps", "1", "--e2e-images", "4", "--e2e-files", "2", "--e2e-warmup", "1", "--photo-size", "64x48", "--workers", "1",
        "--threads", "1", "--commit", "test", "--append", docs.toString(), "--rows-out", rowsOut.toString()}, false);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    List<BenchRow> rows = BenchMain.run(args, new PrintStream(buf, true, StandardCharsets.UTF_8));
    String printed = buf.toString(StandardCharsets.UTF_8);
    System.out.print(printed);

    assertEquals(List.of("eval-forward", "train-step", "end-to-end"), rows.stream().map(BenchRow::benchmark).toList());
    for (BenchRow r : rows) assertTrue(r.msPerStep() > 0 && r.imagesPerSecond() > 0, r.markdown());
    List<String> lines = Files.readAllLines(docs);
    assertEquals(before + 3, lines.size(), "three rows appended");
    int header = lines.lastIndexOf(BenchRow.HEADER);
    assertTrue(header >= 0, "the history's header is in the file");
    for (String l : lines.subList(header + 2, lines.size())) assertTrue(l.startsWith("| "), "one table to the end: " + l);
    for (String l : lines.subList(lines.size() - 3, lines.size())) assertTrue(ROW.matcher(l).matches(), "row format: " + l);
    assertEquals(lines.subList(lines.size() - 3, lines.size()), Files.readAllLines(rowsOut), "--rows-out holds the same rows");
    assertTrue(printed.contains(BenchRow.HEADER), "the table is printed");
  }

  @Test
  void refusesCudaWithoutCudaAndUnknownOptions() {
    UsageException e = assertThrows(UsageException.class, () -> BenchArgs.parse(new String[] {"--device", "cuda"}, false));
    assertTrue(e.getMessage().contains("no CUDA device"), e.getMessage());
    e = assertThrows(UsageException.class, () -> BenchArgs.parse(new String[] {"--bach", "2"}, false));
    assertTrue(e.getMessage().startsWith("unknown option '--bach' (did you mean --batch?)"), e.getMessage());
    BenchArgs gpu = BenchArgs.parse(new String[] {}, true);
    assertEquals(List.of(128, 224, 30, 10), List.of(gpu.batch(), gpu.imageSize(), gpu.steps(), gpu.warmup()), "the issue's protocol on CUDA");
    assertEquals(SyntheticHspNet.Size.RN50, gpu.size());
  }
}
