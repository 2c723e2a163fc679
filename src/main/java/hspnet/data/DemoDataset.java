package hspnet.data;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.bytedeco.opencv.opencv_core.Mat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import hspnet.data.LabelList.Sample;
import hspnet.io.AtomicFiles;
import java.util.Locale;

/**
 * A procedurally drawn multi-label dataset, so that the program trains on a fresh machine with
 * nothing downloaded: 4 groups (sky, sea, garden, street) of 4 labels, each label a small object
 * of its own shape and colour. An image shows one group (probability 0.6) or two, and 1–3 labels of
 * each, so labels of a group co-occur, which is the hierarchy HSPNet's parent prompts model.
 *
 * <p>Layout under the root folder (list paths are relative to the root):
 * {@code images/train/00000.png …}, {@code images/val/…}, {@code train.txt} (one positive per
 * image, drawn uniformly from its positives: the single-positive setting), {@code train_full.txt}
 * (all positives, for analysis), {@code val.txt} (all positives), {@code labels.yaml} and
 * {@code dataset.json} (the generator's parameters).
 *
 * <p>Everything is a function of the seed: image i of a split is drawn from a Random seeded with
 * (seed, split, i), so generation is parallel and still byte-for-byte reproducible.
 */
public final class DemoDataset {
  public static final int DEFAULT_TRAIN = 2000;
  public static final int DEFAULT_VAL = 500;
  public static final int DEFAULT_IMAGE_SIZE = 64;

  public static final String TRAIN_LIST = "train.txt";
  public static final String TRAIN_FULL_LIST = "train_full.txt";
  public static final String VAL_LIST = "val.txt";
  public static final String LABELS = "labels.yaml";
  public static final String META = "dataset.json";

  /** Bumped whenever the drawing or the sampling changes, so old folders are regenerated. */
  static final int VERSION = 1;
  private static final String GENERATOR = "hspnet.data.DemoDataset";
  private static final int SPLIT_TRAIN = 0, SPLIT_VAL = 1, SPLIT_SINGLE = 2;
  private static final int CHANCE_DRAWS = 20;

  private static final LabelSet LABEL_SET = new LabelSet(
      List.of("sun", "moon", "cloud", "bird",
          "boat", "fish", "wave", "starfish",
          "flower", "tree", "mushroom", "butterfly",
          "car", "house", "bus", "traffic_light"),
      List.of("sky", "sea", "garden", "street"),
      new int[] {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3});

  private DemoDataset() {}

  public static LabelSet labelSet() {
    return LABEL_SET;
  }

  /** Generates the default-size dataset (see {@link #generate(Path, long, int, int, int)}). */
  public static void generate(Path root, long seed) throws IOException {
    generate(root, seed, DEFAULT_TRAIN, DEFAULT_VAL, DEFAULT_IMAGE_SIZE);
  }

  /**
   * Makes {@code root} hold the dataset of these parameters. Returns at once when it already does;
   * replaces an incomplete or different demo dataset; refuses a folder that holds anything else.
   * The dataset is written next to {@code root} and renamed into place, so a crash never leaves a
   * half-written dataset under {@code root}.
   */
  public static void generate(Path root, long seed, int trainCount, int valCount, int imageSize) throws IOException {
    if (trainCount <= 0 || valCount <= 0)
      throw new IllegalArgumentException("trainCount and valCount must be positive, got " + trainCount + " and " + valCount);
    if (imageSize < 16) throw new IllegalArgumentException("imageSize must be at least 16, got " + imageSize);
    root = root.toAbsolutePath().normalize();
    JsonNode meta = meta(seed, trainCount, valCount, imageSize);
    if (isComplete(root, meta)) return;
    checkReplaceable(root);

    Path parent = root.getParent();
    Files.createDirectories(parent);
    Path tmp = parent.resolve("." + root.getFileName() + ".tmp-" + UUID.randomUUID());
    try {
      write(tmp, seed, trainCount, valCount, imageSize, meta);
      install(tmp, root, meta);
    } finally {
      deleteTree(tmp);
    }
  }

