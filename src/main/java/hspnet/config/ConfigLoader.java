package hspnet.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads a configuration the way the original does: {@code base.yaml} first, then the chosen file
 * overriding it key by key. The base is the {@code base.yaml} beside the chosen file when there is
 * one, otherwise the copy of {@code configs/base.yaml} built into the jar. Loading reads files and
 * nothing else: an invalid configuration never creates anything on disk.
 */
public final class ConfigLoader {
  static final String BUNDLED_BASE = "/hspnet/config/base.yaml";
  private static final Set<String> DEVICES = Set.of("auto", "cpu", "cuda");
  private static final Set<String> HGCN_BACKENDS = Set.of("auto", "libtorch", "fused");
  private static final Set<String> KINDS = Set.of("auto", "coco", "voc", "nuswide", "cub", "list", "demo");

  private ConfigLoader() {}

  public static Config load(Path file) {
    return load(file, List.of());
  }

  /**
   * As {@link #load(Path)}, then the command line's overrides over both, in order (a later one of
   * the same key wins): each {@code KEY=VALUE} sets a top-level key, its value read as YAML and
   * checked as the file's would be. An overridden value's origin, which messages about the key
   * cite, is {@code command line (-o KEY=VALUE)}.
   */
  public static Config load(Path file, List<String> overrides) {
    if (!Files.isRegularFile(file))
      throw new ConfigException(file + ": config file does not exist");
    Map<String, Object> values = new LinkedHashMap<>();
    Map<String, String> origins = new LinkedHashMap<>();

    Path sibling = file.toAbsolutePath().getParent().resolve("base.yaml");
    boolean isBase = file.getFileName().toString().equals("base.yaml");
    if (!isBase) {
      Path shown = file.getParent() == null ? Path.of("base.yaml") : file.getParent().resolve("base.yaml");
      if (Files.isRegularFile(sibling)) mergeFile(sibling, shown, values, origins);
      else mergeBundledBase(values, origins);
    }
    mergeFile(file, file, values, origins);
    for (String o : overrides) merge(YamlValues.readOverride(o, ConfigKeys.TOP_LEVEL), values, origins);
    Config cfg = new Config(file, values, origins);
    validate(cfg);
    return cfg;
  }

  /** The command-line overrides that set a value of {@code cfg}, as {@code KEY=VALUE}, in key order. */
  public static List<String> overrides(Config cfg) {
    List<String> out = new java.util.ArrayList<>();
    for (String k : cfg.values().keySet()) {
      String w = cfg.where(k);
      if (w.startsWith(YamlValues.OVERRIDE_ORIGIN) && w.endsWith(")"))
        out.add(w.substring(YamlValues.OVERRIDE_ORIGIN.length(), w.length() - 1));
    }
    return out;
  }

