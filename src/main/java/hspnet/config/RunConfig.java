package hspnet.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import hspnet.data.ClipTransform;

/**
 * A merged, validated configuration ({@code base.yaml} overridden key by key by the chosen file),
 * typed: every value is read from the YAML tree once, here, into a field of its type; choices
 * are enums. Defaults live in {@code configs/base.yaml} only (the built-in copy lies under any
 * other base, so every key with a default is always present). Immutable; every value remembers
 * the file and line it came from so that later checks (a missing data file, a label count that
 * does not match) can point at the line to fix.
 */
public final class RunConfig {
  private final Map<String, Object> values;
  private final Map<String, String> origins;
  private final Path file;

  // the original's keys
  private final String checkpoint, logFile, data, parentCtxInit;
  private final Optional<String> cocoTrainList, trainDataset, valDataset, relationFile;
  private final int numClasses, batchSize, workers, epochs, totalEpochs, parentNCtx, childNCtx, changeEpoch, imageSize;
  private final double lr, gcnLr, weightDecay, thre, tau, reweightP;
  private final LossKind loss;
  private final ModelKind modelKind;
  private final boolean test, resume;
  // this project's keys
  private final long seed;
  private final DeviceChoice device;
  private final boolean amp, fusedOptimizer, bnEvalFirstEpoch, skipBadImages;
  private final AmpDtype ampDtype;
  private final String clipModel, tokenizer;
  private final Optional<Integer> clipVisionHeads, clipTextHeads;
  private final Optional<RandomClipArch> clipArch;
  private final DatasetKind datasetKind;
  private final Optional<String> labels, superLabels, superLabelsIndex;
  private final Optional<Double> emaDecay;
  private final int logEvery, cpuThreads, demoTrainImages, demoValImages;
  private final HgcnBackend hgcnBackend;
  private final DistBackend distBackend;
  private final int distTimeoutS;
  private final ClipTransform.Resize imageResize;
  private final ImageDecode imageDecode;
  private final AugmentationKeys augmentation;
  private final BaselineKeys baselines;

  /** Parameters of the single-positive baselines (docs/baselines.md), their authors' defaults in base.yaml. */
  public record BaselineKeys(double lsCoef, double expectedNumPos, double roleLrMult, double deltaRel) {}

  /** The {@code aug_*} keys: training augmentation, every option off in base.yaml. */
  public record AugmentationKeys(boolean hflip, boolean randomResizedCrop, double cropMinScale, double cutout,
      int randAugmentOps, int randAugmentMagnitude) {
    /** Whether any training augmentation is on. */
    public boolean any() {
      return hflip || randomResizedCrop || cutout > 0 || randAugmentOps > 0;
    }
  }