  private static void write(Path dir, long seed, int trainCount, int valCount, int imageSize, JsonNode meta) throws IOException {
    Files.createDirectories(dir.resolve("images/train"));
    Files.createDirectories(dir.resolve("images/val"));
    List<Sample> train = drawSplit(dir, "train", SPLIT_TRAIN, seed, trainCount, imageSize);
    List<Sample> val = drawSplit(dir, "val", SPLIT_VAL, seed, valCount, imageSize);
    List<Sample> single = new ArrayList<>(train.size());
    for (int i = 0; i < train.size(); i++) {
      int[] positives = train.get(i).labels();
      int one = positives[new Random(imageSeed(seed, SPLIT_SINGLE, i)).nextInt(positives.length)];
      single.add(new Sample(train.get(i).path(), new int[] {one}));
    }
    LabelList.write(dir.resolve(TRAIN_LIST), single);
    LabelList.write(dir.resolve(TRAIN_FULL_LIST), train);
    LabelList.write(dir.resolve(VAL_LIST), val);
    LABEL_SET.write(dir.resolve(LABELS));
    // Last: its presence marks the folder as a finished dataset.
    AtomicFiles.write(dir.resolve(META), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(meta));
  }

  private static List<Sample> drawSplit(Path dir, String split, int splitId, long seed, int count, int imageSize) {
    String pattern = "images/" + split + "/%0" + Math.max(5, String.valueOf(count - 1).length()) + "d.png";
    Sample[] samples = new Sample[count];
    IntStream.range(0, count).parallel().forEach(i -> {
      Random random = new Random(imageSeed(seed, splitId, i));
      int[] positives = DemoScene.sampleLabels(random, LABEL_SET);
      String path = String.format(Locale.ROOT, pattern, i);
      try (Mat image = DemoScene.render(random, positives, LABEL_SET, imageSize)) {
        if (!imwrite(dir.resolve(path).toString(), image))
          throw new UncheckedIOException(new IOException(dir.resolve(path) + ": OpenCV could not write the image"));
      }
      samples[i] = new Sample(path, positives);
    });
    return Arrays.asList(samples);
  }

  /** The seed of image {@code index} of a split: independent of the split sizes. */
  static long imageSeed(long seed, int split, int index) {
    return Seeds.mix(seed, split, index);
  }

