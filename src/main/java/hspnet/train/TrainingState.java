package hspnet.train;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import hspnet.config.AmpDtype;
import hspnet.config.RunConfig;
import hspnet.data.Batch;
import hspnet.dist.DistGroup;
import hspnet.dist.GradientBuckets;
import hspnet.dist.ShardGather;
import hspnet.dist.StateSync;
import hspnet.nn.Autocast;
import hspnet.eval.Evaluator;
import hspnet.eval.Metrics;
import hspnet.eval.ScoreCollector;
import hspnet.loss.Criterion;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.TensorVector;
import hspnet.model.Classifier;
import hspnet.nn.Transfers;
import java.util.function.BooleanSupplier;

/**
 * Everything one training advances — the model, its EMA, Adam over the four parameter groups, the
 * OneCycle schedule, the loss (SPLC or a baseline, {@link Criterion}) and the loss scaler — and the
 * two units of the original's train(): {@link #step one optimisation step} and {@link #validate one validation}. The trainer's epoch
 * loop and the training parity test drive the same two methods, so the parity test checks the
 * code path a real run takes.
 *
 * <p>The optimizer holds, between steps, the lr and beta1 of the coming step, exactly as torch's
 * OneCycleLR leaves them after {@code scheduler.step()}: a step uses what it finds there, then
 * advances the schedule. A resumed run therefore continues from the optimizer's saved options.
 */
public final class TrainingState implements AutoCloseable {
  /**
   * The recipe's numbers (SPEC §3): per-group peak learning rates, steps of the OneCycle schedule,
   * L2 weight decay of the decay groups, EMA decay per step, the loss, and fp16 autocast with loss
   * scaling (honoured on CUDA only).
   */
  public record Recipe(double[] maxLr, long totalSteps, double weightDecay, double emaDecay, Criterion criterion, boolean amp,
      Tuning tuning) {
    /** The recipe with the default tuning (the original's numerics). */
    public Recipe(double[] maxLr, long totalSteps, double weightDecay, double emaDecay, Criterion criterion, boolean amp) {
      this(maxLr, totalSteps, weightDecay, emaDecay, criterion, amp, Tuning.DEFAULT);
    }
  }

  /**
   * How the recipe is computed, beyond what the original does. {@code ampDtype}: Half (the
   * original's fp16 with loss scaling) or BFloat16 (no loss scaling); {@code fusedOptimizer}:
   * {@link FusedAdam} (one kernel per group instead of several per tensor) with the loss scale
   * kept, checked and updated on the device, so that the step has no host synchronisation;
   * {@code channelsLast}: the image tower in NHWC on CUDA. Only the last is on by default: it
   * changes results by float rounding only, like any other choice of convolution kernel; bf16 and
   * the fused Adam change them slightly more (see docs/benchmarks.md).
   */
  public record Tuning(ScalarType ampDtype, boolean fusedOptimizer, boolean channelsLast) {
    public static final Tuning DEFAULT = new Tuning(ScalarType.Half, false, true);

    public Tuning {
      ampDtype = ampDtype.intern();
    }

    /** The config's amp_dtype and fused_optimizer, channels-last on (it applies on CUDA only). */
    public static Tuning of(RunConfig cfg) {
      return new Tuning(cfg.ampDtype() == AmpDtype.FLOAT16 ? ScalarType.Half : ScalarType.BFloat16, cfg.fusedOptimizer(), true);
    }
  }

  /**
   * What one step computed: the loss (before scaling), the logits of the train-mode forward, the
   * targets after SPLC's correction, and whether the optimizer stepped (a loss-scaled step with
   * inf/NaN gradients is skipped). With the fused optimizer the skip is decided on the device:
   * asking {@link #stepped()} then reads it (a host synchronisation), so ask only when logging.
   */
  public record StepResult(Tensor loss, Tensor logits, Tensor correctedTargets, BooleanSupplier steppedCheck) {
    public boolean stepped() { return steppedCheck.getAsBoolean(); }
  }

