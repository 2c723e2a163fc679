package hspnet.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What one epoch of training measured, one line of {@code metrics.jsonl}. Epochs count from 0 as
 * in the log's {@code best_epoch}; mAPs and APs are percentages as the log prints them.
 *
 * @param loss mean SPLC loss over the epoch's steps
 * @param lrs learning rate of each parameter group at the end of the epoch (what the log's step
 *     lines print: the lr the schedule has set for the next step)
 * @param seconds the epoch's wall time, training and validation
 * @param trainSeconds wall time of the training steps alone
 * @param imagesPerSecond training images per second of trainSeconds
 * @param apOf which model's per-class AP is kept: "regular" or "ema", the better of the two
 * @param apPerClass AP of every class, in class index order
 */
public record EpochMetrics(int epoch, int steps, long images, double loss, double[] lrs, double mapRegular, double mapEma,
    double seconds, double trainSeconds, double imagesPerSecond, String apOf, double[] apPerClass) {

  public EpochMetrics {
    lrs = lrs.clone();
    apPerClass = apPerClass.clone();
  }

  /** The epoch's mAP: the better of the model and its EMA, as the log's current_mAP. */
  public double map() {
    return Math.max(mapRegular, mapEma);
  }

  @Override
  public double[] lrs() {
    return lrs.clone();
  }

  @Override
  public double[] apPerClass() {
    return apPerClass.clone();
  }

  public ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("epoch", epoch);
    o.put("steps", steps);
    o.put("images", images);
    o.put("loss", loss);
    ArrayNode l = o.putArray("lrs");
    for (double v : lrs) l.add(v);
    o.put("map_regular", mapRegular);
    o.put("map_ema", mapEma);
    o.put("seconds", seconds);
    o.put("train_seconds", trainSeconds);
    o.put("images_per_second", imagesPerSecond);
    o.put("ap_of", apOf);
    ArrayNode ap = o.putArray("ap_per_class");
    for (double v : apPerClass) ap.add(v);
    return o;
  }

  /** Reads one line's object; a missing or mistyped field is an IllegalArgumentException naming it. */
  public static EpochMetrics fromJson(JsonNode o) {
    return new EpochMetrics(integer(o, "epoch"), integer(o, "steps"), integer(o, "images"), number(o, "loss"),
        numbers(o, "lrs"), number(o, "map_regular"), number(o, "map_ema"), number(o, "seconds"),
        number(o, "train_seconds"), number(o, "images_per_second"), text(o, "ap_of"), numbers(o, "ap_per_class"));
  }

  private static JsonNode field(JsonNode o, String name) {
    JsonNode v = o.get(name);
    if (v == null || v.isNull()) throw new IllegalArgumentException("field '" + name + "' is missing");
    return v;
  }

  private static int integer(JsonNode o, String name) {
    JsonNode v = field(o, name);
    if (!v.canConvertToInt()) throw new IllegalArgumentException("field '" + name + "' is not an integer: " + v);
    return v.intValue();
  }

  /** A number; Jackson writes NaN and infinities (a diverged loss) as strings, read back here. */
  private static double number(JsonNode o, String name) {
    JsonNode v = field(o, name);
    if (v.isNumber()) return v.doubleValue();
    if (v.isTextual()) {
      switch (v.textValue()) {
        case "NaN": return Double.NaN;
        case "Infinity": return Double.POSITIVE_INFINITY;
        case "-Infinity": return Double.NEGATIVE_INFINITY;
        default: break;
      }
    }
    throw new IllegalArgumentException("field '" + name + "' is not a number: " + v);
  }

  private static double[] numbers(JsonNode o, String name) {
    JsonNode v = field(o, name);
    if (!v.isArray()) throw new IllegalArgumentException("field '" + name + "' is not a list: " + v);
    double[] out = new double[v.size()];
    for (int i = 0; i < out.length; i++) {
      if (!v.get(i).isNumber()) throw new IllegalArgumentException("field '" + name + "' entry " + i + " is not a number: " + v.get(i));
      out[i] = v.get(i).doubleValue();
    }
    return out;
  }

  private static String text(JsonNode o, String name) {
    JsonNode v = field(o, name);
    if (!v.isTextual()) throw new IllegalArgumentException("field '" + name + "' is not a string: " + v);
    return v.textValue();
  }
}
