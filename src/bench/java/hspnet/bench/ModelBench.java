package hspnet.bench;

import static org.bytedeco.pytorch.global.torch.randint;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.bytedeco.pytorch.global.torch.zeros;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;

import hspnet.nn.Autocast;
import hspnet.eval.Evaluator;
import hspnet.loss.Splc;
import hspnet.model.HspNet;
import hspnet.nn.Tensors;
import hspnet.nn.Transfers;
import hspnet.testutil.SyntheticHspNet;
import hspnet.train.ModelEma;
import hspnet.train.ParamGroups;
import hspnet.train.TrainingState;
import org.bytedeco.pytorch.ScalarTypeOptional;

/**
 * The model-only benchmarks of the protocol: images already on the device (random
 * tensors, CLIP-normalised scale), (a) one training step of the trainer — forward under autocast,
 * SPLC, backward with loss scaling, Adam over the four groups, OneCycle, EMA update — and (b) one
 * evaluation batch — image tower, cosine logits against label features computed once per
 * evaluation, sigmoid.
 */
public final class ModelBench {
  private final BenchArgs args;
  private final Device device;
  private final StepTimer timer;

  public ModelBench(BenchArgs args, Device device, StepTimer timer) {
    this.args = args;
    this.device = device;
    this.timer = timer;
  }

  /**
   * The recipe of COCO's config (lr 1e-4, gcn_lr 5e-4, wd 1e-4, OneCycle over 80 epochs of 641
   * steps, EMA over 641 steps), with the bench's numerics; the timed steps are the schedule's first.
   */
  public TrainingState.Recipe recipe() {
    return new TrainingState.Recipe(ParamGroups.maxLr(1e-4, 5e-4), 641L * 80, 1e-4, ModelEma.decayForStepsPerEpoch(641),
        Splc.defaults(), args.amp(), tuning());
  }

  public TrainingState.Tuning tuning() {
    return new TrainingState.Tuning(Autocast.dtypeNamed(args.ampDtype()), args.fused(), args.channelsLast());
  }

  /** Random images of the batch shape on the device, channels-last when the image tower is. */
  public Tensor images() {
    return Tensors.kept(() -> {
      Tensor x = randn(args.batch(), 3, args.imageSize(), args.imageSize());
      return Transfers.imagesTo(x, device, channelsLast());
    });
  }

  /** One random positive per image, as single-positive training data has. */
  public Tensor targets() {
    int c = SyntheticHspNet.numLabels();
    return Tensors.kept(() -> {
      TensorOptions int64 = new TensorOptions().dtype(new ScalarTypeOptional(ScalarType.Long));
      Tensor pos = randint(c, new long[] {args.batch(), 1}, int64);
      Tensor y = zeros(new long[] {args.batch(), c}, int64);
      y.scatter_(1, pos, new Scalar(1L));
      return Transfers.to(y, device, ScalarType.Long);
    });
  }

  public boolean channelsLast() {
    return device.is_cuda() && args.channelsLast();
  }

  /** (a): timed steps of {@code state}; returns the timing and leaves the last loss in {@code lastLoss}. */
  public StepTimer.Timing trainStep(TrainingState state, Tensor images, Tensor targets, float[] lastLoss) {
    state.setModesFor(1, true);                 // steady state: BatchNorm on batch statistics, SPLC correcting
    return timer.time(i -> {
      TrainingState.StepResult r = state.step(images, targets, 1, i);
      if (lastLoss != null && i == args.warmup() + args.steps() - 1) lastLoss[0] = r.loss().item_float();
    }, args.warmup(), args.steps());
  }

  /** (b): timed evaluation batches of {@code model} (moved to the device and put in eval mode here). */
  public StepTimer.Timing evalForward(HspNet model, Tensor images) {
    Autocast autocast = new Autocast(device.is_cuda() && args.amp(), Autocast.dtypeNamed(args.ampDtype()));
    model.eval();
    Tensor labelFeatures;
    try (NoGradGuard g = new NoGradGuard(); Autocast.Scope a = autocast.enter()) {
      labelFeatures = Tensors.kept(model::labelFeatures);
    }
    return timer.time(i -> {
      try (NoGradGuard g = new NoGradGuard()) {
        Evaluator.scores(model, images, labelFeatures, autocast);
      }
    }, args.warmup(), args.steps());
  }

  /** The model on the bench's device with the bench's layout and caching. */
  public HspNet onDevice(HspNet model) {
    model.moveTo(device);
    if (channelsLast()) model.useChannelsLast();
    model.cacheParentFeatures(args.cacheParent());
    return model;
  }
}
