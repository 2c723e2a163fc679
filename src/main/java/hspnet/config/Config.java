package hspnet.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A merged, validated configuration ({@code base.yaml} overridden key by key by the chosen file).
 * Immutable; every value remembers the file and line it came from so that later checks (a missing
 * data file, a label count that does not match) can point at the line to fix.
 */
public final class Config {
  private final Map<String, Object> values;
  private final Map<String, String> origins;
  private final Path file;

  Config(Path file, Map<String, Object> values, Map<String, String> origins) {
    this.file = file;
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    this.origins = Collections.unmodifiableMap(new LinkedHashMap<>(origins));
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

  /** All values in key order (for writing the resolved config next to a run). */
  public Map<String, Object> values() { return values; }

  /** A copy with some values replaced (used by command-line overrides and tests). */
  public Config with(String key, Object value, String origin) {
    Map<String, Object> v = new LinkedHashMap<>(values);
    Map<String, String> o = new LinkedHashMap<>(origins);
    v.put(key, value);
    o.put(key, origin);
    return new Config(file, v, o);
  }

  String string(String key) { return (String) values.get(key); }
  int integer(String key) { return (Integer) values.get(key); }
  double number(String key) { return (Double) values.get(key); }
  boolean bool(String key) { return Boolean.TRUE.equals(values.get(key)); }
  Optional<String> optString(String key) { return Optional.ofNullable((String) values.get(key)); }

  // --- the original's keys -----------------------------------------------------------------
  public String checkpoint() { return string("checkpoint"); }
  public String logFile() { return string("log_file"); }
  public String data() { return string("data"); }
  public Optional<String> cocoTrainList() { return optString("dataset"); }
  public Optional<String> trainDataset() { return optString("train_dataset"); }
  public Optional<String> valDataset() { return optString("val_dataset"); }
  public int numClasses() { return integer("num_classes"); }
  public double lr() { return number("lr"); }
  public double gcnLr() { return number("gcn_lr"); }
  public double weightDecay() { return number("weight_decay"); }
  public int batchSize() { return integer("batch_size"); }
  public int workers() { return integer("workers"); }
  public double thre() { return number("thre"); }
  public String loss() { return string("loss"); }
  public int epochs() { return integer("epochs"); }
  public int totalEpochs() { return integer("total_epochs"); }
  public boolean test() { return bool("test"); }
  public boolean resume() { return bool("resume"); }
  public int parentNCtx() { return integer("parent_n_ctx"); }
  public String parentCtxInit() { return string("parent_ctx_init"); }
  public int childNCtx() { return integer("child_n_ctx"); }
  public int changeEpoch() { return integer("change_epoch"); }
  public double tau() { return number("tau"); }
  public double reweightP() { return number("reweight_p"); }
  public Optional<String> relationFile() { return optString("relation_file"); }
  public int imageSize() { return integer("image_size"); }

  // --- this project's keys -------------------------------------------------------------------
  public long seed() { return integer("seed"); }
  public String device() { return string("device"); }
  public boolean amp() { return bool("amp"); }
  public String clipModel() { return string("clip_model"); }
  public boolean randomClip() { return "random".equals(clipModel()); }
  public Optional<Integer> clipVisionHeads() { return Optional.ofNullable((Integer) values.get("clip_vision_heads")); }
  public Optional<Integer> clipTextHeads() { return Optional.ofNullable((Integer) values.get("clip_text_heads")); }
  public String tokenizer() { return string("tokenizer"); }
  public String datasetKind() { return string("dataset_kind"); }
  public Optional<String> labels() { return optString("labels"); }
  public Optional<Double> emaDecay() { return Optional.ofNullable((Double) values.get("ema_decay")); }
  public boolean bnEvalFirstEpoch() { return bool("bn_eval_first_epoch"); }
  public int logEvery() { return integer("log_every"); }
  public int cpuThreads() { return integer("cpu_threads"); }
  public String hgcnBackend() { return string("hgcn_backend"); }
  public int demoTrainImages() { return values.containsKey("demo_train_images") ? integer("demo_train_images") : 2000; }
  public Optional<String> superLabels() { return optString("super_labels"); }
  public Optional<String> superLabelsIndex() { return optString("super_labels_index"); }
  public boolean skipBadImages() { return bool("skip_bad_images"); }
  public String ampDtype() { return values.containsKey("amp_dtype") ? string("amp_dtype") : "float16"; }
  public boolean fusedOptimizer() { return values.containsKey("fused_optimizer") && bool("fused_optimizer"); }
  public String imageResize() { return values.containsKey("image_resize") ? string("image_resize") : "pil"; }
  public boolean augHflip() { return bool("aug_hflip"); }
  public boolean augRandomResizedCrop() { return bool("aug_random_resized_crop"); }
  public double augCropMinScale() { return values.containsKey("aug_crop_min_scale") ? number("aug_crop_min_scale") : 0.08; }
  public double augCutout() { return values.containsKey("aug_cutout") ? number("aug_cutout") : 0.0; }
  public int augRandAugmentOps() { return values.containsKey("aug_randaugment_ops") ? integer("aug_randaugment_ops") : 0; }
  public int augRandAugmentMagnitude() { return values.containsKey("aug_randaugment_magnitude") ? integer("aug_randaugment_magnitude") : 9; }
  public int demoValImages() { return values.containsKey("demo_val_images") ? integer("demo_val_images") : 500; }

  /** The {@code clip_arch} mapping (validated at load time when clip_model is 'random'). */
  @SuppressWarnings("unchecked")
  public Map<String, Object> clipArch() {
    Object m = values.get("clip_arch");
    return m == null ? Map.of() : (Map<String, Object>) m;
  }

  @SuppressWarnings("unchecked")
  public List<Integer> clipArchLayers() { return (List<Integer>) clipArch().get("vision_layers"); }

  public int clipArchInt(String key) { return (Integer) clipArch().get(key); }
}
