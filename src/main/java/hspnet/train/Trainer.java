package hspnet.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import hspnet.config.RunConfig;
import hspnet.data.Batch;
import hspnet.data.BatchLoader;
import hspnet.dist.DistFault;
import hspnet.dist.DistGroup;
import hspnet.dist.StateSync;
import hspnet.eval.Metrics;
import hspnet.loss.Criterion;
import hspnet.model.Checkpoints;
import hspnet.model.Classifier;
import hspnet.nn.NumericalFault;
import hspnet.nn.Tensors;
import hspnet.report.EpochMetrics;
import hspnet.report.MetricsFile;
import hspnet.report.ProgressMeter;
import java.nio.file.Files;

/**
 * HSPNet's training loop (SPEC §3), as the original's train(): epochs of {@link TrainingState#step}
 * (Adam over four parameter groups with a per-step OneCycle schedule of lr and beta1, SPLC, an EMA
 * of the whole state), after every epoch {@link TrainingState#validate} of the model and its EMA,
 * saving the best, then a resume state so that a killed run can continue from that epoch.
 *
 * <p>Besides the original's log lines it shows a progress line on the console (through the log's
 * {@link hspnet.report.ProgressSink}) and records every epoch in {@code metrics.jsonl}.
 */
public final class Trainer {
  /** What a finished training reports. */
  public record Result(double highestMap, int bestEpoch, List<double[]> epochMaps, double seconds) {}

  /** Called after every optimizer step (progress display, memory measurements in tests). */
  @FunctionalInterface
  public interface StepListener {
    void afterStep(int epoch, int stepInEpoch, long globalStep);
  }

  private final RunConfig cfg;
  private final TrainLog log;
  private final Device device;
  private StepListener listener = (e, i, s) -> {};
  private DistGroup dist;   // null in a single process
  // HSPNET_DIST_CHECK_STEPS=1: compare the ranks' weights after every step, not only every epoch (a diagnostic)
  private boolean checkEveryStep;
  private final ProgressMeter meter;
  /** Measured durations of the last training phase and the last validation, for the run's ETA. */
  private double lastTrainSeconds = Double.NaN, lastValSeconds = Double.NaN;

  public Trainer(RunConfig cfg, TrainLog log, Device device) {
    this.cfg = cfg;
    this.log = log;
    this.device = device;
    this.meter = new ProgressMeter(log);
  }

  /**
   * Trains as one rank of a data-parallel training (the loaders are this rank's shards): see
   * {@link TrainingState#distribute}. Only rank 0 writes into the round folder, which is null on
   * the other ranks; after every epoch the ranks check that they hold the same model and EMA.
   */
  public Trainer distributed(DistGroup group) {
    this.dist = group;
    this.checkEveryStep = group != null && "1".equals(System.getenv("HSPNET_DIST_CHECK_STEPS"));
    return this;
  }

  private boolean writes() {
    return dist == null || dist.main();
  }

  public Trainer onStep(StepListener l) {
    this.listener = l;
    return this;
  }

  /** Trains from the start. */
  public Result train(Classifier model, Classifier emaModel, BatchLoader trainLoader, BatchLoader valLoader, Path roundDir) throws IOException {
    return train(model, emaModel, trainLoader, valLoader, roundDir, null);
  }

