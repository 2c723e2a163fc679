package hspnet.config;

import java.nio.file.Path;

/**
 * TrainMain's command line, the original's options: {@code -c/--config-file FILE},
 * {@code -t/--test}, {@code -r/--round N}, {@code --resume} (the original declares it but never
 * implemented it), plus {@code -h/--help}.
 */
public record TrainArgs(Path configFile, boolean test, boolean resume, Integer round, boolean help) {
  public static final String USAGE = String.join("\n",
      "usage: hspnet [-h] -c CONFIG_FILE [-t | --resume] [-r N]",
      "",
      "Train HSPNet (a new round folder checkpoints/{checkpoint}/roundN per run), continue a killed",
      "training, or evaluate a round.",
      "",
      "options:",
      "  -c, --config-file FILE  YAML config; base.yaml beside it (or the built-in one) gives the defaults",
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

  public static TrainArgs parse(String... args) {
    Path config = null;
    boolean test = false, resume = false, help = false;
    Integer round = null;
    for (int i = 0; i < args.length; i++) {
      OptionWord word = OptionWord.of(args[i]);
      String a = word.name();
      String value = word.value();
      switch (a) {
        case "-h", "--help" -> help = true;
        case "-t", "--test" -> test = true;
        case "--resume" -> resume = true;
        case "-c", "--config-file" -> {
          if (value == null) value = next(args, ++i, a);
          config = Path.of(value);
        }
        case "-r", "--round" -> {
          if (value == null) value = next(args, ++i, a);
          try {
            round = Integer.parseInt(value);
          } catch (NumberFormatException e) {
            throw new ConfigException("option " + a + " needs a round number, got '" + value + "'");
          }
          if (round < 1) throw new ConfigException("option " + a + " needs a round number of 1 or more, got " + round);
        }
        default -> throw new ConfigException("unknown option '" + args[i] + "' (see --help)");
      }
    }
    if (!help && config == null) throw new ConfigException("missing -c CONFIG_FILE (see --help)");
    if (test && resume && !help) throw new ConfigException("-t and --resume exclude each other: evaluate a round, or continue training it");
    if (round != null && !test && !resume && !help)
      throw new ConfigException("-r selects the round to test or to resume; use it with -t or --resume (training always starts a new round)");
    return new TrainArgs(config, test, resume, round, help);
  }

  private static String next(String[] args, int i, String option) {
    if (i >= args.length || args[i].startsWith("-")) throw new ConfigException("option " + option + " needs a value");
    return args[i];
  }
}
