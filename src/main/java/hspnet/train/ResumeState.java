package hspnet.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import hspnet.config.RunConfig;
import hspnet.config.ConfigException;
import hspnet.io.TorchZipReader;
import hspnet.io.TorchZipWriter;
import hspnet.nn.StateDicts;
import java.io.UncheckedIOException;

/**
 * What a killed training continues from ({@code --resume}): after every completed epoch the
 * trainer writes {@value #FILE} into the round folder (to a temporary file, then renamed, so a
 * kill leaves the previous epoch's state intact). One {@code torch.save} archive of plain data
 * (a dict of strings, numbers, lists and tensors, which {@link TorchZipReader#readTree} reads
 * without running anything and Python's {@code torch.load(f, weights_only=True)} reads too) holds:
 * <ul>
 *   <li>{@code model}, {@code ema}: every state-dict entry by its reference name;</li>
 *   <li>{@code optimizer}: Adam's state ({@link AdamStateArchive}) — per parameter the step count
 *       and both moments, per group the options, which include the lr and beta1 the schedule set
 *       for the coming step (the schedule itself is a pure function of the global step);</li>
 *   <li>{@code rng_cpu}: the default CPU generator's state;</li>
 *   <li>{@code loss_state}, {@code loss_optimizer}: what the loss keeps itself, when it does — ROLE's
 *       label estimator and its Adam, LL-Cp's changes to the training labels;</li>
 *   <li>progress: epochs done, global step, highest mAP and its epoch, the mAPs of every epoch,
 *       the loss scaler's scale and clean-step count;</li>
 *   <li>the run's settings (every config key that shapes the run) and the trainable parameters of
 *       each group, checked on load so that a different recipe is not silently continued.</li>
 * </ul>
 * The data loader needs nothing saved: epoch e's order is a function of the seed and e. CUDA
 * generators are not saved: nothing in training draws random numbers on the device.
 */
public final class ResumeState {
  public static final String FILE = "resume.pt";
  static final String FORMAT = "hspnet-resume-2";

  /** RunConfig keys that may change between a run and its resumption: they do not alter its numbers. */
  public static final Set<String> MAY_CHANGE = Set.of("epochs", "resume", "test", "workers", "log_every", "cpu_threads", "log_file",
      "dist_backend", "dist_timeout_s");

  /** Where a run stands after its last completed epoch. */
  public record Progress(int epochsDone, long globalStep, double highestMap, int bestEpoch, List<double[]> epochMaps) {
    public Progress {
      epochMaps = List.copyOf(epochMaps);
    }

    public static Progress start() {
      return new Progress(0, 0, 0, 0, List.of());
    }
  }

  private ResumeState() {}

  /** The settings a resumed run must share with the run it continues, one "key: value" per line. */
  public static String settingsOf(RunConfig cfg) {
    StringBuilder sb = new StringBuilder();
    cfg.values().forEach((k, v) -> {
      if (!MAY_CHANGE.contains(k)) sb.append(k).append(": ").append(v).append('\n');
    });
    return sb.toString();
  }

  public static void save(Path file, TrainingState state, Progress progress, String settings) throws IOException {
    // the tensor handles made here are freed when the file is written, not when the GC runs
    try (PointerScope scope = new PointerScope()) {
      write(file, state, progress, settings);
    } catch (IOException e) {
      String m = String.valueOf(e.getMessage());
      if (m.startsWith(file.toString())) throw e;
      throw new IOException(file + ": cannot write the resume state: " + m
          + (Files.exists(file) ? "; the previous one is kept" : ""), e);
    }
  }

  private static void write(Path file, TrainingState state, Progress progress, String settings) throws IOException {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("format", FORMAT);
    root.put("settings", settings);
    root.put("parameter_groups", groupNames(state.groups()));
    root.put("epochs_done", (long) progress.epochsDone());
    root.put("global_step", progress.globalStep());
    root.put("highest_map", progress.highestMap());
    root.put("best_epoch", (long) progress.bestEpoch());
    List<Object> maps = new ArrayList<>();
    for (double[] m : progress.epochMaps()) maps.add(List.of(m[0], m[1]));
    root.put("epoch_maps", maps);
    root.put("loss_scale", state.scaler().scale());
    root.put("loss_scale_clean_steps", (long) state.scaler().cleanSteps());
    root.put("rng_cpu", torch.getDefaultCPUGenerator().get_state());
    root.put("model", cpu(StateDicts.of(state.model())));
    root.put("ema", cpu(StateDicts.of(state.ema().module())));
    root.put("optimizer", AdamStateArchive.save(state.optimizer().adam(), file.toAbsolutePath().getParent()));
    // the fused optimizer (fused_optimizer: true, a setting that must match) keeps its moments itself
    if (state.fusedOptimizer() != null) root.put("fused_adam", cpu(state.fusedOptimizer().stateDict()));
    // the loss's own state: ROLE's label estimator (and its Adam), LL-Cp's changes to the training labels
    Map<String, Tensor> lossState = state.criterion().state();
    if (!lossState.isEmpty()) root.put("loss_state", cpu(lossState));
    if (state.criterionOptimizer() != null)
      root.put("loss_optimizer", AdamStateArchive.save(state.criterionOptimizer(), file.toAbsolutePath().getParent()));
    TorchZipWriter.writeTree(file, root);
  }