  RunConfig(Path file, Map<String, Object> values, Map<String, String> origins) {
    this.file = file;
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    this.origins = Collections.unmodifiableMap(new LinkedHashMap<>(origins));
    for (KeySpec s : ConfigKeys.TOP_LEVEL)
      if (s.required() && !values.containsKey(s.name()))
        throw new ConfigException(file + ": required key '" + s.name() + "' is missing (" + s.description() + ")");

    checkpoint = string("checkpoint");
    logFile = string("log_file");
    data = string("data");
    cocoTrainList = optString("dataset");
    trainDataset = optString("train_dataset");
    valDataset = optString("val_dataset");
    numClasses = integer("num_classes");
    lr = number("lr");
    gcnLr = number("gcn_lr");
    weightDecay = number("weight_decay");
    batchSize = integer("batch_size");
    workers = integer("workers");
    thre = number("thre");
    loss = Choice.parse(LossKind.class, string("loss"), this, "loss");
    modelKind = ModelKind.of(string("model_name"));
    if (modelKind == null)
      throw error("model_name", "must be clip_gcn or resnet50 (HSPNet) or clip_linear (the baseline); got '" + string("model_name") + "'");
    epochs = integer("epochs");
    totalEpochs = integer("total_epochs");
    test = bool("test");
    resume = bool("resume");
    parentNCtx = integer("parent_n_ctx");
    parentCtxInit = string("parent_ctx_init");
    childNCtx = integer("child_n_ctx");
    changeEpoch = integer("change_epoch");
    tau = number("tau");
    reweightP = number("reweight_p");
    relationFile = optString("relation_file");
    imageSize = integer("image_size");

    seed = integer("seed");
    device = Choice.parse(DeviceChoice.class, string("device"), this, "device");
    amp = bool("amp");
    ampDtype = Choice.parse(AmpDtype.class, string("amp_dtype"), this, "amp_dtype");
    fusedOptimizer = bool("fused_optimizer");
    clipModel = string("clip_model");
    clipVisionHeads = Optional.ofNullable((Integer) values.get("clip_vision_heads"));
    clipTextHeads = Optional.ofNullable((Integer) values.get("clip_text_heads"));
    for (String k : new String[] {"clip_vision_heads", "clip_text_heads"})
      if (randomClip() && values.containsKey(k))
        throw error(k, "sets the heads of loaded CLIP weights, but clip_model is 'random' (set heads in clip_arch instead)");
    clipArch = RandomClipArch.of(this, values.get("clip_arch"));
    tokenizer = string("tokenizer");
    DatasetKind kind = Choice.parse(DatasetKind.class, string("dataset_kind"), this, "dataset_kind");
    datasetKind = kind.resolve(data);
    if (datasetKind == null)
      throw error("dataset_kind", "is auto but 'data' (" + data + ") names no known dataset; set dataset_kind");
    labels = optString("labels");
    superLabels = optString("super_labels");
    superLabelsIndex = optString("super_labels_index");
    emaDecay = Optional.ofNullable((Double) values.get("ema_decay"));
    bnEvalFirstEpoch = bool("bn_eval_first_epoch");
    logEvery = integer("log_every");
    cpuThreads = integer("cpu_threads");
    hgcnBackend = Choice.parse(HgcnBackend.class, string("hgcn_backend"), this, "hgcn_backend");
    demoTrainImages = integer("demo_train_images");
    demoValImages = integer("demo_val_images");
    skipBadImages = bool("skip_bad_images");
    distBackend = Choice.parse(DistBackend.class, string("dist_backend"), this, "dist_backend");
    if (distBackend == DistBackend.NCCL && device == DeviceChoice.CPU)
      throw error("dist_backend", "nccl reduces CUDA tensors only and device is cpu; use gloo (or auto)");
    distTimeoutS = integer("dist_timeout_s");
    if (distTimeoutS <= 0) throw error("dist_timeout_s", "must be a positive number of seconds; got " + distTimeoutS);
    imageResize = switch (string("image_resize")) {
      case "pil" -> ClipTransform.Resize.PIL;
      case "opencv" -> ClipTransform.Resize.OPENCV;
      default -> throw error("image_resize", "must be one of pil, opencv; got '" + string("image_resize") + "'");
    };
    augmentation = new AugmentationKeys(bool("aug_hflip"), bool("aug_random_resized_crop"), number("aug_crop_min_scale"),
        number("aug_cutout"), integer("aug_randaugment_ops"), integer("aug_randaugment_magnitude"));
    baselines = new BaselineKeys(number("ls_coef"), number("expected_num_pos"), number("role_lr_mult"), number("delta_rel"));
    imageDecode = Choice.parse(ImageDecode.class, string("image_decode"), this, "image_decode");
    if (imageDecode == ImageDecode.GPU && device == DeviceChoice.CPU)
      throw error("image_decode", "gpu decodes on the CUDA device and device is cpu; use cpu");
    if (imageDecode == ImageDecode.GPU && augmentation.any())
      throw error("image_decode", "gpu does not apply the training augmentations (aug_*); turn them off or decode on the cpu");
  }

  /** The configuration file the user chose. */
  public Path file() { return file; }

  /** "file:line" where the key's value was written, for error messages. */
  public String where(String key) {
    return origins.getOrDefault(key, file + " (key '" + key + "' not set)");
  }

  /** A ConfigException that points at the key's line. */
  public ConfigException error(String key, String problem) {
    return new ConfigException(where(key) + ": key '" + key + "': " + problem);
  }

  public boolean has(String key) { return values.containsKey(key); }

  /** All values as read, in key order (for writing the resolved config next to a run). */
  public Map<String, Object> values() { return values; }

  /** A copy with one value replaced, parsed and checked again (command-line overrides, tests). */
  public RunConfig with(String key, Object value, String origin) {
    Map<String, Object> v = new LinkedHashMap<>(values);
    Map<String, String> o = new LinkedHashMap<>(origins);
    v.put(key, value);
    o.put(key, origin);
    RunConfig c = new RunConfig(file, v, o);
    ConfigLoader.validate(c);
    return c;
  }

