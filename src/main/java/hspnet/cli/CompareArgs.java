package hspnet.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import hspnet.config.Choice;
import hspnet.config.LossKind;

/**
 * CompareMain's command line: {@code -c CONFIG --losses AN,WAN,... [--with-hspnet] [--out DIR]
 * [-o KEY=VALUE]...}.
 *
 * @param losses    the baseline losses to train clip_linear with, as the papers name them
 * @param out       the folder of the table and chart; null: checkpoints/{checkpoint}-compare
 * @param overrides {@code -o} texts, applied to every method's config
 */
public record CompareArgs(Path configFile, List<String> losses, boolean withHspnet, Path out, List<String> overrides, boolean help) {
  public static final String USAGE = String.join("\n",
      "usage: hspnet-compare [-h] -c CONFIG_FILE --losses LOSS[,LOSS...] [--with-hspnet] [--out DIR] [-o KEY=VALUE]...",
      "",
      "Train the baseline model (clip_linear: CLIP's image tower with a linear head) with each loss, and",
      "HSPNet with SPLC when asked, on the same data and seed, each in its own run folder",
      "(checkpoints/{checkpoint}-{method}/roundN); then write one table (Markdown and CSV: method, mAP,",
      "best epoch, seconds per epoch) and one chart.",
      "",
      "options:",
      "  -c, --config-file FILE  YAML config (data, recipe, seed shared by every method)",
      "      --losses LIST       comma-separated: AN, AN-LS, WAN, EPR, ROLE, LL-R, LL-Ct, LL-Cp, SPLC",
      "      --with-hspnet       also train HSPNet (model_name clip_gcn) with SPLC",
      "      --out DIR           where the table and chart go (default checkpoints/{checkpoint}-compare)",
      "  -o, --override KEY=VALUE",
      "                          set a config key for every method (repeatable)",
      "  -h, --help              show this help and exit",
      "",
      "example: hspnet-compare -c configs/hspnet+demo.yaml --losses AN,WAN,EPR,ROLE,LL-R,SPLC --with-hspnet",
      "");

  static final OptionParser PARSER = new OptionParser("hspnet-compare")
      .value("-c", "--config-file")
      .value("--losses")
      .flag("--with-hspnet")
      .value("--out")
      .repeated("-o", "--override");

  public static CompareArgs parse(String... args) {
    OptionParser.Parsed p = PARSER.parse(args);
    p.require("-c", "CONFIG_FILE");
    if (p.help()) return new CompareArgs(null, List.of(), false, null, List.of(), true);
    p.require("--losses", "LOSS[,LOSS...]");
    List<String> losses = new ArrayList<>();
    for (String l : p.value("--losses").split(",")) {
      String name = l.strip();
      if (name.isEmpty()) throw p.error("--losses: an empty name in '" + p.value("--losses") + "'");
      if (LossKind.named(name) == null)
        throw p.error("--losses: unknown loss '" + name + "'; one of " + Choice.words(LossKind.class));
      if (losses.contains(name)) throw p.error("--losses names " + name + " twice");
      losses.add(name);
    }
    return new CompareArgs(p.path("-c"), List.copyOf(losses), p.has("--with-hspnet"),
        p.has("--out") ? p.path("--out") : null, p.values("-o"), false);
  }
}
