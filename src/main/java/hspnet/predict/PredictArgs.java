package hspnet.predict;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import hspnet.cli.OptionParser;

/**
 * PredictMain's command line. Problems are UsageExceptions (exit status 2).
 *
 * @param round the round whose model-highest.ckpt to use; null with {@code checkpoint} or for the latest round
 * @param threshold null: the config's {@code thre}
 * @param format null: from the {@code --out} file's extension (.json, .csv), else a table
 * @param batchSize null: the config's {@code batch_size}
 * @param overrides the {@code KEY=VALUE} texts of {@code -o}, in order, over the config file
 */
public record PredictArgs(Path configFile, Integer round, Path checkpoint, Double threshold, int topK, Format format,
    Path out, Integer batchSize, List<Path> inputs, List<String> overrides, boolean help) {

  /** How predictions are written. */
  public enum Format {
    TABLE, JSON, CSV;

    static Format of(OptionParser.Parsed p, String name) {
      return switch (name.toLowerCase(Locale.ROOT)) {
        case "table" -> TABLE;
        case "json" -> JSON;
        case "csv" -> CSV;
        default -> throw p.error("option --format takes table, json or csv, got '" + name + "'");
      };
    }
  }

  public static final int DEFAULT_TOP_K = 5;

  public static final String USAGE = String.join("\n",
      "usage: hspnet-predict [-h] -c CONFIG_FILE [-r N | --checkpoint FILE] [--threshold X] [--top-k K]",
      "                      [--format table|json|csv] [--out FILE] [--batch-size N] [-o KEY=VALUE]...",
      "                      IMAGES_OR_FOLDERS...",
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
      "  -o, --override KEY=VALUE",
      "                          set a top-level config key over the file, as training does (repeatable)",
      "  -h, --help              show this help and exit",
      "",
      "Folders are searched recursively for .jpg .jpeg .png .bmp .webp .tif .tiff .ppm .pgm .pbm files.",
      "Unreadable images are listed and skipped; the exit status is 1 only when no image could be read.",
      "",
      "example: hspnet-predict -c configs/hspnet+demo.yaml -r 1 data/demo/images/val",
      "         hspnet-predict -c configs/hspnet+demo.yaml --out predictions.json photo1.jpg photo2.png",
      "");

  private static final OptionParser PARSER = new OptionParser("hspnet-predict")
      .value("-c", "--config-file")
      .value("-r", "--round")
      .value("--checkpoint")
      .value("--threshold")
      .value("--top-k")
      .value("--format")
      .value("--out")
      .value("--batch-size")
      .repeated("-o", "--override")
      .positionals();

  public static PredictArgs parse(String... args) {
    OptionParser.Parsed p = PARSER.parse(args);
    boolean help = p.help();
    p.require("-c", "CONFIG_FILE");
    Integer round = p.integer("-r", 1, "a round number");
    Path checkpoint = p.path("--checkpoint"), out = p.path("--out");
    Double threshold = p.has("--threshold") ? probability(p, p.value("--threshold")) : null;
    Integer topK = p.integer("--top-k", 1, "a count");
    Format format = p.has("--format") ? Format.of(p, p.value("--format")) : null;
    Integer batchSize = p.integer("--batch-size", 1, "a batch size");
    List<Path> inputs = p.positionals().stream().map(Path::of).toList();
    if (!help) {
      if (round != null && checkpoint != null) throw p.error("give either -r N or --checkpoint FILE, not both");
      if (inputs.isEmpty()) throw p.error("no images given: name image files or folders");
      if (format == null) format = out == null ? Format.TABLE : formatOf(out);
    }
    return new PredictArgs(p.path("-c"), round, checkpoint, threshold, topK == null ? DEFAULT_TOP_K : topK, format, out, batchSize,
        inputs, p.values("-o"), help);
  }

  private static Format formatOf(Path out) {
    String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".json")) return Format.JSON;
    if (name.endsWith(".csv")) return Format.CSV;
    return Format.TABLE;
  }

  private static double probability(OptionParser.Parsed p, String value) {
    try {
      double x = Double.parseDouble(value);
      if (x >= 0 && x <= 1) return x;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw p.error("option --threshold needs a score between 0 and 1, got '" + value + "'");
  }
}
