package hspnet.data;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.ellipse;
import static org.bytedeco.opencv.global.opencv_imgproc.line;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.util.Arrays;
import java.util.Random;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import java.util.stream.IntStream;

/**
 * One image of the demo dataset: which labels it shows (chosen by group, so that labels of a group
 * co-occur) and its picture (objects on a noisy, faintly group-tinted background).
 */
final class DemoScene {
  /** Probability that an image shows one group; otherwise it shows two. */
  static final double P_ONE_GROUP = 0.6;
  /** Probabilities of drawing 1, 2 or 3 labels from a chosen group. */
  static final double[] P_LABELS_PER_GROUP = {0.45, 0.35, 0.20};
  /** Objects are drawn at this multiple of the image size, then averaged down (antialiasing). */
  static final int SUPERSAMPLE = 2;
  /** Weight of the group tint in the background colours: a hint, not a giveaway. */
  static final double TINT = 0.3;
  /** Standard deviation of the per-pixel noise added at the final size. */
  static final double NOISE = 6.0;
  /** Half-size of an object as a fraction of the image side. */
  static final double MIN_HALF = 0.12, MAX_HALF = 0.19;

  /** Background tints of the groups (RGB): sky, sea, garden, street. */
  private static final int[][] TINTS = {{150, 190, 235}, {40, 120, 150}, {110, 160, 80}, {130, 130, 130}};

  private DemoScene() {}

  /** The sorted positive labels of one image, drawn group first. */
  static int[] sampleLabels(Random random, LabelSet labels) {
    int numGroups = labels.numGroups();
    int first = random.nextInt(numGroups);
    int[] groups;
    if (random.nextDouble() < P_ONE_GROUP) {
      groups = new int[] {first};
    } else {
      int second = random.nextInt(numGroups - 1);
      groups = new int[] {first, second >= first ? second + 1 : second};
    }
    int[] chosen = new int[labels.numClasses()];
    int n = 0;
    for (int g : groups) {
      int[] members = members(labels, g);
      int k = Math.min(members.length, 1 + pick(random, P_LABELS_PER_GROUP));
      // Partial Fisher–Yates: the first k of a shuffled copy.
      for (int i = 0; i < k; i++) {
        int j = i + random.nextInt(members.length - i);
        int t = members[i];
        members[i] = members[j];
        members[j] = t;
        chosen[n++] = members[i];
      }
    }
    int[] positives = Arrays.copyOf(chosen, n);
    Arrays.sort(positives);
    return positives;
  }

  private static int[] members(LabelSet labels, int group) {
    return IntStream.range(0, labels.numClasses()).filter(c -> labels.groupOf(c) == group).toArray();
  }

  private static int pick(Random random, double[] p) {
    double u = random.nextDouble(), acc = 0;
    for (int i = 0; i < p.length; i++) {
      acc += p[i];
      if (u < acc) return i;
    }
    return p.length - 1;
  }

  /**
   * Paints an image showing {@code positives}; the result is an 8-bit BGR Mat of size² pixels that
   * the caller closes.
   */
  static Mat render(Random random, int[] positives, LabelSet labels, int size) {
    int big = size * SUPERSAMPLE;
    Mat out = new Mat(size, size, CV_8UC3);
    try (PointerScope scope = new PointerScope()) {
      Mat canvas = new Mat(big, big, CV_8UC3);
      paintBackground(canvas, random, positives, labels, big);
      drawObjects(canvas, random, positives, big);
      resize(canvas, out, new Size(size, size), 0, 0, INTER_AREA);
    }
    addNoise(out, random, size);
    return out;
  }

