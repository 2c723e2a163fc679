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

import hspnet.config.Config;
import hspnet.data.Batch;
import hspnet.data.BatchLoader;
import hspnet.eval.Autocast;
import hspnet.eval.Evaluator;
import hspnet.eval.Metrics;
import hspnet.eval.ScoreCollector;
import hspnet.loss.Splc;
import hspnet.model.HspNet;
import hspnet.nn.StateDicts;

/**
 * HSPNet's training recipe (SPEC §3), as the original's train(): Adam over four parameter groups
 * with a per-step OneCycle schedule (lr and beta1), SPLC, an EMA of the whole state, and after
 * every epoch a validation of the model and its EMA, saving the best.
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

  public Result train(HspNet model, HspNet emaModel, RunData data, Path roundDir) throws IOException {
    long start = System.nanoTime();
    model.moveTo(device);
    emaModel.moveTo(device);
    // The text encoder is frozen: CLIP's text tower only turns prompts into features.
    StateDicts.of(model).forEach((name, t) -> {
      if (name.contains("text_encoder") && t.requires_grad()) t.requires_grad_(false);
    });
    if (cfg.bnEvalFirstEpoch()) model.modesAsBuilt();
    else model.train(true);

    BatchLoader trainLoader = data.train();
    int stepsPerEpoch = trainLoader.batchesPerEpoch();
    double decay = cfg.emaDecay().orElse(ModelEma.decayForStepsPerEpoch(emaStepsPerEpoch(data)));
    log.info("EMA CO: " + decay);
    ModelEma<HspNet> ema = new ModelEma<>(model, emaModel, decay);
    ParamGroups groups = ParamGroups.of(model);
    OneCycleSchedule schedule = OneCycleSchedule.withDefaults(ParamGroups.maxLr(cfg.lr(), cfg.gcnLr()),
        (long) stepsPerEpoch * cfg.totalEpochs());
    Splc criterion = new Splc(cfg.tau(), cfg.changeEpoch(), 1.0, 2.0);
    boolean cuda = device.is_cuda();
    Autocast autocast = new Autocast(cuda && cfg.amp());
    LossScaler scaler = new LossScaler(cuda && cfg.amp());
    List<Tensor> trainable = new ArrayList<>();
    for (int g = 0; g < 4; g++) trainable.addAll(groups.group(g).values());

    double highest = 0;
    int bestEpoch = 0;
    List<double[]> epochMaps = new ArrayList<>();
    try (AdamWithGroups optimizer = new AdamWithGroups(groups, cfg.weightDecay())) {
      for (int epoch = 0; epoch < cfg.epochs(); epoch++) {
        BatchLoader.Epoch batches = trainLoader.iterator();
        try {
          for (int i = 0; batches.hasNext(); i++) {
            long step = (long) epoch * stepsPerEpoch + i;
            try (PointerScope scope = new PointerScope(); Batch batch = batches.next()) {
              optimizer.schedule(schedule, step);
              Tensor images = batch.images().to(device, ScalarType.Float);
              Tensor targets = batch.targets().to(device, ScalarType.Long);
              Tensor logits;
              try (Autocast.Scope a = autocast.enter()) {
                logits = model.forward(images);
              }
              Tensor loss = criterion.forward(logits.to(ScalarType.Float), targets, epoch).loss();
              optimizer.zeroGrad();
              scaler.scaleLoss(loss).backward();
              if (scaler.unscaleAndCheck(trainable)) optimizer.step();
              ema.update();
              if (i % cfg.logEvery() == 0) {
                // the original logs the lr the scheduler set for the NEXT step
                long next = Math.min(step + 1, schedule.totalSteps());
                log.info(String.format(Locale.ROOT, "Epoch [%d/%d], Step [%03d/%03d], LR %.1e, Loss: %.1f",
                    epoch, cfg.epochs(), i, stepsPerEpoch, schedule.lr(0, next), loss.item_double()));
              }
            }
            listener.afterStep(epoch, i, step);
          }
        } finally {
          batches.close();
        }

        // validate(): both models, then model.train() — from here on BatchNorm uses batch statistics
        model.eval();
        log.info("Start validation...");
        List<ScoreCollector> scores = Evaluator.score(List.of(model, ema.module()), data.val(), device, autocast);
        double regular = Metrics.meanAveragePrecision(scores.get(0).scores(), scores.get(0).targets());
        double emaMap = Metrics.meanAveragePrecision(scores.get(1).scores(), scores.get(1).targets());
        log.info(String.format(Locale.ROOT, "mAP score regular %.2f, mAP score EMA %.2f", regular, emaMap));
        model.train(true);
        double current = Math.max(regular, emaMap);
        boolean emaBetter = emaMap >= regular;
        epochMaps.add(new double[] {regular, emaMap});
        if (current > highest) {
          highest = current;
          bestEpoch = epoch;
          saveBest(roundDir, model, ema.module(), emaBetter);
        }
        log.info(String.format(Locale.ROOT, "current_mAP = %.2f, highest_mAP = %.2f, best_epoch=%d\n", current, highest, bestEpoch));
      }
    }
    return new Result(highest, bestEpoch, epochMaps, (System.nanoTime() - start) / 1e9);
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
