package hspnet.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import hspnet.io.AtomicFiles;

/**
 * The result of a comparison of methods on one dataset (hspnet-compare): one table, as Markdown
 * and as CSV (method, mAP, best epoch, seconds per epoch), and one chart of every method's
 * validation mAP per epoch (the better of model and EMA, as the training counts it).
 */
public final class ComparisonReport {
  static {
    // drawn off screen, as Charts does: a machine with DISPLAY set but unreachable would fail
    if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
  }

  /** One method's training: its best mAP and epoch, its mean seconds per epoch, its mAP per epoch. */
  public record Row(String method, String runFolder, double map, int bestEpoch, double secondsPerEpoch, double[] epochMaps) {}

  public static final String MARKDOWN = "comparison.md", CSV = "comparison.csv", CHART = "comparison.png";

  private ComparisonReport() {}

  /** Writes the three files into {@code dir} (created when missing); returns their paths. */
  public static List<Path> write(Path dir, String title, List<Row> rows) throws IOException {
    Files.createDirectories(dir);
    Path md = dir.resolve(MARKDOWN), csv = dir.resolve(CSV), png = dir.resolve(CHART);
    AtomicFiles.write(md, markdown(title, rows).getBytes(StandardCharsets.UTF_8));
    AtomicFiles.write(csv, csv(rows).getBytes(StandardCharsets.UTF_8));
    Charts.writePng(png, chart(title, rows), Charts.WIDTH, Charts.HEIGHT);
    return List.of(md, csv, png);
  }

  public static String markdown(String title, List<Row> rows) {
    StringBuilder sb = new StringBuilder("# " + title + "\n\n| method | mAP | best epoch | s / epoch | run folder |\n|---|---:|---:|---:|---|\n");
    for (Row r : rows)
      sb.append(String.format(Locale.ROOT, "| %s | %.2f | %d | %.1f | %s |%n", r.method(), r.map(), r.bestEpoch(), r.secondsPerEpoch(),
          r.runFolder()));
    return sb.toString();
  }

  public static String csv(List<Row> rows) {
    StringBuilder sb = new StringBuilder("method,map,best_epoch,seconds_per_epoch,run_folder\n");
    for (Row r : rows)
      sb.append(String.format(Locale.ROOT, "%s,%.4f,%d,%.2f,%s%n", r.method(), r.map(), r.bestEpoch(), r.secondsPerEpoch(),
          quoted(r.runFolder())));
    return sb.toString();
  }

  private static String quoted(String s) {
    return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  /** Validation mAP per epoch of every method, one line each. */
  public static JFreeChart chart(String title, List<Row> rows) {
    XYSeriesCollection data = new XYSeriesCollection();
    List<String> seen = new ArrayList<>();
    for (Row r : rows) {
      XYSeries s = new XYSeries(String.format(Locale.ROOT, "%s (%.1f)", r.method(), r.map()));
      for (int e = 0; e < r.epochMaps().length; e++) s.add(e, r.epochMaps()[e]);
      data.addSeries(s);
      seen.add(r.method());
    }
    JFreeChart chart = ChartFactory.createXYLineChart(title, "epoch", "validation mAP (%)", data, PlotOrientation.VERTICAL,
        true, false, false);
    chart.setBackgroundPaint(Color.WHITE);
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(0xdddddd));
    plot.setRangeGridlinePaint(new Color(0xdddddd));
    ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < seen.size(); i++) r.setSeriesStroke(i, new BasicStroke(2f));
    plot.setRenderer(r);
    return chart;
  }
}
