package hspnet.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ArrayList;
import java.nio.charset.MalformedInputException;
import hspnet.io.Utf8;

/**
 * Loads a configuration the way the original does: {@code base.yaml} first, then the chosen file
 * overriding it key by key. The base is the {@code base.yaml} beside the chosen file when there is
 * one, itself laid over the copy of {@code configs/base.yaml} built into the jar. Loading reads files and
 * nothing else: an invalid configuration never creates anything on disk.
 */
public final class ConfigLoader {
  static final String BUNDLED_BASE = "/hspnet/config/base.yaml";

  private ConfigLoader() {}

  public static RunConfig load(Path file) {
    return load(file, List.of());
  }

  /**
   * As {@link #load(Path)}, then the command line's overrides over both, in order (a later one of
   * the same key wins): each {@code KEY=VALUE} sets a top-level key, its value read as YAML and
   * checked as the file's would be. An overridden value's origin, which messages about the key
   * cite, is {@code command line (-o KEY=VALUE)}.
   */
  public static RunConfig load(Path file, List<String> overrides) {
    if (!Files.isRegularFile(file))
      throw new ConfigException(file + ": config file does not exist");
    Map<String, Object> values = new LinkedHashMap<>();
    Map<String, String> origins = new LinkedHashMap<>();

    // The built-in base lies under everything: a base.yaml copied before a key was added still
    // gets that key's default, and no default needs to be written anywhere but base.yaml.
    mergeBundledBase(values, origins);
    Path sibling = file.toAbsolutePath().getParent().resolve("base.yaml");
    boolean isBase = file.getFileName().toString().equals("base.yaml");
    if (!isBase && Files.isRegularFile(sibling)) {
      Path shown = file.getParent() == null ? Path.of("base.yaml") : file.getParent().resolve("base.yaml");
      mergeFile(sibling, shown, values, origins);
    }
    mergeFile(file, file, values, origins);
    for (String o : overrides) merge(YamlValues.readOverride(o, ConfigKeys.TOP_LEVEL), values, origins);
    RunConfig cfg = new RunConfig(file, values, origins);
    validate(cfg);
    return cfg;
  }

  /** The command-line overrides that set a value of {@code cfg}, as {@code KEY=VALUE}, in key order. */
  public static List<String> overrides(RunConfig cfg) {
    List<String> out = new ArrayList<>();
    for (String k : cfg.values().keySet()) {
      String w = cfg.where(k);
      if (w.startsWith(YamlValues.OVERRIDE_ORIGIN) && w.endsWith(")"))
        out.add(w.substring(YamlValues.OVERRIDE_ORIGIN.length(), w.length() - 1));
    }
    return out;
  }

  private static void mergeFile(Path path, Path shownAs, Map<String, Object> values, Map<String, String> origins) {
    try {
      Utf8.Problem p = Utf8.firstProblem(Files.readAllBytes(path));
      if (p != null) throw new ConfigException(shownAs + ":" + p.line() + ": " + p.describe() + "; YAML files are read as UTF-8");
    } catch (IOException e) {
      // reported below, where the file is opened
    }
    try (Reader r = Files.newBufferedReader(path)) {
      merge(YamlValues.read(shownAs.toString(), r, ConfigKeys.TOP_LEVEL), values, origins);
    } catch (MalformedInputException e) {
      throw new ConfigException(shownAs + ": not a UTF-8 text file");
    } catch (IOException e) {
      throw new ConfigException(shownAs + ": cannot read: " + e.getMessage());
    }
  }

  private static void mergeBundledBase(Map<String, Object> values, Map<String, String> origins) {
    InputStream in = ConfigLoader.class.getResourceAsStream(BUNDLED_BASE);
    if (in == null) throw new IllegalStateException("the built-in base.yaml is missing from the jar");
    Reader r = YamlValues.utf8(in);
    try {
      merge(YamlValues.read("(built-in) configs/base.yaml", r, ConfigKeys.TOP_LEVEL), values, origins);
    } finally {
      YamlValues.closeQuietly(r);
    }
  }

  private static void merge(Map<String, YamlValues.Located> layer, Map<String, Object> values, Map<String, String> origins) {
    layer.forEach((k, v) -> {
      values.put(k, v.value());
      origins.put(k, v.origin());
    });
  }