  /** Sigmoid scores and mAP of the model and of its EMA on the validation set. */
  public record Validation(ScoreCollector regular, ScoreCollector ema, double mapRegular, double mapEma) {}

  private final Classifier model;
  private final ModelEma<Classifier> ema;
  private final ParamGroups groups;
  private final AdamWithGroups optimizer;
  private final OneCycleSchedule schedule;
  private final Criterion criterion;
  /** Adam over the loss's own parameters (ROLE's label estimator) at their constant lr; null when it has none. */
  private final Adam criterionOptimizer;
  private final List<Tensor> criterionParameters;
  private final Autocast autocast;
  private final LossScaler scaler;
  private final FusedAdam fused;   // null unless the tuning asks for the fused optimizer
  private final NonFiniteGuard guard;
  private final List<Tensor> trainable = new ArrayList<>();
  private final Device device;
  private final boolean channelsLast;
  // data-parallel training: null in a single process (whose step is then exactly as before)
  private DistGroup dist;
  private GradientBuckets gradients;
  private List<Tensor> runningStats;
  private int valTotal;

  /**
   * Builds the state as the original's trainer does: both models on the device, the text encoder
   * frozen, the EMA a copy of the model, Adam over add_weight_decay()'s four groups, and the
   * optimizer holding the schedule's first lr and beta1.
   */
  public TrainingState(Classifier model, Classifier emaModel, Recipe recipe, Device device) {
    this.model = model;
    this.device = device;
    Tuning tuning = recipe.tuning();
    this.channelsLast = device.is_cuda() && tuning.channelsLast();
    model.moveTo(device);
    emaModel.moveTo(device);
    if (channelsLast) {
      model.useChannelsLast();
      emaModel.useChannelsLast();
    }
    model.freezeTextEncoder();
    this.ema = new ModelEma<>(model, emaModel, recipe.emaDecay());
    this.groups = ParamGroups.of(model);
    for (int g = 0; g < ParamGroups.COUNT; g++) trainable.addAll(groups.group(g).values());
    this.schedule = OneCycleSchedule.withDefaults(recipe.maxLr(), recipe.totalSteps());
    this.criterion = recipe.criterion();
    criterion.moveTo(device);
    this.criterionParameters = criterion.parameters();
    if (criterionParameters.isEmpty()) {
      criterionOptimizer = null;
    } else {
      // Cole et al. give the estimator a group of the classifier's Adam at a constant lr_mult × lr (torch
      // defaults: betas 0.9, 0.999, eps 1e-8, no decay); Adam's state is per parameter, so an Adam of its
      // own computes the same and keeps it out of the four groups' OneCycle schedule
      AdamOptions o = new AdamOptions(criterion.parameterLr());
      criterionOptimizer = new Adam(new TensorVector(criterionParameters.toArray(new Tensor[0])), o);
      trainable.addAll(criterionParameters);
    }
    boolean mixed = device.is_cuda() && recipe.amp();
    this.autocast = new Autocast(mixed, tuning.ampDtype());
    this.scaler = new LossScaler(autocast.needsLossScaling());
    this.optimizer = new AdamWithGroups(groups, recipe.weightDecay());
    optimizer.schedule(schedule, 0);
    this.fused = tuning.fusedOptimizer() ? new FusedAdam(groups, recipe.weightDecay()) : null;
    this.guard = new NonFiniteGuard(groups);
    if (fused != null) scaler.keepOnDevice(device);
  }

  /**
   * The module modes at the start of an epoch. In the original nothing calls model.train() before
   * the first epoch, so epoch 0 runs with the modes as built (BatchNorm on running statistics);
   * every validate() ends with model.train(), so later epochs run fully in train mode.
   */
  public void setModesFor(int epoch, boolean bnEvalFirstEpoch) {
    if (epoch == 0 && bnEvalFirstEpoch) model.modesAsBuilt();
    else model.train(true);
  }