  /**
   * Trains up to {@code cfg.epochs()} epochs: from the start when {@code resumeFrom} is null,
   * otherwise from the saved run's last completed epoch (see {@link ResumeState#read}).
   */
  public Result train(Classifier model, Classifier emaModel, BatchLoader trainLoader, BatchLoader valLoader, Path roundDir,
      ResumeState.Saved resumeFrom) throws IOException {
    long start = System.nanoTime();
    int stepsPerEpoch = trainLoader.batchesPerEpoch();
    TrainingState.Recipe recipe;
    try (Tensor labels = trainLoader.labelMatrix()) {
      recipe = recipe(stepsPerEpoch, Criteria.of(cfg, labels));
    }
    String settings = ResumeState.settingsOf(cfg);
    Path resumeFile = roundDir == null ? null : roundDir.resolve(ResumeState.FILE);
    try (TrainingState state = new TrainingState(model, emaModel, recipe, device)) {
      ResumeState.Progress progress = ResumeState.Progress.start();
      if (resumeFrom != null) {
        resumeFrom.checkEpochsLeft(cfg, roundDir);
        progress = resumeFrom.restoreInto(state);
        if (progress.globalStep() != (long) progress.epochsDone() * stepsPerEpoch)
          throw new IllegalArgumentException(resumeFrom.file() + ": " + progress.globalStep() + " steps after " + progress.epochsDone()
              + " epochs, but an epoch of this data has " + stepsPerEpoch + " steps");
        log.info(String.format(Locale.ROOT, "Resuming %s after epoch %d (highest_mAP = %.2f, best_epoch=%d)",
            roundDir, progress.epochsDone() - 1, progress.highestMap(), progress.bestEpoch()));
      }
      log.info("EMA CO: " + recipe.emaDecay());
      if (dist != null) {
        state.distribute(dist, valLoader.size());
        log.info(String.format(Locale.ROOT, "Data-parallel training on %d ranks (Gloo): %d images per rank and step, %d per step in all;"
            + " %d steps per epoch", dist.worldSize(), trainLoader.batchSize(), trainLoader.batchSize() * dist.worldSize(), stepsPerEpoch));
      }
      state.setModesFor(progress.epochsDone(), cfg.bnEvalFirstEpoch());

      double highest = progress.highestMap();
      int bestEpoch = progress.bestEpoch();
      List<double[]> epochMaps = new ArrayList<>(progress.epochMaps());
      for (int epoch = progress.epochsDone(); epoch < cfg.epochs(); epoch++) {
        long epochStart = System.nanoTime();
        EpochLoss loss;
        try {
          loss = trainEpoch(state, trainLoader.epoch(epoch), epoch, stepsPerEpoch);
        } catch (NumericalFault e) {
          throw stopped(e.getMessage(), resumeFile, epoch);
        }
        lastTrainSeconds = loss.seconds();

        log.info("Start validation...");
        long valStart = System.nanoTime();
        BatchLoader.Epoch valBatches = valLoader.iterator();
        TrainingState.Validation v;
        int epochsAfter = cfg.epochs() - epoch - 1;
        meter.startPhase(String.format(Locale.ROOT, "validation after epoch %d/%d", epoch, cfg.epochs()),
            valLoader.batchesPerEpoch(), est -> epochsAfter * (trainSecondsEstimate() + est));
        try {
          v = state.validate(new CountedBatches(valBatches, meter));
        } catch (NumericalFault e) {
          throw stopped("validation after epoch " + epoch + ": " + e.getMessage(), resumeFile, epoch);
        } finally {
          valBatches.close();
          meter.endPhase();
        }
        lastValSeconds = (System.nanoTime() - valStart) / 1e9;
        log.info(String.format(Locale.ROOT, "mAP score regular %.2f, mAP score EMA %.2f", v.mapRegular(), v.mapEma()));
        double current = Math.max(v.mapRegular(), v.mapEma());
        epochMaps.add(new double[] {v.mapRegular(), v.mapEma()});
        if (current > highest) {
          highest = current;
          bestEpoch = epoch;
          if (writes()) saveBest(roundDir, model, state.ema().module(), v.mapEma() >= v.mapRegular());
        }
        log.info(String.format(Locale.ROOT, "current_mAP = %.2f, highest_mAP = %.2f, best_epoch=%d\n", current, highest, bestEpoch));
        if (dist != null) checkInSync(state, "epoch " + epoch);
        if (!writes()) continue;
        recordMetrics(roundDir, epoch, loss, state, v, (System.nanoTime() - epochStart) / 1e9);
        ResumeState.save(resumeFile, state,
            new ResumeState.Progress(epoch + 1, (long) (epoch + 1) * stepsPerEpoch, highest, bestEpoch, epochMaps), settings);
      }
      return new Result(highest, bestEpoch, epochMaps, (System.nanoTime() - start) / 1e9);
    }
  }

