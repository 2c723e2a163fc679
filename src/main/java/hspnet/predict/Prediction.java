package hspnet.predict;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/** The scores of one image for every label, in class index order. */
public record Prediction(Path image, float[] scores) {
  /** A label and its score. */
  public record Scored(int label, float score) {}

  public Prediction {
    scores = scores.clone();
  }

  @Override
  public float[] scores() {
    return scores.clone();
  }

  /** The labels scoring strictly above {@code threshold} (as the test mode's metrics count them), best first. */
  public List<Scored> above(double threshold) {
    float t = (float) threshold;
    List<Scored> out = new ArrayList<>();
    for (Scored s : ranked()) if (s.score() > t) out.add(s);
    return out;
  }

  /** The {@code k} best labels, best first (fewer when there are fewer labels). */
  public List<Scored> top(int k) {
    List<Scored> all = ranked();
    return all.subList(0, Math.min(k, all.size()));
  }

  /** Every label, highest score first; equal scores keep class order. */
  private List<Scored> ranked() {
    Integer[] order = IntStream.range(0, scores.length).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble((Integer c) -> scores[c]).reversed());
    return Arrays.stream(order).map(c -> new Scored(c, scores[c])).toList();
  }
}
