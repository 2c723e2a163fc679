package hspnet.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import hspnet.data.LabelList.Sample;

/**
 * Single-positive training labels as the SPML literature makes them (Cole et al. 2021): every
 * image keeps one of its positive labels, drawn uniformly, and the others become unknown. The
 * draws follow the list order from one seeded stream, so a seed always gives the same list.
 */
public final class SinglePositive {
  private SinglePositive() {}

  public static List<Sample> draw(List<Sample> fullyLabelled, long seed) {
    Random random = new Random(Seeds.mix(seed));
    List<Sample> out = new ArrayList<>(fullyLabelled.size());
    for (Sample s : fullyLabelled) {
      if (s.numLabels() == 0) throw new IllegalArgumentException(s.describe() + " has no positive label to keep");
      out.add(new Sample(s.path(), new int[] {s.label(random.nextInt(s.numLabels()))}, s.origin()));
    }
    return out;
  }
}