  /**
   * Reads a resume state and checks that it continues a run of the given settings. Nothing is
   * restored yet: the caller checks this before it builds models or writes to the round's log.
   * The file is read by the restricted reader ({@link TorchZipReader#readTree}): nothing in it runs.
   *
   * @throws ConfigException when there is no resume state, or the configuration differs from the
   *     saved run's in a key that shapes the run
   * @param device the device the run continues on: every saved tensor is mapped to it (a state
   *     written on a GPU machine resumes on the CPU and vice versa)
   * @throws IllegalArgumentException when the file is not a readable resume state
   */
  public static Saved read(Path file, String settings, Device device) throws IOException {
    if (!Files.isRegularFile(file))
      throw new ConfigException(file + ": no resume state (a round writes it at the end of every epoch; "
          + "this one never finished an epoch, or was trained before resume states existed)");
    Object tree;
    try {
      tree = TorchZipReader.readTree(file);
    } catch (IllegalArgumentException e) {
      String m = e.getMessage().startsWith(file.toString()) ? e.getMessage().substring(file.toString().length()) : ": " + e.getMessage();
      if (m.contains("a TorchScript archive"))
        m += " (resume states of earlier versions were LibTorch archives, which are not read any more: reading one runs"
            + " the code stored in it)";
      throw new IllegalArgumentException(file + ": not a readable resume state" + m, e);
    }
    if (!(tree instanceof Map<?, ?> map))
      throw new IllegalArgumentException(file + ": not a readable resume state (not a dict)");
    @SuppressWarnings("unchecked")
    Map<String, Object> root = (Map<String, Object>) map;
    for (String k : List.of("format", "settings", "parameter_groups", "epochs_done", "global_step", "highest_map",
        "best_epoch", "epoch_maps", "loss_scale", "loss_scale_clean_steps", "rng_cpu", "model", "ema", "optimizer"))
      if (!root.containsKey(k)) throw new IllegalArgumentException(file + ": not a resume state of this program (no '" + k + "' entry)");
    Saved saved = new Saved(file, root, device);
    String format = saved.string("format");
    if (!format.equals(FORMAT))
      throw new IllegalArgumentException(file + ": resume state format '" + format + "', this program reads '" + FORMAT + "'");
    checkSettings(file, saved.string("settings"), settings);
    return saved;
  }

  /** A resume state read from disk, ready to be restored into a freshly built training state. */
  public static final class Saved {
    private final Path file;
    private final Map<String, Object> root;
    private final Device device;

    private Saved(Path file, Map<String, Object> root, Device device) {
      this.file = file;
      this.root = root;
      this.device = device;
    }

    public Path file() { return file; }

    /** Epochs the saved run had completed. */
    public int epochsDone() { return (int) integer("epochs_done"); }

    /** Refuses a config whose epochs the saved run has already trained (nothing would be left to do). */
    public void checkEpochsLeft(RunConfig cfg, Path round) {
      if (epochsDone() >= cfg.epochs())
        throw cfg.error("epochs", "is " + cfg.epochs() + " but " + round + " has already trained " + epochsDone()
            + " epoch(s); raise it (up to total_epochs " + cfg.totalEpochs() + ") to train further");
    }

