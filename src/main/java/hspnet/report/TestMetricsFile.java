package hspnet.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import hspnet.eval.Metrics;
import hspnet.io.AtomicFiles;

/**
 * {@code roundN/test_metrics.json}: what test mode ({@code -t}) measured, as the log prints it
 * (mAP and P_C, R_C, F_C, P_O, R_O, F_O in percent at the threshold) plus the AP, precision and
 * recall of every class with its label name.
 */
public final class TestMetricsFile {
  public static final String FILE = "test_metrics.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private TestMetricsFile() {}

  /**
   * @param map mAP in percent
   * @param ap AP of every class in [0, 1], as {@code Metrics.averagePrecisionPerClass} gives it
   */
  public static void write(Path roundDir, Path checkpoint, int images, double threshold, double map,
      Metrics.ThresholdMetrics m, double[] ap, List<String> labelNames) throws IOException {
    ObjectNode o = JSON.createObjectNode();
    o.put("checkpoint", checkpoint.toString());
    o.put("images", images);
    o.put("threshold", threshold);
    o.put("map", map);
    o.put("P_C", m.pC());
    o.put("R_C", m.rC());
    o.put("F_C", m.fC());
    o.put("P_O", m.pO());
    o.put("R_O", m.rO());
    o.put("F_O", m.fO());
    ArrayNode classes = o.putArray("per_class");
    for (int c = 0; c < ap.length; c++) {
      ObjectNode k = classes.addObject();
      k.put("index", c);
      k.put("label", labelNames.get(c));
      k.put("ap", 100 * ap[c]);
      k.put("precision", m.precision()[c]);
      k.put("recall", m.recall()[c]);
      k.put("f1", m.f1()[c]);
      k.put("true_positives", m.tp()[c]);
      k.put("false_positives", m.fp()[c]);
      k.put("false_negatives", m.fn()[c]);
    }
    AtomicFiles.write(roundDir.resolve(FILE), JSON.writeValueAsBytes(o));
  }
}
