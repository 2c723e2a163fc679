package hspnet.predict;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import hspnet.config.ConfigException;
import hspnet.config.OptionWord;

/**
 * PredictMain's command line. Problems are ConfigExceptions (exit status 2).
 *
 * @param round the round whose model-highest.ckpt to use; null with {@code checkpoint} or for the latest round
 * @param threshold null: the config's {@code thre}
 * @param format null: from the {@code --out} file's extension (.json, .csv), else a table
 * @param batchSize null: the config's {@code batch_size}
 */
public record PredictArgs(Path configFile, Integer round, Path checkpoint, Double threshold, int topK, Format format,
    Path out, Integer batchSize, List<Path> inputs, boolean help) {

  /** How predictions are written. */
  public enum Format {
    TABLE, JSON, CSV;

    static Format of(String name) {
      return switch (name.toLowerCase(Locale.ROOT)) {
        case "table" -> TABLE;
        case "json" -> JSON;
        case "csv" -> CSV;
        default -> throw new ConfigException("option --format takes table, json or csv, got '" + name + "'");
      };
    }
  }

  public static final int DEFAULT_TOP_K = 5;

  public static final String USAGE = String.join("\n",
      "usage: hspnet-predict [-h] -c CONFIG_FILE [-r N | --checkpoint FILE] [--threshold X] [--top-k K]",
      "                      [--format table|json|csv] [--out FILE] [--batch-size N] IMAGES_OR_FOLDERS...",
      "",
      "Labels of images with a trained HSPNet: for every image the labels whose score (sigmoid of the",
      "logit) is above the threshold, and the K best labels, with their scores.",
      "",
      "options:",
      "  -c, --config-file FILE  the config the model was trained with (labels, CLIP, image size, device)",
      "  -r, --round N           use round N's model-highest.ckpt (default: the latest round)",
      "      --checkpoint FILE   use this checkpoint instead (a state dict of the config's model)",
      "      --threshold X       a label is predicted when its score is above X (default: the config's thre)",
      "      --top-k K           also list the K best labels of every image (default " + DEFAULT_TOP_K + ")",
      "      --format F          table (the default on the terminal), json or csv",
      "      --out FILE          write to FILE (atomically) instead of the terminal; .json / .csv set the format",
      "      --batch-size N      images per batch (default: the config's batch_size)",
      "  -h, --help              show this help and exit",
      "",
      "Folders are searched recursively for .jpg .jpeg .png .bmp .webp .tif .tiff .ppm .pgm .pbm files.",
      "Unreadable images are listed and skipped; the exit status is 1 only when no image could be read.",
      "",
      "example: hspnet-predict -c configs/hspnet+demo.yaml -r 1 data/demo/images/val",
      "         hspnet-predict -c configs/hspnet+demo.yaml --out predictions.json photo1.jpg photo2.png",
      "");

  private static final Set<String> FLAGS = Set.of("-h", "--help");
  private static final Set<String> VALUED = Set.of("-c", "--config-file", "-r", "--round", "--checkpoint", "--threshold",
      "--top-k", "--format", "--out", "--batch-size");

  public static PredictArgs parse(String... args) {
    Path config = null, checkpoint = null, out = null;
    Integer round = null, topK = null, batchSize = null;
    Double threshold = null;
    Format format = null;
    boolean help = false, onlyInputs = false;
    List<Path> inputs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (onlyInputs || !a.startsWith("-") || a.equals("-")) {
        inputs.add(Path.of(a));
        continue;
      }
      if (a.equals("--")) {   // everything after it is an image, even a name starting with '-'
        onlyInputs = true;
        continue;
      }
      OptionWord word = OptionWord.of(a);
      String value = word.value();
      a = word.name();
      if (!FLAGS.contains(a) && !VALUED.contains(a)) throw new ConfigException("unknown option '" + args[i] + "' (see --help)");
      if (VALUED.contains(a) && value == null) {
        if (++i >= args.length || args[i].startsWith("-") && !isNumber(args[i]))
          throw new ConfigException("option " + a + " needs a value (see --help)");
        value = args[i];
      }
      switch (a) {
        case "-h", "--help" -> help = true;
        case "-c", "--config-file" -> config = once(config, Path.of(value), a);
        case "-r", "--round" -> round = once(round, positive(value, a, "a round number"), a);
        case "--checkpoint" -> checkpoint = once(checkpoint, Path.of(value), a);
        case "--threshold" -> threshold = once(threshold, probability(value), a);
        case "--top-k" -> topK = once(topK, positive(value, a, "a count"), a);
        case "--format" -> format = once(format, Format.of(value), a);
        case "--out" -> out = once(out, Path.of(value), a);
        case "--batch-size" -> batchSize = once(batchSize, positive(value, a, "a batch size"), a);
        default -> throw new IllegalStateException("option " + a + " is listed but not handled");
      }
    }
    if (!help) {
      if (config == null) throw new ConfigException("missing -c CONFIG_FILE (see --help)");
      if (round != null && checkpoint != null) throw new ConfigException("give either -r N or --checkpoint FILE, not both");
      if (inputs.isEmpty()) throw new ConfigException("no images given: name image files or folders (see --help)");
      if (format == null) format = out == null ? Format.TABLE : formatOf(out);
    }
    return new PredictArgs(config, round, checkpoint, threshold, topK == null ? DEFAULT_TOP_K : topK, format, out, batchSize,
        List.copyOf(inputs), help);
  }

  private static Format formatOf(Path out) {
    String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".json")) return Format.JSON;
    if (name.endsWith(".csv")) return Format.CSV;
    return Format.TABLE;
  }

  private static boolean isNumber(String s) {
    try {
      Double.parseDouble(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static <T> T once(T previous, T value, String option) {
    if (previous != null) throw new ConfigException("option " + option + " given twice");
    return value;
  }

  private static int positive(String value, String option, String what) {
    try {
      int n = Integer.parseInt(value);
      if (n >= 1) return n;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException("option " + option + " needs " + what + " of 1 or more, got '" + value + "'");
  }

  private static double probability(String value) {
    try {
      double x = Double.parseDouble(value);
      if (x >= 0 && x <= 1) return x;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException("option --threshold needs a score between 0 and 1, got '" + value + "'");
  }
}