  /** Checks that go beyond one value's type: ranges, and keys that must agree. */
  static void validate(RunConfig c) {
    positive(c, "num_classes", c.numClasses());
    positive(c, "batch_size", c.batchSize());
    positive(c, "epochs", c.epochs());
    positive(c, "total_epochs", c.totalEpochs());
    positive(c, "image_size", c.imageSize());
    positive(c, "parent_n_ctx", c.parentNCtx());
    positive(c, "child_n_ctx", c.childNCtx());
    positive(c, "log_every", c.logEvery());
    if (c.cpuThreads() < 0) throw c.error("cpu_threads", "must be 0 (automatic) or more, got " + c.cpuThreads());
    if (c.workers() < 0) throw c.error("workers", "must be 0 or more, got " + c.workers());
    if (c.changeEpoch() < 0) throw c.error("change_epoch", "must be 0 or more, got " + c.changeEpoch());
    if (c.epochs() > c.totalEpochs())
      throw c.error("epochs", c.epochs() + " epochs cannot run inside a schedule of total_epochs " + c.totalEpochs());
    c.optInteger("child_num").filter(n -> n != c.numClasses()).ifPresent(n -> {
      throw c.error("child_num", "must equal num_classes (" + c.numClasses() + "), got " + n);
    });
    if (!(c.lr() > 0)) throw c.error("lr", "must be positive, got " + c.lr());
    if (!(c.gcnLr() > 0)) throw c.error("gcn_lr", "must be positive, got " + c.gcnLr());
    if (c.weightDecay() < 0) throw c.error("weight_decay", "must be 0 or more, got " + c.weightDecay());
    probability(c, "thre", c.thre());
    probability(c, "tau", c.tau());
    probability(c, "reweight_p", c.reweightP());
    if (c.emaDecay().isPresent()) probability(c, "ema_decay", c.emaDecay().get());
    RunConfig.BaselineKeys b = c.baselines();
    probability(c, "ls_coef", b.lsCoef());
    if (!(b.expectedNumPos() > 0 && b.expectedNumPos() <= c.numClasses()))
      throw c.error("expected_num_pos", "must lie in (0, num_classes = " + c.numClasses() + "], got " + b.expectedNumPos());
    if (!(b.roleLrMult() > 0) || Double.isInfinite(b.roleLrMult())) throw c.error("role_lr_mult", "must be positive, got " + b.roleLrMult());
    if (!(b.deltaRel() > 0 && b.deltaRel() <= 1)) throw c.error("delta_rel", "must lie in (0, 1], got " + b.deltaRel());
    RunConfig.AugmentationKeys aug = c.augmentation();
    if (!(aug.cropMinScale() > 0 && aug.cropMinScale() <= 1))
      throw c.error("aug_crop_min_scale", "must lie in (0, 1], got " + aug.cropMinScale());
    if (!(aug.cutout() >= 0 && aug.cutout() <= 1)) throw c.error("aug_cutout", "must lie in [0, 1], got " + aug.cutout());
    if (aug.randAugmentOps() < 0) throw c.error("aug_randaugment_ops", "must be 0 or more, got " + aug.randAugmentOps());
    if (aug.randAugmentMagnitude() < 0 || aug.randAugmentMagnitude() > 30)
      throw c.error("aug_randaugment_magnitude", "must lie in 0..30, got " + aug.randAugmentMagnitude());
    positive(c, "demo_train_images", c.demoTrainImages());
    positive(c, "demo_val_images", c.demoValImages());
    if (c.superLabels().isPresent() != c.superLabelsIndex().isPresent())
      throw c.error(c.superLabels().isPresent() ? "super_labels" : "super_labels_index",
          "super_labels and super_labels_index go together: set both or neither");
    int words = c.parentCtxInit().trim().split("\\s+").length;
    if (words != c.parentNCtx())
      throw c.error("parent_n_ctx", "is " + c.parentNCtx() + " but parent_ctx_init '" + c.parentCtxInit() + "' has " + words + " words");
    for (String k : List.of("clip_vision_heads", "clip_text_heads")) {
      Optional<Integer> heads = c.optInteger(k);
      if (heads.isPresent()) positive(c, k, heads.get());
    }
    if (c.randomClip() && c.imageSize() % 32 != 0)
      throw c.error("image_size", "must be a multiple of 32 for a ResNet CLIP (the attention pool sees image_size/32 cells), got " + c.imageSize());
  }

  private static void positive(RunConfig c, String key, int v) {
    if (v < 1) throw c.error(key, "must be at least 1, got " + v);
  }

  private static void probability(RunConfig c, String key, double v) {
    if (!(v >= 0 && v <= 1)) throw c.error(key, "must lie in [0, 1], got " + v);
  }
}
