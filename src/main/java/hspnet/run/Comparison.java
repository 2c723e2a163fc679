package hspnet.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import hspnet.config.ConfigLoader;
import hspnet.config.RunConfig;
import hspnet.report.ComparisonReport;
import hspnet.report.ConsoleStyle;
import hspnet.train.Trainer;

/**
 * Trains several methods on the same data and seed (one config, the same -o overrides), each a
 * training of its own in its own run folder — the config's checkpoint name suffixed with the
 * method — and collects what each reached. The baselines are clip_linear with a baseline loss;
 * HSPNet is model_name clip_gcn with SPLC, so every method sees the same CLIP image tower.
 */
public final class Comparison {
  /** A method: its name in the table, and the config keys that make it. */
  public record Method(String name, List<String> overrides) {}

  private Comparison() {}

  /** clip_linear with each loss, then HSPNet with SPLC when asked. */
  public static List<Method> methods(List<String> losses, boolean withHspnet) {
    List<Method> out = new ArrayList<>();
    for (String loss : losses) out.add(new Method("clip_linear + " + loss, List.of("model_name=clip_linear", "loss=" + loss)));
    if (withHspnet) out.add(new Method("HSPNet + SPLC", List.of("model_name=clip_gcn", "loss=SPLC")));
    return out;
  }

  /** The run folder name of a method: the config's checkpoint, a dash, the method without spaces or '+'. */
  static String checkpointOf(String checkpoint, Method m) {
    return checkpoint + "-" + m.name().replace(" + ", "-").replace(' ', '_');
  }

  /**
   * Loads every method's config first (a bad one stops the comparison before anything trains),
   * then trains them one after the other.
   */
  public static List<ComparisonReport.Row> run(Path configFile, List<String> overrides, List<Method> methods, Path checkpointsRoot,
      PrintStream out, ConsoleStyle style) throws IOException {
    RunConfig base = ConfigLoader.load(configFile, overrides);
    List<RunConfig> configs = new ArrayList<>();
    for (Method m : methods) {
      List<String> all = new ArrayList<>(overrides);
      all.addAll(m.overrides());
      all.add("checkpoint=" + checkpointOf(base.checkpoint(), m));
      configs.add(ConfigLoader.load(configFile, all));
    }
    List<ComparisonReport.Row> rows = new ArrayList<>();
    for (int i = 0; i < methods.size(); i++) {
      Method m = methods.get(i);
      out.printf(Locale.ROOT, "== %s (%d/%d) ==%n", m.name(), i + 1, methods.size());
      try (Run run = Run.open(Run.Mode.TRAIN, configs.get(i), null, checkpointsRoot, out, style)) {
        run.execute();
        Trainer.Result r = run.trainingResult();
        double[] maps = new double[r.epochMaps().size()];
        for (int e = 0; e < maps.length; e++) maps[e] = Math.max(r.epochMaps().get(e)[0], r.epochMaps().get(e)[1]);
        rows.add(new ComparisonReport.Row(m.name(), run.folder().toString(), r.highestMap(), r.bestEpoch(),
            maps.length == 0 ? 0 : r.seconds() / maps.length, maps));
      }
    }
    return rows;
  }
}
