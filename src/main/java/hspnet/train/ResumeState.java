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
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.StringVector;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import hspnet.config.Config;
import hspnet.config.ConfigException;
import hspnet.io.AtomicFiles;
import hspnet.nn.StateDicts;
import hspnet.nn.Tensors;

/**
 * What a killed training continues from ({@code --resume}): after every completed epoch the
 * trainer writes {@value #FILE} into the round folder (to a temporary file, then renamed, so a
 * kill leaves the previous epoch's state intact). One LibTorch archive ({@code torch::serialize},
 * the format of {@code torch::save} in C++) holds:
 * <ul>
 *   <li>{@code model}, {@code ema}: every state-dict entry by its reference name;</li>
 *   <li>{@code optimizer}: LibTorch's own Adam serialization — per parameter the step count and
 *       both moments, per group the options, which include the lr and beta1 the schedule set
 *       for the coming step (the schedule itself is a pure function of the global step);</li>
 *   <li>{@code rng_cpu}: the default CPU generator's state;</li>
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
  static final String FORMAT = "hspnet-resume-1";

  /** Config keys that may change between a run and its resumption: they do not alter its numbers. */
  public static final Set<String> MAY_CHANGE = Set.of("epochs", "resume", "test", "workers", "log_every", "cpu_threads", "log_file");

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
  public static String settingsOf(Config cfg) {
    StringBuilder sb = new StringBuilder();
    cfg.values().forEach((k, v) -> {
      if (!MAY_CHANGE.contains(k)) sb.append(k).append(": ").append(v).append('\n');
    });
    return sb.toString();
  }

  public static void save(Path file, TrainingState state, Progress progress, String settings) throws IOException {
    // the archive and its tensor handles are freed when the file is written, not when the GC runs
    try (PointerScope scope = new PointerScope()) {
      write(file, state, progress, settings);
    }
  }

  private static void write(Path file, TrainingState state, Progress progress, String settings) throws IOException {
    OutputArchive root = new OutputArchive();
    root.write("format", new IValue(FORMAT));
    root.write("settings", new IValue(settings));
    root.write("parameter_groups", new IValue(groupNames(state.groups())));
    root.write("epochs_done", new IValue((long) progress.epochsDone()));
    root.write("global_step", new IValue(progress.globalStep()));
    root.write("highest_map", new IValue(progress.highestMap()));
    root.write("best_epoch", new IValue((long) progress.bestEpoch()));
    double[] maps = new double[progress.epochMaps().size() * 2];
    for (int e = 0; e < progress.epochMaps().size(); e++) {
      maps[2 * e] = progress.epochMaps().get(e)[0];
      maps[2 * e + 1] = progress.epochMaps().get(e)[1];
    }
    root.write("epoch_maps", doubles(maps, progress.epochMaps().size(), 2), true);
    root.write("loss_scale", new IValue(state.scaler().scale()));
    root.write("loss_scale_clean_steps", new IValue((long) state.scaler().cleanSteps()));
    root.write("rng_cpu", torch.getDefaultCPUGenerator().get_state(), true);
    root.write("model", tensors(StateDicts.of(state.model())));
    root.write("ema", tensors(StateDicts.of(state.ema().module())));
    OutputArchive optimizer = new OutputArchive();
    state.optimizer().adam().save(optimizer);
    root.write("optimizer", optimizer);
    // the fused optimizer (fused_optimizer: true, a setting that must match) keeps its moments itself
    if (state.fusedOptimizer() != null) root.write("fused_adam", tensors(state.fusedOptimizer().stateDict()));
    AtomicFiles.writeVia(file, tmp -> {
      try {
        root.save_to(tmp.toString());
      } catch (RuntimeException e) {
        throw new IOException(file + ": cannot write the resume state: " + firstLine(e.getMessage()), e);
      }
    });
  }

  /**
   * Reads a resume state and checks that it continues a run of the given settings. Nothing is
   * restored yet: the caller checks this before it builds models or writes to the round's log.
   *
   * @throws ConfigException when there is no resume state, or the configuration differs from the
   *     saved run's in a key that shapes the run
   * @param device the device the run continues on: every saved tensor is mapped to it (a state
   *     written on a GPU machine resumes on the CPU and vice versa)
   * @throws IllegalArgumentException when the file is not a readable resume state
   */
  public static Saved read(Path file, String settings, Device device) {
    if (!Files.isRegularFile(file))
      throw new ConfigException(file + ": no resume state (a round writes it at the end of every epoch; "
          + "this one never finished an epoch, or was trained before resume states existed)");
    InputArchive root = new InputArchive();
    try {
      root.load_from(file.toString(), new DeviceOptional(device));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(file + ": not a readable resume state: " + firstLine(e.getMessage()), e);
    }
    Set<String> keys = keys(root);
    for (String k : List.of("format", "settings", "parameter_groups", "epochs_done", "global_step", "highest_map",
        "best_epoch", "epoch_maps", "loss_scale", "loss_scale_clean_steps", "rng_cpu", "model", "ema", "optimizer"))
      if (!keys.contains(k)) throw new IllegalArgumentException(file + ": not a resume state of this program (no '" + k + "' entry)");
    String format = string(root, "format");
    if (!format.equals(FORMAT))
      throw new IllegalArgumentException(file + ": resume state format '" + format + "', this program reads '" + FORMAT + "'");
    checkSettings(file, string(root, "settings"), settings);
    return new Saved(file, root);
  }

  /** A resume state read from disk, ready to be restored into a freshly built training state. */
  public static final class Saved {
    private final Path file;
    private final InputArchive root;

    private Saved(Path file, InputArchive root) {
      this.file = file;
      this.root = root;
    }

    public Path file() { return file; }

    /** Epochs the saved run had completed. */
    public int epochsDone() { return (int) integer(root, "epochs_done"); }

    /**
     * Restores model, EMA, optimizer (moments, step counts, group options), loss scaler and the
     * CPU generator, and returns the progress to continue from.
     */
    public Progress restoreInto(TrainingState state) {
      try (PointerScope scope = new PointerScope()) {
        return restore(state);
      }
    }

    private Progress restore(TrainingState state) {
      String groups = string(root, "parameter_groups");
      if (!groups.equals(groupNames(state.groups())))
        throw new ConfigException(file + ": the model's trainable parameters differ from the saved run's; it cannot be resumed with this model");
      StateDicts.loadStrict(state.model(), tensors(root, "model"), file + " (model)");
      StateDicts.loadStrict(state.ema().module(), tensors(root, "ema"), file + " (ema)");
      try {
        InputArchive optimizer = new InputArchive();
        root.read("optimizer", optimizer);
        state.optimizer().adam().load(optimizer);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(file + ": the optimizer state does not load: " + firstLine(e.getMessage()), e);
      }
      if (state.fusedOptimizer() != null) {
        if (!keys(root).contains("fused_adam"))
          throw new IllegalArgumentException(file + ": no fused optimizer state ('fused_adam'), but the run uses the fused optimizer");
        state.fusedOptimizer().load(tensors(root, "fused_adam"), file + " (fused_adam)");
      }
      state.scaler().restore(number(root, "loss_scale"), (int) integer(root, "loss_scale_clean_steps"));
      Tensor rng = new Tensor();
      root.read("rng_cpu", rng, true);
      torch.getDefaultCPUGenerator().set_state(rng.cpu());

      int epochsDone = epochsDone();
      Tensor mapsTensor = new Tensor();
      root.read("epoch_maps", mapsTensor, true);
      double[] flat = Tensors.toDoubles(mapsTensor);
      List<double[]> maps = new ArrayList<>();
      for (int e = 0; e < flat.length / 2; e++) maps.add(new double[] {flat[2 * e], flat[2 * e + 1]});
      if (maps.size() != epochsDone)
        throw new IllegalArgumentException(file + ": holds " + maps.size() + " epoch results for " + epochsDone + " epochs done");
      return new Progress(epochsDone, integer(root, "global_step"), number(root, "highest_map"),
          (int) integer(root, "best_epoch"), maps);
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
    for (int g = 0; g < 4; g++) sb.append(String.join(",", groups.group(g).keySet())).append('\n');
    return sb.toString();
  }

  private static OutputArchive tensors(Map<String, Tensor> state) {
    OutputArchive a = new OutputArchive();
    // CPU copies keep the file independent of the device it was written on
    state.forEach((name, t) -> a.write(name, t.detach().cpu(), true));
    return a;
  }

  private static Map<String, Tensor> tensors(InputArchive root, String key) {
    InputArchive a = new InputArchive();
    root.read(key, a);
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (String name : keys(a)) {
      Tensor t = new Tensor();
      a.read(name, t, true);
      out.put(name, t);
    }
    return out;
  }

  private static Set<String> keys(InputArchive a) {
    StringVector v = a.keys();
    Set<String> out = new java.util.LinkedHashSet<>();
    for (long i = 0; i < v.size(); i++) out.add(v.get(i).getString());
    return out;
  }

  private static String string(InputArchive a, String key) {
    IValue v = new IValue();
    a.read(key, v);
    return v.toStringRef().getString();
  }

  private static long integer(InputArchive a, String key) {
    IValue v = new IValue();
    a.read(key, v);
    return v.toInt();
  }

  private static double number(InputArchive a, String key) {
    IValue v = new IValue();
    a.read(key, v);
    return v.toDouble();
  }

  private static Tensor doubles(double[] values, long rows, long cols) {
    return Tensors.ofDoubles(values, rows, cols);
  }

  private static String firstLine(String s) {
    if (s == null) return "unknown error";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
