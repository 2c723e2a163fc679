package hspnet;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import hspnet.cli.ExitStatus;
import hspnet.cli.OptionParser;
import hspnet.data.CocoAnnotations;
import hspnet.data.LabelList;
import hspnet.data.LabelList.Sample;
import hspnet.data.SinglePositive;
import hspnet.nn.JavaCppTuning;

/**
 * {@code SinglePositiveMain --in FULL --out LIST --seed N}: turns a fully labelled list
 * ({@code path,i j k} lines) or a COCO instances json (its images that have annotations) into a
 * single-positive training list, one positive per image drawn uniformly with the seed. Exit
 * status: 0 done, 2 bad arguments, 1 bad input.
 */
public final class SinglePositiveMain {
  static {
    JavaCppTuning.apply(); // before the first native object (see JavaCppTuning)
  }

  static final String USAGE = """
      usage: SinglePositiveMain --in FULL --out LIST --seed N
        --in FILE    a label list (path,i j k per line) or a COCO instances json (e.g. instances_train2014.json)
        --out FILE   the single-positive list to write (path,i per line), written atomically
        --seed N     seed of the draws: the same seed gives the same list
      """;

  private SinglePositiveMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  private static final OptionParser PARSER = new OptionParser("SinglePositiveMain").value("--in").value("--out").value("--seed");

  public static int run(String[] args, PrintStream out, PrintStream err) {
    return PARSER.run(args, USAGE, out, err, p -> {
      if (!p.has("--in") || !p.has("--out") || !p.has("--seed")) throw p.error("--in, --out and --seed are required");
      long seed;
      try {
        seed = Long.parseLong(p.value("--seed"));
      } catch (NumberFormatException e) {
        throw p.error("--seed must be an integer, got '" + p.value("--seed") + "'");
      }
      Path in = p.path("--in"), target = p.path("--out");
      List<Sample> full = in.toString().endsWith(".json") ? CocoAnnotations.read(in).images() : LabelList.read(in);
      List<Sample> single = SinglePositive.draw(full, seed);
      LabelList.write(target, single);
      out.println("Wrote " + single.size() + " images with one positive each to " + target + " (seed " + seed + ")");
      return ExitStatus.DONE;
    });
  }
}