  private static void mergeFile(Path path, Path shownAs, Map<String, Object> values, Map<String, String> origins) {
    try {
      hspnet.io.Utf8.Problem p = hspnet.io.Utf8.firstProblem(Files.readAllBytes(path));
      if (p != null) throw new ConfigException(shownAs + ":" + p.line() + ": " + p.describe() + "; YAML files are read as UTF-8");
    } catch (java.io.IOException e) {
      // reported below, where the file is opened
    }
    try (Reader r = Files.newBufferedReader(path)) {
      merge(YamlValues.read(shownAs.toString(), r, ConfigKeys.TOP_LEVEL), values, origins);
    } catch (java.nio.charset.MalformedInputException e) {
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

  /** Checks that go beyond one value's type: required keys, ranges, and keys that must agree. */
  static void validate(Config c) {
    for (KeySpec s : ConfigKeys.TOP_LEVEL)
      if (s.required() && !c.has(s.name()))
        throw new ConfigException(c.file() + ": required key '" + s.name() + "' is missing (" + s.description() + ")");

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
    if (c.has("child_num") && c.integer("child_num") != c.numClasses())
      throw c.error("child_num", "must equal num_classes (" + c.numClasses() + "), got " + c.integer("child_num"));
    for (String k : List.of("lr", "gcn_lr")) if (!(c.number(k) > 0)) throw c.error(k, "must be positive, got " + c.number(k));
    if (c.weightDecay() < 0) throw c.error("weight_decay", "must be 0 or more, got " + c.weightDecay());
    probability(c, "thre", c.thre());
    probability(c, "tau", c.tau());
    probability(c, "reweight_p", c.reweightP());
    if (c.emaDecay().isPresent()) probability(c, "ema_decay", c.emaDecay().get());
    if (!c.loss().equals("SPLC")) throw c.error("loss", "only SPLC is implemented, got '" + c.loss() + "'");
    if (!DEVICES.contains(c.device())) throw c.error("device", "must be one of auto, cpu, cuda; got '" + c.device() + "'");
    if (!HGCN_BACKENDS.contains(c.hgcnBackend()))
      throw c.error("hgcn_backend", "must be one of auto, libtorch, fused; got '" + c.hgcnBackend() + "'");
    if (!KINDS.contains(c.datasetKind()))
      throw c.error("dataset_kind", "must be one of " + String.join(", ", KINDS.stream().sorted().toList()) + "; got '" + c.datasetKind() + "'");
    if (!Set.of("float16", "bfloat16").contains(c.ampDtype()))
      throw c.error("amp_dtype", "must be float16 or bfloat16; got '" + c.ampDtype() + "'");
    if (!Set.of("pil", "opencv").contains(c.imageResize()))
      throw c.error("image_resize", "must be pil or opencv; got '" + c.imageResize() + "'");
    if (!(c.augCropMinScale() > 0 && c.augCropMinScale() <= 1))
      throw c.error("aug_crop_min_scale", "must lie in (0, 1], got " + c.augCropMinScale());
    if (!(c.augCutout() >= 0 && c.augCutout() <= 1)) throw c.error("aug_cutout", "must lie in [0, 1], got " + c.augCutout());
    if (c.augRandAugmentOps() < 0) throw c.error("aug_randaugment_ops", "must be 0 or more, got " + c.augRandAugmentOps());
    if (c.augRandAugmentMagnitude() < 0 || c.augRandAugmentMagnitude() > 30)
      throw c.error("aug_randaugment_magnitude", "must lie in 0..30, got " + c.augRandAugmentMagnitude());
    if (c.superLabels().isPresent() != c.superLabelsIndex().isPresent())
      throw c.error(c.superLabels().isPresent() ? "super_labels" : "super_labels_index",
          "super_labels and super_labels_index go together: set both or neither");
    int words = c.parentCtxInit().trim().split("\\s+").length;
    if (words != c.parentNCtx())
      throw c.error("parent_n_ctx", "is " + c.parentNCtx() + " but parent_ctx_init '" + c.parentCtxInit() + "' has " + words + " words");
    for (String k : List.of("clip_vision_heads", "clip_text_heads")) {
      if (!c.has(k)) continue;
      if (c.randomClip())
        throw c.error(k, "sets the heads of loaded CLIP weights, but clip_model is 'random' (set heads in clip_arch instead)");
      positive(c, k, c.integer(k));
    }
    if (c.randomClip()) validateClipArch(c);
  }

  private static void validateClipArch(Config c) {
    if (!c.has("clip_arch")) throw c.error("clip_model", "is 'random', which needs a clip_arch mapping");
    for (KeySpec s : ConfigKeys.CLIP_ARCH_KEYS)
      if (s.required() && !c.clipArch().containsKey(s.name()))
        throw c.error("clip_arch", "misses '" + s.name() + "' (" + s.description() + ")");
    List<Integer> layers = c.clipArchLayers();
    if (layers.size() != 4 || layers.stream().anyMatch(n -> n < 1))
      throw c.error("clip_arch", "vision_layers must list four positive block counts, got " + layers);
    for (KeySpec s : ConfigKeys.CLIP_ARCH_KEYS)
      if (s.type() == KeyType.INT && c.clipArch().containsKey(s.name()) && c.clipArchInt(s.name()) < 1)
        throw c.error("clip_arch", s.name() + " must be positive, got " + c.clipArchInt(s.name()));
    if (c.clipArchInt("transformer_width") % c.clipArchInt("transformer_heads") != 0)
      throw c.error("clip_arch", "transformer_width must be a multiple of transformer_heads");
    if (c.imageSize() % 32 != 0)
      throw c.error("image_size", "must be a multiple of 32 for a ResNet CLIP (the attention pool sees image_size/32 cells), got " + c.imageSize());
  }

  private static void positive(Config c, String key, int v) {
    if (v < 1) throw c.error(key, "must be at least 1, got " + v);
  }

  private static void probability(Config c, String key, double v) {
    if (!(v >= 0 && v <= 1)) throw c.error(key, "must lie in [0, 1], got " + v);
  }
}
