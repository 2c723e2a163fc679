package hspnet;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import hspnet.data.CocoAnnotations;
import hspnet.data.LabelList;
import hspnet.data.LabelList.Sample;
import hspnet.data.SinglePositive;

/**
 * {@code SinglePositiveMain --in FULL --out LIST --seed N}: turns a fully labelled list
 * ({@code path,i j k} lines) or a COCO instances json (its images that have annotations) into a
 * single-positive training list, one positive per image drawn uniformly with the seed. Exit
 * status: 0 done, 2 bad arguments, 1 bad input.
 */
public final class SinglePositiveMain {
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

  public static int run(String[] args, PrintStream out, PrintStream err) {
    Path in = null, target = null;
    Long seed = null;
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("-h") || a.equals("--help")) {
          out.print(USAGE);
          return 0;
        }
        if (i + 1 >= args.length) throw new IllegalStateException("option " + a + " needs a value");
        String v = args[++i];
        switch (a) {
          case "--in" -> in = Path.of(v);
          case "--out" -> target = Path.of(v);
          case "--seed" -> {
            try {
              seed = Long.parseLong(v);
            } catch (NumberFormatException e) {
              throw new IllegalStateException("--seed must be an integer, got '" + v + "'");
            }
          }
          default -> throw new IllegalStateException("unknown option " + a);
        }
      }
      if (in == null || target == null || seed == null) throw new IllegalStateException("--in, --out and --seed are required");
    } catch (IllegalStateException e) {
      err.println("error: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    try {
      List<Sample> full = in.toString().endsWith(".json") ? CocoAnnotations.read(in).images() : LabelList.read(in);
      List<Sample> single = SinglePositive.draw(full, seed);
      LabelList.write(target, single);
      out.println("Wrote " + single.size() + " images with one positive each to " + target + " (seed " + seed + ")");
      return 0;
    } catch (IllegalArgumentException | IOException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
  }
}
