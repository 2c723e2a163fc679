package hspnet.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import hspnet.io.AtomicFiles;

/**
 * The benchmark history: one markdown table at the end of a file (docs/benchmarks.md), rows
 * appended in the order they were measured. The table must be the file's last block, so that
 * appending a row keeps it one table.
 */
public final class BenchTable {
  private BenchTable() {}

  /** The header, the rule and the rows, one per line. */
  public static String markdown(List<BenchRow> rows) {
    StringBuilder sb = new StringBuilder(BenchRow.HEADER).append('\n').append(BenchRow.RULE).append('\n');
    for (BenchRow r : rows) sb.append(r.markdown()).append('\n');
    return sb.toString();
  }

  /**
   * Appends the rows to the table that ends {@code file}, or starts the table (header and rule)
   * when the file does not end with one (a missing file is created). Written to a temporary file
   * then renamed.
   *
   * @throws IllegalArgumentException when the file's last table has other columns
   */
  public static void append(Path file, List<BenchRow> rows) throws IOException {
    String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    List<String> lines = new ArrayList<>(text.lines().toList());
    while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) lines.remove(lines.size() - 1);
    int first = lines.size();
    while (first > 0 && lines.get(first - 1).startsWith("|")) first--;
    boolean hasTable = first < lines.size();
    if (hasTable && !lines.get(first).strip().equals(BenchRow.HEADER))
      throw new IllegalArgumentException(file + ":" + (first + 1) + ": the last table's header is '" + lines.get(first).strip()
          + "', not the benchmark history's '" + BenchRow.HEADER + "'");
    StringBuilder out = new StringBuilder();
    for (String l : lines) out.append(l).append('\n');
    if (!hasTable) {
      if (!lines.isEmpty()) out.append('\n');
      out.append(BenchRow.HEADER).append('\n').append(BenchRow.RULE).append('\n');
    }
    for (BenchRow r : rows) out.append(r.markdown()).append('\n');
    AtomicFiles.write(file, out.toString().getBytes(StandardCharsets.UTF_8));
  }
}
