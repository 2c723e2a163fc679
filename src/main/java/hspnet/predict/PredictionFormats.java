package hspnet.predict;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import hspnet.data.LabelSet;

/**
 * Predictions as text: an aligned table for people, JSON and CSV for programs. JSON and CSV name
 * labels as the label set does ({@code traffic_light}), the table as the prompts read them.
 */
public final class PredictionFormats {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** What the predictions were made with, written alongside them. */
  public record Context(LabelSet labels, double threshold, int topK, String checkpoint, String config) {}

  private PredictionFormats() {}

  public static String format(PredictArgs.Format format, List<Prediction> predictions, List<ImageInputs.Unreadable> unreadable,
      Context ctx) {
    return switch (format) {
      case TABLE -> table(predictions, ctx);
      case JSON -> json(predictions, unreadable, ctx);
      case CSV -> csv(predictions, ctx);
    };
  }

  /** One row per image: its path, the labels above the threshold, the top k. */
  public static String table(List<Prediction> predictions, Context ctx) {
    String aboveHeader = String.format(Locale.ROOT, "labels with score > %s", number(ctx.threshold()));
    String topHeader = "top " + ctx.topK();
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"image", aboveHeader, topHeader});
    for (Prediction p : predictions) {
      String above = joined(p.above(ctx.threshold()), ctx.labels()::displayName);
      rows.add(new String[] {p.image().toString(), above.isEmpty() ? "-" : above, joined(p.top(ctx.topK()), ctx.labels()::displayName)});
    }
    int w0 = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
    int w1 = rows.stream().mapToInt(r -> r[1].length()).max().orElse(0);
    StringBuilder out = new StringBuilder();
    for (String[] r : rows) out.append(pad(r[0], w0)).append("  ").append(pad(r[1], w1)).append("  ").append(r[2]).append('\n');
    return out.toString();
  }

  /** One object: the settings, the label names, every image's labels and top k, the unreadable images. */
  public static String json(List<Prediction> predictions, List<ImageInputs.Unreadable> unreadable, Context ctx) {
    ObjectNode root = JSON.createObjectNode();
    root.put("config", ctx.config());
    root.put("checkpoint", ctx.checkpoint());
    root.put("threshold", ctx.threshold());
    root.put("top_k", ctx.topK());
    ArrayNode names = root.putArray("label_names");
    ctx.labels().labels().forEach(names::add);
    ArrayNode images = root.putArray("images");
    for (Prediction p : predictions) {
      ObjectNode o = images.addObject();
      o.put("path", p.image().toString());
      scored(o.putArray("labels"), p.above(ctx.threshold()), ctx.labels());
      scored(o.putArray("top_k"), p.top(ctx.topK()), ctx.labels());
      ArrayNode all = o.putArray("scores");
      for (float s : p.scores()) all.add(s);
    }
    ArrayNode bad = root.putArray("unreadable");
    for (ImageInputs.Unreadable u : unreadable) bad.addObject().put("path", u.path().toString()).put("reason", u.reason());
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A header, then one row per image: path, the labels above the threshold and the top k (each
   * joined with ';', top k as label:score), then the score of every label in class order.
   */
  public static String csv(List<Prediction> predictions, Context ctx) {
    StringBuilder out = new StringBuilder();
    List<String> header = new ArrayList<>(List.of("path", "labels", "top_k"));
    header.addAll(ctx.labels().labels());
    row(out, header);
    for (Prediction p : predictions) {
      List<String> r = new ArrayList<>();
      r.add(p.image().toString());
      r.add(String.join(";", p.above(ctx.threshold()).stream().map(s -> ctx.labels().labels().get(s.label())).toList()));
      r.add(String.join(";", p.top(ctx.topK()).stream()
          .map(s -> ctx.labels().labels().get(s.label()) + ":" + score(s.score())).toList()));
      for (float s : p.scores()) r.add(Float.toString(s));
      row(out, r);
    }
    return out.toString();
  }

  private static void scored(ArrayNode into, List<Prediction.Scored> scored, LabelSet labels) {
    for (Prediction.Scored s : scored) into.addObject().put("label", labels.labels().get(s.label())).put("score", s.score());
  }

  private static String joined(List<Prediction.Scored> scored, Function<Integer, String> name) {
    return String.join(", ", scored.stream().map(s -> name.apply(s.label()) + " " + score(s.score())).toList());
  }

  private static String score(float s) {
    return String.format(Locale.ROOT, "%.3f", s);
  }

  private static String number(double x) {
    return x == Math.rint(x) ? String.format(Locale.ROOT, "%.1f", x) : Double.toString(x);
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s : s + " ".repeat(width - s.length());
  }

  /** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
  private static void row(StringBuilder out, List<String> fields) {
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) out.append(',');
      String f = fields.get(i);
      if (f.indexOf(',') >= 0 || f.indexOf('"') >= 0 || f.indexOf('\n') >= 0 || f.indexOf('\r') >= 0)
        out.append('"').append(f.replace("\"", "\"\"")).append('"');
      else out.append(f);
    }
    out.append('\n');
  }
}
