package hspnet.report;

import java.awt.AWTError;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

import org.jfree.chart.JFreeChart;

import hspnet.data.LabelSet;
import hspnet.eval.Metrics;

/**
 * The result files of a round folder beyond the checkpoints: after training the charts drawn
 * from {@code metrics.jsonl} and {@code summary.txt}; after a test {@code test_metrics.json}, its
 * per-class chart and the test entries of the summary. A chart that cannot be drawn (no fonts on
 * a stripped-down machine) is a warning, never a failed run: the numbers are in the text files.
 */
public final class RoundReport {
  public static final String MAP_CHART = "map.png", LOSS_CHART = "loss.png", AP_CHART = "ap_per_class.png",
      TEST_AP_CHART = "test_ap_per_class.png";

  /** The facts of the run that summary.txt records besides the results. */
  public record RunInfo(Path configFile, String device) {}

  /** Files written, and what could not be (one line each). */
  public record Written(List<Path> files, List<String> warnings) {}

  private RoundReport() {}

  /**
   * After a training (or a resumed one) of {@code epochsConfigured} epochs: charts of every epoch
   * recorded in metrics.jsonl, the AP chart of the best epoch, and the summary.
   */
  public static Written afterTraining(Path round, LabelSet labels, RunInfo info, double wallSeconds, double loopSeconds,
      int epochsConfigured, int totalEpochs) throws IOException {
    List<EpochMetrics> epochs = MetricsFile.read(round);
    Written w = new Written(new ArrayList<>(), new ArrayList<>());
    String run = round.getParent().getFileName() + "/" + round.getFileName();
    if (!epochs.isEmpty()) {
      w.files().add(round.resolve(MetricsFile.FILE));
      chart(w, round.resolve(MAP_CHART), () -> Charts.mapPerEpoch(epochs, "Validation mAP, " + run), Charts.WIDTH, Charts.HEIGHT);
      chart(w, round.resolve(LOSS_CHART), () -> Charts.lossPerEpoch(epochs, "Training loss, " + run), Charts.WIDTH, Charts.HEIGHT);
      EpochMetrics best = best(epochs);
      chart(w, round.resolve(AP_CHART), () -> Charts.apPerClass(names(labels), best.apPerClass(),
          String.format(Locale.ROOT, "AP per class, epoch %d (%s), mAP %.2f, %s", best.epoch(),
              best.apOf().equals("ema") ? "EMA" : "model", best.map(), run)),
          Charts.WIDTH, Charts.apChartHeight(labels.numClasses()));
    }
    Map<String, String> s = common(round, info);
    s.put("epochs", String.format(Locale.ROOT, "%d trained of %d configured (schedule laid out for %d)",
        epochs.size(), epochsConfigured, totalEpochs));
    s.put("wall time", String.format(Locale.ROOT, "%.1f s (training loop %.1f s)", wallSeconds, loopSeconds));
    if (!epochs.isEmpty()) {
      EpochMetrics best = best(epochs);
      s.put("best epoch", Integer.toString(best.epoch()));
      s.put("best mAP", String.format(Locale.ROOT, "%.2f (model %.2f, EMA %.2f)", best.map(), best.mapRegular(), best.mapEma()));
      EpochMetrics last = epochs.get(epochs.size() - 1);
      s.put("last epoch", String.format(Locale.ROOT, "%d: mAP %.2f, mean loss %.4f, %.1f training images/s",
          last.epoch(), last.map(), last.loss(), last.imagesPerSecond()));
    }
    RunSummary.update(round, s);
    w.files().add(round.resolve(RunSummary.FILE));
    return w;
  }

  /** After test mode: test_metrics.json, the per-class AP chart of the test and the summary's test entries. */
  public static Written afterTest(Path round, LabelSet labels, RunInfo info, Path checkpoint, int images, double threshold,
      double map, Metrics.ThresholdMetrics m, double[] ap) throws IOException {
    Written w = new Written(new ArrayList<>(), new ArrayList<>());
    TestMetricsFile.write(round, checkpoint, images, threshold, map, m, ap, labels.labels());
    w.files().add(round.resolve(TestMetricsFile.FILE));
    double[] percent = IntStream.range(0, ap.length).mapToDouble(c -> 100 * ap[c]).toArray();
    chart(w, round.resolve(TEST_AP_CHART), () -> Charts.apPerClass(names(labels), percent,
        String.format(Locale.ROOT, "Test AP per class, %s, mAP %.2f", checkpoint.getFileName(), map)),
        Charts.WIDTH, Charts.apChartHeight(labels.numClasses()));
    Map<String, String> s = common(round, info);
    s.put("test mAP", String.format(Locale.ROOT, "%.2f on %d images (%s)", map, images, checkpoint.getFileName()));
    s.put("test @" + threshold, String.format(Locale.ROOT, "P_C %.2f R_C %.2f F_C %.2f P_O %.2f R_O %.2f F_O %.2f",
        m.pC(), m.rC(), m.fC(), m.pO(), m.rO(), m.fO()));
    RunSummary.update(round, s);
    w.files().add(round.resolve(RunSummary.FILE));
    return w;
  }

  /** The epoch with the highest mAP; the earliest of equals, as the trainer keeps the first best. */
  static EpochMetrics best(List<EpochMetrics> epochs) {
    EpochMetrics best = epochs.get(0);
    for (EpochMetrics e : epochs) if (e.map() > best.map()) best = e;
    return best;
  }

  private static Map<String, String> common(Path round, RunInfo info) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("round", round.toString());
    s.put("config", info.configFile().toString());
    s.put("java", Versions.java());
    s.put("libtorch", Versions.libTorch());
    s.put("cuda", Versions.cuda());
    s.put("device", info.device());
    return s;
  }

  private static List<String> names(LabelSet labels) {
    return IntStream.range(0, labels.numClasses()).mapToObj(labels::displayName).toList();
  }

  private interface ChartMaker {
    JFreeChart make();
  }

  private static void chart(Written w, Path file, ChartMaker maker, int width, int height) {
    try {
      Charts.writePng(file, maker.make(), width, height);
      w.files().add(file);
    } catch (IOException | RuntimeException | AWTError | LinkageError | InternalError e) {
      w.warnings().add("chart " + file + " not drawn: " + e);
    }
  }
}