  /**
   * One optimisation step of train.py, in its order: forward, the loss, zero_grad, backward, (loss
   * scaling), optimizer step, scheduler step, EMA update. A non-finite loss or gradient (without
   * loss scaling), or too many skipped steps in a row (with it), throws a
   * {@link hspnet.nn.NumericalFault} before the optimizer touches the weights. Call it inside a PointerScope: the
   * returned tensors belong to the caller's scope.
   *
   * @param images [B,3,S,S] float32, on any device
   * @param targets [B,C] single-positive targets
   * @param epoch 0-based epoch (SPLC corrects targets from its change_epoch on)
   * @param globalStep 0-based index of this step in the whole schedule
   */
  public StepResult step(Tensor images, Tensor targets, int epoch, long globalStep) {
    return step(images, targets, null, epoch, globalStep);
  }

  /**
   * As {@link #step(Tensor, Tensor, int, long)}, with the batch's indices in the training set
   * (required by losses that keep per-image state: ROLE, LL-Cp).
   */
  public StepResult step(Tensor images, Tensor targets, long[] sampleIndices, int epoch, long globalStep) {
    Tensor x = Transfers.imagesTo(images, device, channelsLast);
    Tensor y = Transfers.to(targets, device, ScalarType.Long);
    Tensor logits;
    try (Autocast.Scope a = autocast.enter()) {
      logits = model.forward(x);
    }
    Criterion.Result loss = criterion.forward(logits.to(ScalarType.Float), y, sampleIndices, epoch);
    optimizer.zeroGrad();
    if (criterionOptimizer != null) criterionOptimizer.zero_grad(true);
    scaler.scaleLoss(loss.loss()).backward();
    if (dist != null) synchronize();
    // without loss scaling nothing would skip a bad step: stop before it reaches the weights
    if (!scaler.enabled()) guard.checkUnscaled(loss.loss());
    BooleanSupplier stepped;
    if (fused == null) {
      boolean s = scaler.unscaleAndCheck(trainable);
      if (scaler.enabled()) guard.afterScaledStep(s, scaler.scale());
      if (s) {
        optimizer.step();
        if (criterionOptimizer != null) criterionOptimizer.step();
      }
      stepped = () -> s;
    } else {
      // no host synchronisation: the kernel skips on the device when the flag is set
      Tensor foundInf = scaler.unscaleOnDevice(trainable);
      guard.afterScaledStepOnDevice(foundInf);
      fused.step(optimizer, foundInf);
      // the loss's own Adam is not fused: it asks the flag (a synchronisation, ROLE only)
      if (criterionOptimizer != null && (foundInf == null || foundInf.item_float() == 0f)) criterionOptimizer.step();
      scaler.updateOnDevice(foundInf);
      stepped = () -> foundInf == null || foundInf.item_float() == 0f;
    }
    // scheduler.step() runs after every batch, a skipped optimizer step included
    optimizer.schedule(schedule, globalStep + 1);
    ema.update();
    return new StepResult(loss.loss(), logits, loss.targets(), stepped);
  }

  /**
   * Makes this state one rank of a data-parallel training: rank 0's model and EMA go to every
   * rank now; the gradients are summed (averaged for a mean loss) over the ranks, in buckets whose
   * all-reduces start during backward as their gradients arrive (before the loss scaler and the
   * optimizer see them) and rank 0's BatchNorm running statistics replace
   * the others' (before the EMA update, so that every rank's EMA stays the same); validation
   * gathers the ranks' scores of {@code valTotal} samples (the validation loader is sharded).
   */
  public void distribute(DistGroup group, int valTotal) {
    this.dist = group;
    this.valTotal = valTotal;
    StateSync.broadcastState(group, model, "the model");
    StateSync.broadcastState(group, ema.module(), "the EMA");
    this.gradients = new GradientBuckets(group, trainable, !criterion.sumsOverBatch());
    this.runningStats = StateSync.runningStatistics(model);
  }

