package hspnet.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import hspnet.config.Config;
import hspnet.config.ConfigException;
import hspnet.data.BatchLoader;
import hspnet.data.ClipTransform;
import hspnet.data.DemoDataset;
import hspnet.data.LabelList;
import hspnet.data.LabelList.Sample;
import hspnet.data.LabelSet;

/**
 * The data of a run: its label set, the single-positive training list and the fully labelled
 * validation list, served as batches. The dataset kind decides where images live (SPEC §5); the
 * demo kind generates its dataset on first use.
 */
public final class RunData implements AutoCloseable {
  private final LabelSet labels;
  private final List<Sample> trainSamples, valSamples;
  private final BatchLoader train, val;

  private RunData(LabelSet labels, List<Sample> trainSamples, List<Sample> valSamples, BatchLoader train, BatchLoader val) {
    this.labels = labels;
    this.trainSamples = trainSamples;
    this.valSamples = valSamples;
    this.train = train;
    this.val = val;
  }

  public LabelSet labels() { return labels; }

  public BatchLoader train() { return train; }

  public BatchLoader val() { return val; }

  public List<Sample> trainSamples() { return trainSamples; }

  public List<Sample> valSamples() { return valSamples; }

  /** Opens the data; the training loader only when {@code withTrain} (test mode needs none). */
  public static RunData open(Config cfg, boolean withTrain) throws IOException {
    String kind = kind(cfg);
    Path imageRoot;
    LabelSet labels;
    Path trainList, valList;
    if (kind.equals("demo")) {
      Path root = Path.of(cfg.data());
      DemoDataset.generate(root, cfg.seed(), cfg.demoTrainImages(), cfg.demoValImages(), cfg.imageSize());
      imageRoot = root;
      labels = LabelSet.load(root.resolve(DemoDataset.LABELS));
      trainList = root.resolve(DemoDataset.TRAIN_LIST);
      valList = root.resolve(DemoDataset.VAL_LIST);
    } else {
      if (kind.equals("coco"))
        throw cfg.error("dataset_kind", "COCO (annotation json) is not supported yet; convert it to list files and use dataset_kind: list");
      imageRoot = Path.of(cfg.data() + switch (kind) {
        case "voc" -> "VOC2012/JPEGImages";
        case "nuswide" -> "images";
        case "cub" -> "CUB_200_2011/images";
        default -> "";
      });
      labels = labelSet(cfg);
      trainList = listFile(cfg, "train_dataset", cfg.trainDataset());
      valList = listFile(cfg, "val_dataset", cfg.valDataset());
      if (!Files.isDirectory(imageRoot))
        throw cfg.error("data", "image folder '" + imageRoot + "' does not exist");
    }
    if (labels.numClasses() != cfg.numClasses())
      throw cfg.error("num_classes", "is " + cfg.numClasses() + " but the label set has " + labels.numClasses() + " labels");
    List<Sample> valSamples = LabelList.read(valList, cfg.numClasses());
    List<Sample> trainSamples = withTrain ? LabelList.read(trainList, cfg.numClasses()) : List.of();
    ClipTransform transform = new ClipTransform(cfg.imageSize());
    BatchLoader val = new BatchLoader(imageRoot, valSamples, cfg.numClasses(), transform, cfg.batchSize(), false, cfg.seed(), cfg.workers());
    BatchLoader train = withTrain
        ? new BatchLoader(imageRoot, trainSamples, cfg.numClasses(), transform, cfg.batchSize(), true, cfg.seed(), cfg.workers())
        : null;
    return new RunData(labels, trainSamples, valSamples, train, val);
  }

  /** The dataset kind; "auto" guesses it from 'data' as the original's build_dataset does. */
  static String kind(Config cfg) {
    String kind = cfg.datasetKind();
    if (!kind.equals("auto")) return kind;
    String data = cfg.data().toLowerCase(Locale.ROOT);
    for (String k : new String[] {"coco", "nuswide", "voc", "cub", "demo"}) if (data.contains(k)) return k;
    throw cfg.error("dataset_kind", "is auto but 'data' (" + cfg.data() + ") names no known dataset; set dataset_kind");
  }

  private static LabelSet labelSet(Config cfg) {
    if (cfg.labels().isEmpty())
      throw new ConfigException(cfg.file() + ": key 'labels' is required for this dataset: a label set YAML "
          + "(groups, then every label with its group)");
    Path file = Path.of(cfg.labels().get());
    if (!Files.isRegularFile(file)) throw cfg.error("labels", "file '" + file + "' does not exist");
    return LabelSet.load(file);
  }

  private static Path listFile(Config cfg, String key, Optional<String> value) {
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