  private static void paintBackground(Mat canvas, Random random, int[] positives, LabelSet labels, int big) {
    // Two muted colours in a linear gradient at a random angle, pulled a little toward the tint of
    // the groups present.
    double[] tint = new double[3];
    int[] groupsPresent = Arrays.stream(positives).map(labels::groupOf).distinct().toArray();
    for (int g : groupsPresent)
      for (int ch = 0; ch < 3; ch++) tint[ch] += TINTS[g % TINTS.length][ch] / (double) groupsPresent.length;
    double[] a = new double[3], b = new double[3];
    for (int ch = 0; ch < 3; ch++) {
      a[ch] = (1 - TINT) * (60 + random.nextInt(141)) + TINT * tint[ch];
      b[ch] = (1 - TINT) * (60 + random.nextInt(141)) + TINT * tint[ch];
    }
    double angle = random.nextDouble() * 2 * Math.PI, dx = Math.cos(angle), dy = Math.sin(angle);
    byte[] px = new byte[big * big * 3];
    double[] step = new double[3];
    for (int ch = 0; ch < 3; ch++) step[ch] = (b[ch] - a[ch]) / (big * 1.42);
    for (int y = 0; y < big; y++)
      for (int x = 0; x < big; x++) {
        // t in [0, 1] along the gradient direction; values stay in [0, 255], so +0.5 rounds.
        double t = 0.5 * big * 1.42 + (x - big / 2.0) * dx + (y - big / 2.0) * dy;
        int o = 3 * (y * big + x);
        px[o + 2] = (byte) (int) (a[0] + t * step[0] + 0.5);
        px[o + 1] = (byte) (int) (a[1] + t * step[1] + 0.5);
        px[o] = (byte) (int) (a[2] + t * step[2] + 0.5);
      }
    canvas.data().put(px);
    // Faint clutter: strokes and rings a little off the background colour, so that "any edge" is
    // not evidence of an object.
    int clutter = 3 + random.nextInt(4);
    for (int k = 0; k < clutter; k++) {
      double[] c = random.nextBoolean() ? a : b;
      try (Scalar colour = new Scalar(shade(c[2], random), shade(c[1], random), shade(c[0], random), 0)) {
        int thickness = 1 + random.nextInt(2 * SUPERSAMPLE);
        if (random.nextBoolean()) {
          try (Point p = new Point(random.nextInt(big), random.nextInt(big));
              Point q = new Point(random.nextInt(big), random.nextInt(big))) {
            line(canvas, p, q, colour, thickness, LINE_AA, 0);
          }
        } else {
          try (Point centre = new Point(random.nextInt(big), random.nextInt(big));
              Size axes = new Size(big / 10 + random.nextInt(big / 4), big / 10 + random.nextInt(big / 4))) {
            ellipse(canvas, centre, axes, random.nextInt(180), 0, 360, colour, thickness, LINE_AA, 0);
          }
        }
      }
    }
  }

  private static double shade(double v, Random random) {
    return Math.max(0, Math.min(255, v + (random.nextBoolean() ? 1 : -1) * (20 + random.nextInt(20))));
  }

  /** Places the objects in random order so that none hides another completely. */
  private static void drawObjects(Mat canvas, Random random, int[] positives, int big) {
    int[] drawOrder = positives.clone();
    for (int i = drawOrder.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = drawOrder[i];
      drawOrder[i] = drawOrder[j];
      drawOrder[j] = t;
    }
    // Smaller objects when there are many, so that up to six fit.
    double crowd = drawOrder.length <= 2 ? 1.0 : drawOrder.length <= 4 ? 0.85 : 0.72;
    double[] xs = new double[drawOrder.length], ys = new double[drawOrder.length], rs = new double[drawOrder.length];
    DemoPainter painter = new DemoPainter(canvas, random);
    for (int i = 0; i < drawOrder.length; i++) {
      double half = big * crowd * (MIN_HALF + random.nextDouble() * (MAX_HALF - MIN_HALF));
      double bestX = 0, bestY = 0, bestClearance = Double.NEGATIVE_INFINITY;
      // Rejection sampling: keep the candidate whose centre is farthest (relative to sizes) from the
      // objects already placed; stop early once it overlaps none by more than a sliver.
      for (int attempt = 0; attempt < 40; attempt++) {
        double x = half * 0.85 + random.nextDouble() * (big - 1.7 * half);
        double y = half * 0.85 + random.nextDouble() * (big - 1.7 * half);
        double clearance = Double.POSITIVE_INFINITY;
        for (int j = 0; j < i; j++)
          clearance = Math.min(clearance, Math.hypot(x - xs[j], y - ys[j]) / (half + rs[j]));
        if (clearance > bestClearance) {
          bestClearance = clearance;
          bestX = x;
          bestY = y;
        }
        if (clearance >= 0.8) break;
      }
      xs[i] = bestX;
      ys[i] = bestY;
      rs[i] = half;
      double rotation = Math.toRadians(-20 + 40 * random.nextDouble());
      painter.draw(drawOrder[i], bestX, bestY, half, rotation);
    }
  }

  private static void addNoise(Mat image, Random random, int size) {
    // Near-Gaussian noise from the sum of four random bytes (one nextInt per value): nextGaussian
    // would be most of the generation time.
    double scale = NOISE / Math.sqrt(4 * (256.0 * 256.0 - 1) / 12);
    byte[] px = new byte[size * size * 3];
    image.data().get(px);
    for (int i = 0; i < px.length; i++) {
      int bits = random.nextInt();
      int sum = (bits & 0xff) + ((bits >>> 8) & 0xff) + ((bits >>> 16) & 0xff) + (bits >>> 24);
      int v = (int) Math.round((px[i] & 0xff) + (sum - 510) * scale);
      px[i] = (byte) Math.max(0, Math.min(255, v));
    }
    image.data().put(px);
  }
}