  // the YAML tree's values have the key's type already (YamlValues checked it against ConfigKeys)
  private String string(String key) { return (String) values.get(key); }
  private int integer(String key) { return (Integer) values.get(key); }
  private double number(String key) { return (Double) values.get(key); }
  private boolean bool(String key) { return Boolean.TRUE.equals(values.get(key)); }
  private Optional<String> optString(String key) { return Optional.ofNullable((String) values.get(key)); }

  /** The value of an optional integer key such as {@code child_num}, for checks that compare keys. */
  Optional<Integer> optInteger(String key) { return Optional.ofNullable((Integer) values.get(key)); }

  // --- the original's keys -----------------------------------------------------------------
  public String checkpoint() { return checkpoint; }
  public String logFile() { return logFile; }
  public String data() { return data; }
  public Optional<String> cocoTrainList() { return cocoTrainList; }
  public Optional<String> trainDataset() { return trainDataset; }
  public Optional<String> valDataset() { return valDataset; }
  public int numClasses() { return numClasses; }
  public double lr() { return lr; }
  public double gcnLr() { return gcnLr; }
  public double weightDecay() { return weightDecay; }
  public int batchSize() { return batchSize; }
  public int workers() { return workers; }
  public double thre() { return thre; }
  public LossKind loss() { return loss; }
  /** HSPNet or the clip_linear baseline, from model_name. */
  public ModelKind modelKind() { return modelKind; }
  public int epochs() { return epochs; }
  public int totalEpochs() { return totalEpochs; }
  public boolean test() { return test; }
  public boolean resume() { return resume; }
  public int parentNCtx() { return parentNCtx; }
  public String parentCtxInit() { return parentCtxInit; }
  public int childNCtx() { return childNCtx; }
  public int changeEpoch() { return changeEpoch; }
  public double tau() { return tau; }
  public double reweightP() { return reweightP; }
  public Optional<String> relationFile() { return relationFile; }
  public int imageSize() { return imageSize; }

  // --- this project's keys -------------------------------------------------------------------
  public long seed() { return seed; }
  public DeviceChoice device() { return device; }
  public boolean amp() { return amp; }
  public AmpDtype ampDtype() { return ampDtype; }
  public boolean fusedOptimizer() { return fusedOptimizer; }
  public String clipModel() { return clipModel; }
  public boolean randomClip() { return "random".equals(clipModel); }
  public Optional<Integer> clipVisionHeads() { return clipVisionHeads; }
  public Optional<Integer> clipTextHeads() { return clipTextHeads; }
  /** The {@code clip_arch} mapping; present (and checked) when clip_model is 'random'. */
  public Optional<RandomClipArch> clipArch() { return clipArch; }
  public String tokenizer() { return tokenizer; }
  /** The dataset kind, AUTO already resolved from {@code data}. */
  public DatasetKind datasetKind() { return datasetKind; }
  public Optional<String> labels() { return labels; }
  public Optional<Double> emaDecay() { return emaDecay; }
  public boolean bnEvalFirstEpoch() { return bnEvalFirstEpoch; }
  public int logEvery() { return logEvery; }
  public int cpuThreads() { return cpuThreads; }
  public HgcnBackend hgcnBackend() { return hgcnBackend; }
  public int demoTrainImages() { return demoTrainImages; }
  public int demoValImages() { return demoValImages; }
  public Optional<String> superLabels() { return superLabels; }
  public Optional<String> superLabelsIndex() { return superLabelsIndex; }
  public boolean skipBadImages() { return skipBadImages; }
  /** The collectives of a data-parallel run (AUTO means Gloo; NCCL never gets here). */
  public DistBackend distBackend() { return distBackend; }
  public int distTimeoutS() { return distTimeoutS; }
  public ClipTransform.Resize imageResize() { return imageResize; }
  public ImageDecode imageDecode() { return imageDecode; }
  public AugmentationKeys augmentation() { return augmentation; }
  public BaselineKeys baselines() { return baselines; }

  /** For the checks of {@link RandomClipArch}: the raw mapping. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> mapping(Object value) {
    return value == null ? Map.of() : (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  static List<Integer> intList(Object value) {
    return (List<Integer>) value;
  }
}
