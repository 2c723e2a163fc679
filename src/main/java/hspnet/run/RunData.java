package hspnet.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.bytedeco.pytorch.global.torch;

import hspnet.config.RunConfig;
import hspnet.config.ConfigException;
import hspnet.config.DatasetKind;
import hspnet.config.DeviceChoice;
import hspnet.data.Augmentation;
import hspnet.data.BadImages;
import hspnet.data.BatchLoader;
import hspnet.data.ClipTransform;
import hspnet.data.CocoAnnotations;
import hspnet.data.DemoDataset;
import hspnet.data.DeviceDecoding;
import hspnet.data.ImagePaths;
import hspnet.data.LabelList;
import hspnet.data.LabelList.Sample;
import hspnet.data.LabelSet;
import hspnet.data.ReleasedGroups;

/**
 * The data of a run: its label set, the single-positive training list and the fully labelled
 * validation list, served as batches. The dataset kind decides where images and labels live
 * (SPEC §5):
 * <ul>
 * <li>coco: training list from {@code dataset}, images in {data}/train2014; validation images and
 *     labels from {data}/annotations/instances_val2014.json, images in {data}/val2014;
 * <li>voc, nuswide, cub, list: {@code train_dataset} / {@code val_dataset} list files, images in
 *     {data}VOC2012/JPEGImages, {data}images, {data}CUB_200_2011/images or {data} itself
 *     (string concatenation, as the original builds them);
 * <li>demo: generated on first use.
 * </ul>
 * The label set is the {@code labels} file when set; otherwise the dataset's own (built in for
 * voc, nuswide and cub, COCO's from its json), with its groups replaced by the original's
 * {@code super_labels} + {@code super_labels_index} files when those are set.
 */
public final class RunData implements AutoCloseable {
  static final String COCO_VAL_JSON = "annotations/instances_val2014.json";

  private final LabelSet labels;
  private final List<Sample> trainSamples, valSamples;
  private final BatchLoader train, val;
  private final BadImages badImages;

  private RunData(LabelSet labels, List<Sample> trainSamples, List<Sample> valSamples, BatchLoader train, BatchLoader val,
      BadImages badImages) {
    this.labels = labels;
    this.trainSamples = trainSamples;
    this.valSamples = valSamples;
    this.train = train;
    this.val = val;
    this.badImages = badImages;
  }

  public LabelSet labels() { return labels; }

  public BatchLoader train() { return train; }

  public BatchLoader val() { return val; }

  public List<Sample> trainSamples() { return trainSamples; }

  public List<Sample> valSamples() { return valSamples; }

  /** Images skipped so far (always empty unless {@code skip_bad_images} is on). */
  public BadImages badImages() { return badImages; }

  /** Where one split's images live and which they are. */
  private record Split(Path imageRoot, List<Sample> samples) {}

  /** Opens the data; the training loader only when {@code withTrain} (test mode needs none). */
  public static RunData open(RunConfig cfg, boolean withTrain) throws IOException {
    return open(cfg, withTrain, 0, 1);
  }

  /**
   * As {@link #open(RunConfig, boolean)}, the loaders serving rank {@code rank}'s shard of
   * {@code worldSize} (both the training and the validation list; see BatchLoader.Batching).
   */
  public static RunData open(RunConfig cfg, boolean withTrain, int rank, int worldSize) throws IOException {
    return open(cfg, withTrain, rank, worldSize, null);
  }

