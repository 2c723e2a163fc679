package hspnet.cli;

import java.nio.file.Path;
import java.util.List;

/**
 * TrainMain's command line, the original's options: {@code -c/--config-file FILE},
 * {@code -t/--test}, {@code -r/--round N}, {@code --resume} (the original declares it but never
 * implemented it), plus {@code -o/--override KEY=VALUE} (repeatable) and {@code -h/--help}.
 *
 * @param overrides the {@code KEY=VALUE} texts of {@code -o}, in order (see ConfigLoader.load)
 */
public record TrainArgs(Path configFile, boolean test, boolean resume, Integer round, List<String> overrides, boolean help) {
  public static final String USAGE = String.join("\n",
      "usage: hspnet [-h] -c CONFIG_FILE [-o KEY=VALUE]... [-t | --resume] [-r N]",
      "",
      "Train HSPNet (a new round folder checkpoints/{checkpoint}/roundN per run), continue a killed",
      "training, or evaluate a round.",
      "",
      "options:",
      "  -c, --config-file FILE  YAML config; base.yaml beside it (or the built-in one) gives the defaults",
      "  -o, --override KEY=VALUE",
      "                          set a top-level config key over the file (repeatable; the value is YAML,",
      "                          checked like the file's: -o epochs=3 -o lr=1e-3 -o device=cpu)",
      "  -t, --test              evaluate round N's model-highest.ckpt instead of training",
      "      --resume            continue round N's training after its last completed epoch, up to the",
      "                          config's epochs (only epochs, workers, log_every, cpu_threads, log_file",
      "                          may differ from the config the round was trained with)",
      "  -r, --round N           the round to evaluate with -t or to continue with --resume",
      "                          (default: the latest)",
      "  -h, --help              show this help and exit",
      "",
      "example: hspnet -c configs/hspnet+demo.yaml           (train the demo)",
      "         hspnet -c configs/hspnet+demo.yaml -t -r 1    (test its round 1)",
      "         hspnet -c configs/hspnet+demo.yaml --resume   (continue its latest round)",
      "");

  static final OptionParser PARSER = new OptionParser("hspnet")
      .value("-c", "--config-file")
      .flag("-t", "--test")
      .flag("--resume")
      .value("-r", "--round")
      .repeated("-o", "--override");

  public static TrainArgs parse(String... args) {
    OptionParser.Parsed p = PARSER.parse(args);
    p.require("-c", "CONFIG_FILE");
    boolean test = p.has("-t"), resume = p.has("--resume"), help = p.help();
    Integer round = p.integer("-r", 1, "a round number");
    if (!help && test && resume) throw p.error("-t and --resume exclude each other: evaluate a round, or continue training it");
    if (!help && round != null && !test && !resume)
      throw p.error("-r selects the round to test or to resume; use it with -t or --resume (training always starts a new round)");
    return new TrainArgs(p.path("-c"), test, resume, round, p.values("-o"), help);
  }
}