  /** What an epoch's steps add up to; the loss sum is read from the device once, at the end. */
  record EpochLoss(int steps, long images, double lossSum, double seconds) {
    double mean() { return steps == 0 ? Double.NaN : lossSum / steps; }
  }

  private EpochLoss trainEpoch(TrainingState state, BatchLoader.Epoch batches, int epoch, int stepsPerEpoch) {
    long start = System.nanoTime();
    int epochsAfter = cfg.epochs() - epoch - 1;
    meter.startPhase(String.format(Locale.ROOT, "epoch %d/%d", epoch, cfg.epochs()), stepsPerEpoch,
        est -> valSecondsEstimate() + epochsAfter * (est + valSecondsEstimate()));
    // Summed on the device: reading every step's loss would make the host wait for the GPU each step.
    Tensor lossSum;
    try (Tensor zero = Tensors.ofDoubles(new double[] {0})) {
      lossSum = zero.to(device, ScalarType.Double);
    }
    int steps = 0;
    long images = 0;
    try {
      for (int i = 0; batches.hasNext(); i++) {
        long step = (long) epoch * stepsPerEpoch + i;
        try (PointerScope scope = new PointerScope(); Batch batch = batches.next()) {
          TrainingState.StepResult r;
          try {
            r = state.step(batch.images(), batch.targets(), batch.indices(), epoch, step);
            if (i % cfg.logEvery() == 0 || !batches.hasNext()) state.checkSkippedSteps();
            if (checkEveryStep) checkInSync(state, String.format(Locale.ROOT, "epoch %d, step %d", epoch, i));
          } catch (NumericalFault e) {
            throw new NumericalFault(String.format(Locale.ROOT, "epoch %d, step %d/%d: %s", epoch, i, stepsPerEpoch, e.getMessage()));
          }
          lossSum.add_(r.loss().detach());
          steps++;
          images += batch.size();
          if (i % cfg.logEvery() == 0) {
            // the original logs the lr its scheduler has just set for the NEXT step
            log.info(String.format(Locale.ROOT, "Epoch [%d/%d], Step [%03d/%03d], LR %.1e, Loss: %.1f",
                epoch, cfg.epochs(), i, stepsPerEpoch, state.optimizer().lr(0), r.loss().item_double()));
          }
          meter.trainStep(batch.size(), () -> r.loss().item_double(), state.optimizer().lr(0));
        }
        listener.afterStep(epoch, i, step);
      }
      return new EpochLoss(steps, images, lossSum.item_double(), (System.nanoTime() - start) / 1e9);
    } finally {
      meter.endPhase();
      lossSum.close();
      batches.close();
    }
  }

  /**
   * The fault that stops the run, said once in the log file and returned for the main to print:
   * where it happened and what is left to continue from (the resume state of the last completed
   * epoch; the fault is caught before the optimizer step, so that state and every checkpoint are
   * from before it).
   */
  private NumericalFault stopped(String where, Path resumeFile, int epoch) {
    String message = where + "; training stopped. "
        + (epoch > 0 && resumeFile != null && Files.isRegularFile(resumeFile)
            ? resumeFile + " holds the state after epoch " + (epoch - 1) + " (--resume continues from it)"
            : "No epoch was completed: nothing to resume");
    log.error(message);
    return new NumericalFault(message);
  }