  /**
   * As {@link #open(RunConfig, boolean, int, int)}, the images decoded on {@code onDevice}'s device
   * when it is not null ({@code image_decode: gpu}).
   */
  public static RunData open(RunConfig cfg, boolean withTrain, int rank, int worldSize, DeviceDecoding.Spec onDevice)
      throws IOException {
    DatasetKind kind = cfg.datasetKind();
    LabelSet labels;
    Split trainSplit = null, valSplit;
    switch (kind) {
      case DEMO -> {
        Path root = Path.of(cfg.data());
        DemoDataset.generate(root, cfg.seed(), cfg.demoTrainImages(), cfg.demoValImages(), cfg.imageSize());
        labels = LabelSet.load(root.resolve(DemoDataset.LABELS));
        valSplit = new Split(root, LabelList.read(root.resolve(DemoDataset.VAL_LIST), cfg.numClasses()));
        if (withTrain) trainSplit = new Split(root, LabelList.read(root.resolve(DemoDataset.TRAIN_LIST), cfg.numClasses()));
      }
      case COCO -> {
        Path root = Path.of(cfg.data());
        Path json = root.resolve(COCO_VAL_JSON);
        if (!Files.isRegularFile(json))
          throw cfg.error("data", "COCO needs " + json + " (the validation labels); not found");
        CocoAnnotations coco = CocoAnnotations.read(json);
        labels = labelSet(cfg, kind, coco.labels());
        checkClasses(cfg, labels);
        valSplit = new Split(imageFolder(cfg, root.resolve("val2014")), coco.images());
        if (withTrain)
          trainSplit = new Split(imageFolder(cfg, root.resolve("train2014")),
              LabelList.read(listFile(cfg, "dataset", cfg.cocoTrainList()), cfg.numClasses()));
      }
      default -> {
        Path root = imageFolder(cfg, Path.of(cfg.data() + switch (kind) {
          case VOC -> "VOC2012/JPEGImages";
          case NUSWIDE -> "images";
          case CUB -> "CUB_200_2011/images";
          default -> "";
        }));
        labels = labelSet(cfg, kind, LabelSet.BUILT_IN.contains(kind.word()) ? LabelSet.builtIn(kind.word()) : null);
        checkClasses(cfg, labels);
        Path trainList = withTrain ? listFile(cfg, "train_dataset", cfg.trainDataset()) : null;
        Path valList = listFile(cfg, "val_dataset", cfg.valDataset());
        valSplit = new Split(root, LabelList.read(valList, cfg.numClasses()));
        if (withTrain) trainSplit = new Split(root, LabelList.read(trainList, cfg.numClasses()));
      }
    }
    checkClasses(cfg, labels);

    BadImages bad = new BadImages();
    BadImages skip = cfg.skipBadImages() ? bad : null;
    valSplit = new Split(valSplit.imageRoot(), ImagePaths.existing(valSplit.imageRoot(), valSplit.samples(), skip));
    if (trainSplit != null)
      trainSplit = new Split(trainSplit.imageRoot(), ImagePaths.existing(trainSplit.imageRoot(), trainSplit.samples(), skip));

    ClipTransform transform = new ClipTransform(cfg.imageSize(), cfg.imageResize());
    boolean pin = pinMemory(cfg);
    BatchLoader val = new BatchLoader(valSplit.imageRoot(), valSplit.samples(), cfg.numClasses(), transform,
        new BatchLoader.Batching(cfg.batchSize(), false, cfg.seed(), cfg.workers(), rank, worldSize),
        decodedOn(new BatchLoader.Options(Augmentation.NONE, pin, skip, bad), onDevice));
    BatchLoader train = trainSplit == null ? null
        : new BatchLoader(trainSplit.imageRoot(), trainSplit.samples(), cfg.numClasses(), transform,
            new BatchLoader.Batching(cfg.batchSize(), true, cfg.seed(), cfg.workers(), rank, worldSize),
            decodedOn(new BatchLoader.Options(augmentation(cfg), pin, skip, bad), onDevice));
    return new RunData(labels, trainSplit == null ? List.of() : trainSplit.samples(), valSplit.samples(), train, val, bad);
  }

