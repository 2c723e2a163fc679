package hspnet.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;

import hspnet.config.Config;
import hspnet.data.Batch;
import hspnet.data.BatchLoader;
import hspnet.loss.Splc;
import hspnet.model.HspNet;

/**
 * HSPNet's training loop (SPEC §3), as the original's train(): epochs of {@link TrainingState#step}
 * (Adam over four parameter groups with a per-step OneCycle schedule of lr and beta1, SPLC, an EMA
 * of the whole state), after every epoch {@link TrainingState#validate} of the model and its EMA,
 * saving the best, then a resume state so that a killed run can continue from that epoch.
 */
public final class Trainer {
  /** What a finished training reports. */
  public record Result(double highestMap, int bestEpoch, List<double[]> epochMaps, double seconds) {}

  /** Called after every optimizer step (progress display, memory measurements in tests). */
  @FunctionalInterface
  public interface StepListener {
    void afterStep(int epoch, int stepInEpoch, long globalStep);
  }

  private final Config cfg;
  private final TrainLog log;
  private final Device device;
  private StepListener listener = (e, i, s) -> {};

  public Trainer(Config cfg, TrainLog log, Device device) {
    this.cfg = cfg;
    this.log = log;
    this.device = device;
  }

  public Trainer onStep(StepListener l) {
    this.listener = l;
    return this;
  }

  /** Trains from the start. */
  public Result train(HspNet model, HspNet emaModel, RunData data, Path roundDir) throws IOException {
    return train(model, emaModel, data, roundDir, null);
  }

  /**
   * Trains up to {@code cfg.epochs()} epochs: from the start when {@code resumeFrom} is null,
   * otherwise from the saved run's last completed epoch (see {@link ResumeState#read}).
   */
  public Result train(HspNet model, HspNet emaModel, RunData data, Path roundDir, ResumeState.Saved resumeFrom) throws IOException {
    long start = System.nanoTime();
    BatchLoader trainLoader = data.train();
    int stepsPerEpoch = trainLoader.batchesPerEpoch();
    TrainingState.Recipe recipe = recipe(data);
    String settings = ResumeState.settingsOf(cfg);
    Path resumeFile = roundDir.resolve(ResumeState.FILE);
    try (TrainingState state = new TrainingState(model, emaModel, recipe, device)) {
      ResumeState.Progress progress = ResumeState.Progress.start();
      if (resumeFrom != null) {
        progress = resumeFrom.restoreInto(state);
        if (progress.epochsDone() >= cfg.epochs())
          throw cfg.error("epochs", "is " + cfg.epochs() + " but " + roundDir + " has already trained "
              + progress.epochsDone() + " epoch(s); raise it (up to total_epochs " + cfg.totalEpochs() + ") to train further");
        if (progress.globalStep() != (long) progress.epochsDone() * stepsPerEpoch)
          throw new IllegalArgumentException(resumeFrom.file() + ": " + progress.globalStep() + " steps after " + progress.epochsDone()
              + " epochs, but an epoch of this data has " + stepsPerEpoch + " steps");
        log.info(String.format(Locale.ROOT, "Resuming %s after epoch %d (highest_mAP = %.2f, best_epoch=%d)",
            roundDir, progress.epochsDone() - 1, progress.highestMap(), progress.bestEpoch()));
      }
      log.info("EMA CO: " + recipe.emaDecay());
      state.setModesFor(progress.epochsDone(), cfg.bnEvalFirstEpoch());

      double highest = progress.highestMap();
      int bestEpoch = progress.bestEpoch();
      List<double[]> epochMaps = new ArrayList<>(progress.epochMaps());
      for (int epoch = progress.epochsDone(); epoch < cfg.epochs(); epoch++) {
        trainEpoch(state, trainLoader.epoch(epoch), epoch, stepsPerEpoch);

        log.info("Start validation...");
        BatchLoader.Epoch valBatches = data.val().iterator();
        TrainingState.Validation v;
        try {
          v = state.validate(valBatches);
        } finally {
          valBatches.close();
        }
        log.info(String.format(Locale.ROOT, "mAP score regular %.2f, mAP score EMA %.2f", v.mapRegular(), v.mapEma()));
        double current = Math.max(v.mapRegular(), v.mapEma());
        epochMaps.add(new double[] {v.mapRegular(), v.mapEma()});
        if (current > highest) {
          highest = current;
          bestEpoch = epoch;
          saveBest(roundDir, model, state.ema().module(), v.mapEma() >= v.mapRegular());
        }
        log.info(String.format(Locale.ROOT, "current_mAP = %.2f, highest_mAP = %.2f, best_epoch=%d\n", current, highest, bestEpoch));
        ResumeState.save(resumeFile, state,
            new ResumeState.Progress(epoch + 1, (long) (epoch + 1) * stepsPerEpoch, highest, bestEpoch, epochMaps), settings);
      }
      return new Result(highest, bestEpoch, epochMaps, (System.nanoTime() - start) / 1e9);
    }
  }

  private void trainEpoch(TrainingState state, BatchLoader.Epoch batches, int epoch, int stepsPerEpoch) {
    try {
      for (int i = 0; batches.hasNext(); i++) {
        long step = (long) epoch * stepsPerEpoch + i;
        try (PointerScope scope = new PointerScope(); Batch batch = batches.next()) {
          TrainingState.StepResult r = state.step(batch.images(), batch.targets(), epoch, step);
          if (i % cfg.logEvery() == 0) {
            // the original logs the lr its scheduler has just set for the NEXT step
            log.info(String.format(Locale.ROOT, "Epoch [%d/%d], Step [%03d/%03d], LR %.1e, Loss: %.1f",
                epoch, cfg.epochs(), i, stepsPerEpoch, state.optimizer().lr(0), r.loss().item_double()));
          }
        }
        listener.afterStep(epoch, i, step);
      }
    } finally {
      batches.close();
    }
  }

  /** The config's recipe: OneCycle over total_epochs, SPLC with the config's tau and change_epoch. */
  TrainingState.Recipe recipe(RunData data) {
    double decay = cfg.emaDecay().orElse(ModelEma.decayForStepsPerEpoch(emaStepsPerEpoch(data)));
    return new TrainingState.Recipe(ParamGroups.maxLr(cfg.lr(), cfg.gcnLr()),
        (long) data.train().batchesPerEpoch() * cfg.totalEpochs(), cfg.weightDecay(), decay,
        new Splc(cfg.tau(), cfg.changeEpoch(), 1.0, 2.0), cfg.amp(), TrainingState.Tuning.of(cfg));
  }

  private static void saveBest(Path dir, HspNet model, HspNet ema, boolean emaBetter) throws IOException {
    Checkpoints.save(dir.resolve("model-highest.ckpt"), emaBetter ? ema : model);
    Checkpoints.save(dir.resolve("model-highest-regular.ckpt"), model);
    Checkpoints.save(dir.resolve("model-highest-ema.ckpt"), ema);
  }

  /**
   * K of the EMA decay 0.82^(1/K): the original hard-codes the steps per epoch at batch 128 of its
   * datasets (COCO 641, NUS-WIDE 931, VOC 45, CUB 47, or 63 at batch 96); any other dataset uses
   * its own steps per epoch at the configured batch size.
   */
  int emaStepsPerEpoch(RunData data) {
    return switch (RunData.kind(cfg)) {
      case "coco" -> 641;
      case "nuswide" -> 931;
      case "voc" -> 45;
      case "cub" -> cfg.batchSize() == 96 ? 63 : 47;
      default -> data.train().batchesPerEpoch();
    };
  }
}