  /** The parameters as dataset.json holds them (read back, so numbers compare as they will on disk). */
  private static JsonNode meta(long seed, int trainCount, int valCount, int imageSize) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode m = json.createObjectNode();
    m.put("generator", GENERATOR);
    m.put("version", VERSION);
    m.put("seed", seed);
    m.put("trainCount", trainCount);
    m.put("valCount", valCount);
    m.put("imageSize", imageSize);
    m.put("pOneGroup", DemoScene.P_ONE_GROUP);
    ArrayNode perGroup = m.putArray("pLabelsPerGroup");
    for (double p : DemoScene.P_LABELS_PER_GROUP) perGroup.add(p);
    m.put("supersample", DemoScene.SUPERSAMPLE);
    m.put("backgroundTint", DemoScene.TINT);
    m.put("noiseStd", DemoScene.NOISE);
    m.put("objectHalfSizeMin", DemoScene.MIN_HALF);
    m.put("objectHalfSizeMax", DemoScene.MAX_HALF);
    ArrayNode groups = m.putArray("groups");
    LABEL_SET.groups().forEach(groups::add);
    ObjectNode labels = m.putObject("labels");
    for (int c = 0; c < LABEL_SET.numClasses(); c++) labels.put(LABEL_SET.labels().get(c), LABEL_SET.groups().get(LABEL_SET.groupOf(c)));
    return json.readTree(json.writeValueAsBytes(m));
  }

  /** True when root holds a finished dataset of exactly these parameters with all its files. */
  static boolean isComplete(Path root, JsonNode meta) {
    Path metaFile = root.resolve(META);
    if (!Files.isRegularFile(metaFile)) return false;
    try {
      if (!new ObjectMapper().readTree(metaFile.toFile()).equals(meta)) return false;
      for (String f : List.of(TRAIN_LIST, TRAIN_FULL_LIST, VAL_LIST, LABELS))
        if (!Files.isRegularFile(root.resolve(f))) return false;
      int c = LABEL_SET.numClasses();
      List<Sample> train = LabelList.read(root.resolve(TRAIN_FULL_LIST), c), val = LabelList.read(root.resolve(VAL_LIST), c);
      if (train.size() != meta.get("trainCount").asInt() || val.size() != meta.get("valCount").asInt()) return false;
      if (LabelList.read(root.resolve(TRAIN_LIST), c).size() != train.size()) return false;
      return Stream.concat(train.stream(), val.stream()).allMatch(s -> Files.isRegularFile(root.resolve(s.path())));
    } catch (IOException | IllegalArgumentException e) {
      return false;   // unreadable means incomplete: regenerate
    }
  }

  /** Only an empty folder or one of our own datasets may be replaced: never a user's folder. */
  private static void checkReplaceable(Path root) throws IOException {
    if (!Files.exists(root)) return;
    if (!Files.isDirectory(root)) throw new IllegalArgumentException(root + ": exists and is not a folder; refusing to replace it with the demo dataset");
    try (Stream<Path> entries = Files.list(root)) {
      if (entries.findAny().isEmpty()) return;
    }
    Path metaFile = root.resolve(META);
    boolean ours = false;
    if (Files.isRegularFile(metaFile)) {
      try {
        JsonNode old = new ObjectMapper().readTree(metaFile.toFile());
        ours = old != null && GENERATOR.equals(old.path("generator").asText());
      } catch (IOException e) {
        ours = false;
      }
    }
    if (!ours)
      throw new IllegalArgumentException(root + ": folder is not empty and holds no demo dataset (" + META
          + " from " + GENERATOR + "); refusing to overwrite it");
  }

  private static void install(Path tmp, Path root, JsonNode meta) throws IOException {
    Path old = null;
    if (Files.exists(root)) {
      old = root.resolveSibling("." + root.getFileName() + ".old-" + UUID.randomUUID());
      Files.move(root, old, StandardCopyOption.ATOMIC_MOVE);
    }
    try {
      Files.move(tmp, root, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
      // Another process installed it meanwhile; keep theirs if it is what we wanted.
      if (!isComplete(root, meta)) throw e;
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, root);
    }
    if (old != null) deleteTree(old);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * The mAP (in %) of random scores on {@code val}, averaged over several draws: the chance level
   * a trained model must beat. It is about 100 × the mean label frequency.
   */
  public static double chanceMap(List<Sample> val, int numClasses, long seed) {
    int n = val.size();
    boolean[][] positive = new boolean[numClasses][n];
    for (int i = 0; i < n; i++)
      for (int k = 0; k < val.get(i).numLabels(); k++) positive[val.get(i).label(k)][i] = true;
    double sum = 0;
    for (int d = 0; d < CHANCE_DRAWS; d++) {
      Random random = new Random(seed + d);
      double apSum = 0;
      for (int c = 0; c < numClasses; c++) {
        double[] scores = new double[n];
        for (int i = 0; i < n; i++) scores[i] = random.nextDouble();
        apSum += averagePrecision(scores, positive[c]);
      }
      sum += 100 * apSum / numClasses;
    }
    return sum / CHANCE_DRAWS;
  }

  /** SPEC §4's AP: precision at each positive's rank, summed, over (positives + 1e-8). */
  private static double averagePrecision(double[] scores, boolean[] positive) {
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) order[i] = i;
    Arrays.sort(order, (p, q) -> Double.compare(scores[q], scores[p]));
    double sum = 0;
    int hits = 0;
    for (int rank = 0; rank < order.length; rank++)
      if (positive[order[rank]]) sum += (double) ++hits / (rank + 1);
    return sum / (hits + 1e-8);
  }
}
