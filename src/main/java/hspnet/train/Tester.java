package hspnet.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.bytedeco.pytorch.Device;

import hspnet.config.RunConfig;
import hspnet.data.BatchLoader;
import hspnet.eval.Evaluator;
import hspnet.eval.Metrics;
import hspnet.eval.ScoreCollector;
import hspnet.model.Checkpoints;
import hspnet.model.Classifier;
import hspnet.nn.Autocast;
import hspnet.report.ProgressMeter;

/**
 * Test mode ({@code -t -r N}), as the original's test(): load round N's model-highest.ckpt
 * strictly, score the validation set, report P_C, R_C, F_C, P_O, R_O, F_O at the config's
 * threshold and the mAP.
 */
public final class Tester {
  /** The figures test mode reports, and the number of images scored. */
  public record Result(double map, Metrics.ThresholdMetrics threshold, double[] apPerClass, int images) {}

  private Tester() {}

  public static Result test(RunConfig cfg, Classifier model, BatchLoader val, Path checkpoint, Device device, TrainLog log) throws IOException {
    Checkpoints.load(checkpoint, model);
    model.moveTo(device);
    model.eval();
    log.info("Start test...");
    ProgressMeter meter = new ProgressMeter(log);
    meter.startPhase("test", val.batchesPerEpoch(), null);
    BatchLoader.Epoch batches = val.iterator();
    ScoreCollector scores;
    try {
      scores = Evaluator.score(List.of(model), new CountedBatches(batches, meter), device,
          new Autocast(device.is_cuda() && cfg.amp())).get(0);
    } finally {
      batches.close();
      meter.endPhase();
    }
    Metrics.ThresholdMetrics m = Metrics.atThreshold(scores.scores(), scores.targets(), cfg.thre());
    double map = Metrics.meanAveragePrecision(scores.scores(), scores.targets());
    log.info("--------------------------------------------------------------------");
    log.info(String.format(Locale.ROOT, " * P_C %.2f R_C %.2f F_C %.2f P_O %.2f R_O %.2f F_O %.2f",
        m.pC(), m.rC(), m.fC(), m.pO(), m.rO(), m.fO()));
    log.info("mAP score: " + map);
    return new Result(map, m, Metrics.averagePrecisionPerClass(scores.scores(), scores.targets()), scores.size());
  }
}