    /**
     * Restores model, EMA, optimizer (moments, step counts, group options), loss scaler and the
     * CPU generator, and returns the progress to continue from.
     */
    public Progress restoreInto(TrainingState state) {
      try (PointerScope scope = new PointerScope()) {
        return restore(state);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private Progress restore(TrainingState state) throws IOException {
      String groups = string("parameter_groups");
      if (!groups.equals(groupNames(state.groups())))
        throw new ConfigException(file + ": the model's trainable parameters differ from the saved run's; it cannot be resumed with this model");
      StateDicts.loadStrict(state.model(), tensors("model"), file + " (model)");
      StateDicts.loadStrict(state.ema().module(), tensors("ema"), file + " (ema)");
      AdamStateArchive.load(state.optimizer().adam(), root.get("optimizer"), device, file.toAbsolutePath().getParent(), file.toString());
      if (state.fusedOptimizer() != null) {
        if (!root.containsKey("fused_adam"))
          throw new IllegalArgumentException(file + ": no fused optimizer state ('fused_adam'), but the run uses the fused optimizer");
        state.fusedOptimizer().load(tensors("fused_adam"), file + " (fused_adam)");
      }
      state.criterion().loadState(root.containsKey("loss_state") ? tensors("loss_state") : Map.of(), file + " (loss_state)");
      if (state.criterionOptimizer() != null) {
        if (!root.containsKey("loss_optimizer"))
          throw new IllegalArgumentException(file + ": no optimizer state of the loss's own parameters ('loss_optimizer')");
        AdamStateArchive.load(state.criterionOptimizer(), root.get("loss_optimizer"), device, file.toAbsolutePath().getParent(),
            file.toString());
      }
      state.scaler().restore(number("loss_scale"), (int) integer("loss_scale_clean_steps"));
      if (!(root.get("rng_cpu") instanceof Tensor rng))
        throw new IllegalArgumentException(file + ": 'rng_cpu' is not a tensor");
      try {
        torch.getDefaultCPUGenerator().set_state(rng);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(file + ": 'rng_cpu' is not a CPU generator state: " + firstLine(e.getMessage()), e);
      }

      int epochsDone = epochsDone();
      List<double[]> maps = new ArrayList<>();
      if (!(root.get("epoch_maps") instanceof List<?> rows))
        throw new IllegalArgumentException(file + ": 'epoch_maps' is not a list");
      for (Object row : rows) {
        if (!(row instanceof List<?> pair) || pair.size() != 2 || !(pair.get(0) instanceof Double a)
            || !(pair.get(1) instanceof Double b))
          throw new IllegalArgumentException(file + ": 'epoch_maps' holds " + row + ", not a pair of floats");
        maps.add(new double[] {a, b});
      }
      if (maps.size() != epochsDone)
        throw new IllegalArgumentException(file + ": holds " + maps.size() + " epoch results for " + epochsDone + " epochs done");
      return new Progress(epochsDone, integer("global_step"), number("highest_map"), (int) integer("best_epoch"), maps);
    }

    private String string(String key) {
      if (root.get(key) instanceof String s) return s;
      throw new IllegalArgumentException(file + ": '" + key + "' is not a string");
    }

    private long integer(String key) {
      if (root.get(key) instanceof Long l && l >= 0 && l <= Integer.MAX_VALUE * 1024L) return l;
      throw new IllegalArgumentException(file + ": '" + key + "' is not a non-negative int");
    }

    private double number(String key) {
      if (root.get(key) instanceof Double d) return d;
      throw new IllegalArgumentException(file + ": '" + key + "' is not a float");
    }

    private Map<String, Tensor> tensors(String key) {
      if (!(root.get(key) instanceof Map<?, ?> m))
        throw new IllegalArgumentException(file + ": '" + key + "' is not a dict of tensors");
      Map<String, Tensor> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!(e.getValue() instanceof Tensor t))
          throw new IllegalArgumentException(file + ": '" + key + "." + e.getKey() + "' is not a tensor");
        out.put((String) e.getKey(), t);
      }
      return out;
    }
  }

  private static void checkSettings(Path file, String saved, String current) {
    Map<String, String> was = parse(saved), now = parse(current);
    List<String> differences = new ArrayList<>();
    for (String k : union(was, now)) {
      String a = was.get(k), b = now.get(k);
      if (a == null) differences.add(k + " (not set before, now " + b + ")");
      else if (b == null) differences.add(k + " (was " + a + ", now not set)");
      else if (!a.equals(b)) differences.add(k + " (was " + a + ", now " + b + ")");
    }
    if (!differences.isEmpty())
      throw new ConfigException(file + ": the configuration differs from the run being resumed in "
          + String.join(", ", differences) + "; only " + String.join(", ", MAY_CHANGE.stream().sorted().toList())
          + " may change on resume");
  }

  private static List<String> union(Map<String, String> a, Map<String, String> b) {
    List<String> keys = new ArrayList<>(a.keySet());
    for (String k : b.keySet()) if (!a.containsKey(k)) keys.add(k);
    return keys;
  }

  private static Map<String, String> parse(String settings) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : settings.split("\n")) {
      int colon = line.indexOf(": ");
      if (colon > 0) out.put(line.substring(0, colon), line.substring(colon + 2));
    }
    return out;
  }

  /** Trainable parameter names per group, one group per line: the optimizer state maps onto them by position. */
  private static String groupNames(ParamGroups groups) {
    StringBuilder sb = new StringBuilder();
    for (int g = 0; g < ParamGroups.COUNT; g++) sb.append(String.join(",", groups.group(g).keySet())).append('\n');
    return sb.toString();
  }

  /** CPU copies keep the file independent of the device it was written on. */
  private static Map<String, Object> cpu(Map<String, Tensor> state) {
    Map<String, Object> out = new LinkedHashMap<>();
    state.forEach((name, t) -> out.put(name, t.detach().cpu()));
    return out;
  }

  private static String firstLine(String s) {
    if (s == null) return "unknown error";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