  /**
   * The run's label set without opening its image lists or generating data: what prediction
   * needs. The same set {@link #open} gives: the demo's labels.yaml (or the generator's set when
   * the data is not there), the {@code labels} file, the built-in sets, or COCO's json.
   */
  public static LabelSet labels(RunConfig cfg) {
    DatasetKind kind = cfg.datasetKind();
    LabelSet labels = switch (kind) {
      case DEMO -> {
        Path file = Path.of(cfg.data()).resolve(DemoDataset.LABELS);
        yield Files.isRegularFile(file) ? LabelSet.load(file) : DemoDataset.labelSet();
      }
      case COCO -> {
        if (cfg.labels().isPresent()) yield labelSet(cfg, kind, null);
        Path json = Path.of(cfg.data()).resolve(COCO_VAL_JSON);
        if (!Files.isRegularFile(json))
          throw cfg.error("data", "COCO's label names come from " + json + "; not found (or set 'labels' to a label set file)");
        yield labelSet(cfg, kind, CocoAnnotations.read(json).labels());
      }
      default -> labelSet(cfg, kind, LabelSet.BUILT_IN.contains(kind.word()) ? LabelSet.builtIn(kind.word()) : null);
    };
    checkClasses(cfg, labels);
    return labels;
  }

  private static BatchLoader.Options decodedOn(BatchLoader.Options options, DeviceDecoding.Spec onDevice) {
    return onDevice == null ? options : options.decodedOn(onDevice);
  }

  /** The training augmentation of the config (every option off by default). */
  static Augmentation augmentation(RunConfig cfg) {
    RunConfig.AugmentationKeys a = cfg.augmentation();
    return new Augmentation(a.hflip(), a.randomResizedCrop(), a.cropMinScale(), a.cutout(), a.randAugmentOps(), a.randAugmentMagnitude());
  }

  /** Batches go to pinned host memory when they will be copied to a GPU (never on CPU-only builds). */
  static boolean pinMemory(RunConfig cfg) {
    return cfg.device() != DeviceChoice.CPU && torch.cuda_is_available();
  }

  /**
   * The {@code labels} file when set; else {@code own} (the dataset's label set, null when it has
   * none) with the original's group files applied when they are set.
   */
  private static LabelSet labelSet(RunConfig cfg, DatasetKind kind, LabelSet own) {
    if (cfg.labels().isPresent()) {
      Path file = Path.of(cfg.labels().get());
      if (!Files.isRegularFile(file)) throw cfg.error("labels", "file '" + file + "' does not exist");
      return LabelSet.load(file);
    }
    if (own == null)
      throw new ConfigException(cfg.file() + ": key 'labels' is required for dataset_kind " + kind.word()
          + ": a label set YAML (groups, then every label with its group)");
    if (cfg.superLabels().isEmpty()) return own;
    Path names = Path.of(cfg.superLabels().get()), index = Path.of(cfg.superLabelsIndex().get());
    if (!Files.isRegularFile(names))
      throw cfg.error("super_labels", "file '" + names + "' does not exist (remove the key to use the dataset's own groups)");
    if (!Files.isRegularFile(index))
      throw cfg.error("super_labels_index", "file '" + index + "' does not exist (remove the key to use the dataset's own groups)");
    try {
      return ReleasedGroups.apply(own.labels(), names, index);
    } catch (IllegalArgumentException e) {
      throw cfg.error("super_labels", e.getMessage());
    }
  }

  private static void checkClasses(RunConfig cfg, LabelSet labels) {
    if (labels.numClasses() != cfg.numClasses())
      throw cfg.error("num_classes", "is " + cfg.numClasses() + " but the label set has " + labels.numClasses() + " labels");
  }

  private static Path imageFolder(RunConfig cfg, Path folder) {
    if (!Files.isDirectory(folder)) throw cfg.error("data", "image folder '" + folder + "' does not exist");
    return folder;
  }

  private static Path listFile(RunConfig cfg, String key, Optional<String> value) {
    if (value.isEmpty()) throw new ConfigException(cfg.file() + ": key '" + key + "' is required for this dataset");
    Path p = Path.of(value.get());
    if (!Files.isRegularFile(p)) throw cfg.error(key, "list file '" + p + "' does not exist");
    return p;
  }

  @Override
  public void close() {
    if (train != null) train.close();
    val.close();
  }
}
