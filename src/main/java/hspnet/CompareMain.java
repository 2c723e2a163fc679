package hspnet;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import hspnet.cli.CompareArgs;
import hspnet.cli.ExitStatus;
import hspnet.config.ConfigLoader;
import hspnet.report.ComparisonReport;
import hspnet.report.ConsoleStyle;
import hspnet.run.Comparison;
import hspnet.nn.JavaCppTuning;

/**
 * {@code hspnet-compare -c CONFIG --losses AN,WAN,... [--with-hspnet] [--out DIR]}: trains the
 * baseline model with each loss (and HSPNet with SPLC), on the same data and seed, each in its own
 * run folder, then writes one table (Markdown and CSV) and one chart. Exit status as TrainMain's:
 * 0 done, 2 a configuration or command-line problem, 1 any other input problem.
 */
public final class CompareMain {
  static {
    JavaCppTuning.apply(); // before the first native object (see JavaCppTuning)
  }

  private CompareMain() {}

  public static void main(String[] args) {
    System.exit(run(args, Path.of("checkpoints"), System.out, System.err));
  }

  public static int run(String[] args, Path checkpointsRoot, PrintStream out, PrintStream err) {
    return ExitStatus.of(err, () -> {
      CompareArgs a = CompareArgs.parse(args);
      if (a.help()) {
        out.print(CompareArgs.USAGE);
        return 0;
      }
      String checkpoint = ConfigLoader.load(a.configFile(), a.overrides()).checkpoint();
      Path dir = a.out() != null ? a.out() : checkpointsRoot.resolve(checkpoint + "-compare");
      List<Comparison.Method> methods = Comparison.methods(a.losses(), a.withHspnet());
      List<ComparisonReport.Row> rows = Comparison.run(a.configFile(), a.overrides(), methods, checkpointsRoot, out, ConsoleStyle.of(out));
      List<Path> files = ComparisonReport.write(dir, "Methods on " + checkpoint + " (config " + a.configFile() + ")", rows);
      out.print(ComparisonReport.markdown("Comparison", rows));
      out.println("Written: " + String.join(", ", files.stream().map(Path::toString).toList()));
      return 0;
    });
  }
}
