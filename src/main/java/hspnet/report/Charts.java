package hspnet.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import hspnet.io.AtomicFiles;

/**
 * The result charts (JFreeChart, drawn off screen): mAP of the model and its EMA per epoch, the
 * training loss per epoch, and the AP of every class sorted, with the label names.
 */
public final class Charts {
  static {
    // Drawing needs no display; without this a machine with DISPLAY set but unreachable fails.
    if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
  }

  public static final int WIDTH = 800, HEIGHT = 500;
  private static final Color REGULAR = new Color(0x1f77b4), EMA = new Color(0xff7f0e), LOSS = new Color(0x2ca02c);
  private static final Color GRID = new Color(0xdddddd);

  private Charts() {}

  /** mAP of the model and of its EMA per epoch; a line marks the best epoch. */
  public static JFreeChart mapPerEpoch(List<EpochMetrics> epochs, String title) {
    XYSeries regular = new XYSeries("model"), ema = new XYSeries("EMA");
    for (EpochMetrics e : epochs) {
      regular.add(e.epoch(), e.mapRegular());
      ema.add(e.epoch(), e.mapEma());
    }
    XYSeriesCollection data = new XYSeriesCollection();
    data.addSeries(regular);
    data.addSeries(ema);
    JFreeChart chart = ChartFactory.createXYLineChart(title, "epoch", "validation mAP (%)", data,
        PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = styled(chart, REGULAR, EMA);
    epochs.stream().max(Comparator.comparingDouble(EpochMetrics::map)).ifPresent(best -> {
      ValueMarker m = new ValueMarker(best.epoch(), Color.GRAY, new BasicStroke(1f, BasicStroke.CAP_BUTT,
          BasicStroke.JOIN_MITER, 1f, new float[] {4f, 4f}, 0f));
      m.setLabel(String.format(Locale.ROOT, "best: epoch %d, %.2f", best.epoch(), best.map()));
      m.setLabelAnchor(RectangleAnchor.BOTTOM_LEFT);
      m.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
      plot.addDomainMarker(m, Layer.BACKGROUND);
    });
    return chart;
  }

  /** The mean training loss of every epoch. */
  public static JFreeChart lossPerEpoch(List<EpochMetrics> epochs, String title) {
    XYSeries loss = new XYSeries("mean loss");
    for (EpochMetrics e : epochs) if (Double.isFinite(e.loss())) loss.add(e.epoch(), e.loss());
    JFreeChart chart = ChartFactory.createXYLineChart(title, "epoch", "mean training loss (SPLC)",
        new XYSeriesCollection(loss), PlotOrientation.VERTICAL, false, false, false);
    styled(chart, LOSS);
    return chart;
  }

  /** AP of every class, highest first, as horizontal bars named by {@code names}. */
  public static JFreeChart apPerClass(List<String> names, double[] ap, String title) {
    if (names.size() != ap.length)
      throw new IllegalArgumentException(ap.length + " APs for " + names.size() + " label names");
    Integer[] order = IntStream.range(0, ap.length).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble((Integer c) -> ap[c]).reversed());
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (int c : order) data.addValue(ap[c], "AP", names.get(c));
    JFreeChart chart = ChartFactory.createBarChart(title, null, "AP (%)", data, PlotOrientation.HORIZONTAL, false, false, false);
    CategoryPlot plot = chart.getCategoryPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(GRID);
    plot.getRangeAxis().setRange(0, 100);
    CategoryAxis labels = plot.getDomainAxis();
    labels.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    labels.setCategoryMargin(0.15);
    labels.setMaximumCategoryLabelWidthRatio(0.4f);
    BarRenderer bars = (BarRenderer) plot.getRenderer();
    bars.setBarPainter(new StandardBarPainter());
    bars.setShadowVisible(false);
    bars.setSeriesPaint(0, REGULAR);
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  /** Height of the per-class AP chart: room for every label's name. */
  public static int apChartHeight(int classes) {
    return Math.max(300, 120 + 16 * classes);
  }

  /** Writes the chart as a PNG of width × height pixels, atomically. */
  public static void writePng(Path file, JFreeChart chart, int width, int height) throws IOException {
    AtomicFiles.write(file, out -> ChartUtils.writeChartAsPNG(out, chart, width, height));
  }

  private static XYPlot styled(JFreeChart chart, Color... colors) {
    chart.setBackgroundPaint(Color.WHITE);
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(GRID);
    plot.setRangeGridlinePaint(GRID);
    ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < colors.length; i++) {
      r.setSeriesPaint(i, colors[i]);
      r.setSeriesStroke(i, new BasicStroke(2f));
    }
    plot.setRenderer(r);
    return plot;
  }
}