  /** The process group when distributed, else null. */
  public DistGroup distGroup() { return dist; }

  private void synchronize() {
    gradients.allReduce();
    StateSync.broadcastFlat(dist, runningStats, "the broadcast of the BatchNorm running statistics");
  }

  /**
   * With the fused optimizer, stops the run when the loss scaler has skipped too many steps in a
   * row (counted on the device; this reads the count, a synchronisation: call it where the host
   * waits anyway). Otherwise every step checks itself and this does nothing.
   */
  public void checkSkippedSteps() {
    guard.checkDeviceSkips(scaler.enabled() ? scaler.scale() : 1.0);
  }

  /**
   * The original's validate(): model.eval(), sigmoid scores of the model and of its EMA over the
   * batches (without gradients), then model.train() — which from then on puts BatchNorm in batch
   * statistics mode. The batches are closed as they are consumed.
   */
  public Validation validate(Iterator<Batch> batches) {
    model.eval();
    List<ScoreCollector> scores = Evaluator.score(List.of(model, ema.module()), batches, device, autocast, channelsLast);
    model.train(true);
    ScoreCollector regular = scores.get(0), averaged = scores.get(1);
    if (dist != null) {
      regular = gathered(regular, "the validation scores of the model");
      averaged = gathered(averaged, "the validation scores of the EMA");
    }
    return new Validation(regular, averaged,
        Metrics.meanAveragePrecision(regular.scores(), regular.targets()),
        Metrics.meanAveragePrecision(averaged.scores(), averaged.targets()));
  }

  /** The whole validation set's scores and targets, in list order, from every rank's shard. */
  private ScoreCollector gathered(ScoreCollector local, String what) {
    float[][] s = local.scores();
    int[][] t = local.targets();
    int classes = s.length > 0 ? s[0].length : 0;
    float[][] tf = new float[t.length][];
    for (int i = 0; i < t.length; i++) {
      tf[i] = new float[t[i].length];
      for (int j = 0; j < t[i].length; j++) tf[i][j] = t[i][j];
    }
    float[][] scores = ShardGather.rows(dist, s, valTotal, classes, what);
    float[][] targetRows = ShardGather.rows(dist, tf, valTotal, classes, what + " (targets)");
    int[][] targets = new int[targetRows.length][];
    for (int i = 0; i < targetRows.length; i++) {
      targets[i] = new int[classes];
      for (int j = 0; j < classes; j++) targets[i][j] = (int) targetRows[i][j];
    }
    ScoreCollector all = new ScoreCollector();
    all.add(scores, targets);
    return all;
  }

  public Classifier model() { return model; }

  public ModelEma<Classifier> ema() { return ema; }

  public ParamGroups groups() { return groups; }

  public AdamWithGroups optimizer() { return optimizer; }

  /** The training loss (its state goes into the resume state). */
  public Criterion criterion() { return criterion; }

  /** Adam over the loss's own parameters, or null when it has none. */
  public Adam criterionOptimizer() { return criterionOptimizer; }

  /** The fused Adam when the tuning asks for it (its moments are then here, not in {@link #optimizer()}), else null. */
  public FusedAdam fusedOptimizer() { return fused; }

  public OneCycleSchedule schedule() { return schedule; }

  public LossScaler scaler() { return scaler; }

  public Device device() { return device; }

  public Autocast autocast() { return autocast; }

  /** Frees what the training state made (optimizer state, fused moments, device counters); the models are their owner's. */
  @Override
  public void close() {
    if (gradients != null) gradients.close();
    guard.close();
    scaler.close();
    if (fused != null) fused.close();
    optimizer.close();
    if (criterionOptimizer != null) criterionOptimizer.close();
  }
}