  /** Stops the run when the ranks' model or EMA differ (they must be bit-identical after every step). */
  private void checkInSync(TrainingState state, String when) {
    long[] models = StateSync.gatherFingerprints(dist, StateSync.fingerprint(state.model()));
    long[] emas = StateSync.gatherFingerprints(dist, StateSync.fingerprint(state.ema().module()));
    for (int r = 1; r < models.length; r++)
      if (models[r] != models[0] || emas[r] != emas[0])
        throw new DistFault(String.format(Locale.ROOT, "after %s the weights of rank %d differ from rank 0's"
            + " (fingerprints %08x/%08x, rank 0: %08x/%08x): the ranks diverged", when, r, models[r], emas[r], models[0], emas[0]));
    log.info(String.format(Locale.ROOT, "Ranks in sync after %s: fingerprint %08x (model), %08x (EMA) on all %d ranks",
        when, models[0], emas[0], models.length));
  }

  /** The last epoch's training time; 0 before the first one. */
  private double trainSecondsEstimate() {
    return Double.isNaN(lastTrainSeconds) ? 0 : lastTrainSeconds;
  }

  /** The last validation's duration; 0 before the first one (the first ETA leaves validation out). */
  private double valSecondsEstimate() {
    return Double.isNaN(lastValSeconds) ? 0 : lastValSeconds;
  }

  /** Appends the epoch to metrics.jsonl, with the per-class AP of the better of model and EMA. */
  private void recordMetrics(Path roundDir, int epoch, EpochLoss loss, TrainingState state, TrainingState.Validation v,
      double seconds) throws IOException {
    boolean emaBetter = v.mapEma() >= v.mapRegular();
    var better = emaBetter ? v.ema() : v.regular();
    double[] ap = Metrics.averagePrecisionPerClass(better.scores(), better.targets());
    for (int c = 0; c < ap.length; c++) ap[c] *= 100;
    double[] lrs = new double[ParamGroups.COUNT];
    for (int g = 0; g < lrs.length; g++) lrs[g] = state.optimizer().lr(g);
    MetricsFile.record(roundDir, new EpochMetrics(epoch, loss.steps(), loss.images(), loss.mean(), lrs, v.mapRegular(),
        v.mapEma(), seconds, loss.seconds(), loss.seconds() > 0 ? loss.images() / loss.seconds() : 0,
        emaBetter ? "ema" : "regular", ap));
  }

  /** The config's recipe: OneCycle over total_epochs, the config's loss. */
  TrainingState.Recipe recipe(int stepsPerEpoch, Criterion criterion) {
    double decay = cfg.emaDecay().orElse(ModelEma.decayForStepsPerEpoch(emaStepsPerEpoch(stepsPerEpoch)));
    return new TrainingState.Recipe(ParamGroups.maxLr(cfg.lr(), cfg.gcnLr()),
        (long) stepsPerEpoch * cfg.totalEpochs(), cfg.weightDecay(), decay,
        criterion, cfg.amp(), TrainingState.Tuning.of(cfg));
  }

  private static void saveBest(Path dir, Classifier model, Classifier ema, boolean emaBetter) throws IOException {
    Checkpoints.save(dir.resolve("model-highest.ckpt"), emaBetter ? ema : model);
    Checkpoints.save(dir.resolve("model-highest-regular.ckpt"), model);
    Checkpoints.save(dir.resolve("model-highest-ema.ckpt"), ema);
  }

  /**
   * K of the EMA decay 0.82^(1/K): the original hard-codes the steps per epoch at batch 128 of its
   * datasets (COCO 641, NUS-WIDE 931, VOC 45, CUB 47, or 63 at batch 96); any other dataset uses
   * its own steps per epoch at the configured batch size (in a data-parallel run: batch_size times the
   * world size, the global batch, and its steps per epoch, which are the global steps).
   */
  int emaStepsPerEpoch(int stepsPerEpoch) {
    return switch (cfg.datasetKind()) {
      case COCO -> 641;
      case NUSWIDE -> 931;
      case VOC -> 45;
      case CUB -> cfg.batchSize() * (dist == null ? 1 : dist.worldSize()) == 96 ? 63 : 47;   // the global batch
      default -> stepsPerEpoch;
    };
  }
}
