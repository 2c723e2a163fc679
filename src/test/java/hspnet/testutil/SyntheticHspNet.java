package hspnet.testutil;

import static org.bytedeco.pytorch.global.torch.manual_seed;

import java.util.List;
import java.util.Random;

import hspnet.clip.ClipArch;
import hspnet.clip.ClipInit;
import hspnet.clip.ClipModel;
import hspnet.model.HspNet;
import hspnet.model.Prompts;

/**
 * HSPNet for benchmarks (src/bench/java) and tests: a randomly initialised CLIP (same compute as pretrained weights of that
 * architecture) over a COCO-like label space — 80 labels in COCO's 12 supercategories, with their
 * sizes — so that the text branch runs the prompts the real model runs: group prompts of 8 tokens
 * ("a photo of a {group}." with SOT/EOT) and label prompts of 8 to 10 ("X X X X {label}.", labels
 * of 1 to 3 BPE tokens), token ids of CLIP's 49,408-entry vocabulary. The relation matrix is the
 * cosine similarity of random unit vectors (its values do not change the compute).
 */
public final class SyntheticHspNet {
  /** Labels per COCO supercategory (person, vehicle, outdoor, animal, accessory, sports, kitchen, food, furniture, electronic, appliance, indoor). */
  static final int[] COCO_GROUP_SIZES = {1, 8, 5, 10, 5, 10, 7, 10, 6, 6, 5, 7};
  static final int VOCAB = 49408, SOT = 49406, EOT = 49407, CONTEXT = 77, N_CTX = 4;
  static final double REWEIGHT_P = 0.2;

  /** The architectures the benchmark runs: the RN50, and a small one for CPU smoke runs. */
  public enum Size {
    /** CLIP RN50: ModifiedResNet [3,4,6,3], width 64, embedding 1024; text width 512, 8 heads, 12 layers. */
    RN50,
    /** A few-second CPU model: one bottleneck per stage, width 16, embedding 64; text width 64, 2 layers. */
    SMALL;

    public ClipArch arch(int imageSize) {
      return switch (this) {
        case RN50 -> ClipArch.resNet(1024, imageSize, List.of(3, 4, 6, 3), 64, ClipArch.defaultVisionHeads(64), CONTEXT, VOCAB,
            512, 8, 12);
        case SMALL -> ClipArch.resNet(64, imageSize, List.of(1, 1, 1, 1), 16, ClipArch.defaultVisionHeads(16), CONTEXT, VOCAB,
            64, 2, 2);
      };
    }
  }

  private SyntheticHspNet() {}

  public static int numLabels() {
    int c = 0;
    for (int n : COCO_GROUP_SIZES) c += n;
    return c;
  }

  /** The number of label groups (COCO supercategories). */
  public static int numGroups() {
    return COCO_GROUP_SIZES.length;
  }

  /** A new model; the first call after {@code manual_seed} gives the same weights for the same seed. */
  public static HspNet build(ClipArch arch, long seed) {
    manual_seed(seed);
    ClipModel clip = new ClipModel(arch);
    ClipInit.initialize(clip);
    return new HspNet(clip, prompts(), relation(seed), REWEIGHT_P);
  }

  static Prompts prompts() {
    int g = COCO_GROUP_SIZES.length, c = numLabels();
    long[][] parents = new long[g][], children = new long[c][];
    int[] groupOf = new int[c];
    for (int i = 0; i < g; i++) parents[i] = row(new long[] {320, 1125, 539, 320, 1000 + i, 269});
    for (int i = 0, k = 0; i < g; i++) {
      for (int j = 0; j < COCO_GROUP_SIZES[i]; j++, k++) {
        int nameTokens = 1 + k % 3;
        long[] words = new long[N_CTX + nameTokens + 1];
        for (int x = 0; x < N_CTX; x++) words[x] = 343;                    // "X"
        for (int x = 0; x < nameTokens; x++) words[N_CTX + x] = 2000 + 7 * k + x;
        words[words.length - 1] = 269;                                      // "."
        children[k] = row(words);
        groupOf[k] = i;
      }
    }
    return new Prompts(parents, children, groupOf, N_CTX, N_CTX);
  }

  /** SOT, the words, EOT, zero padding to the context length. */
  private static long[] row(long[] words) {
    long[] r = new long[CONTEXT];
    r[0] = SOT;
    System.arraycopy(words, 0, r, 1, words.length);
    r[1 + words.length] = EOT;
    return r;
  }

  /** (C+G)² cosine similarities of random unit vectors in 64 dimensions, labels then groups. */
  static float[] relation(long seed) {
    int n = numLabels() + COCO_GROUP_SIZES.length, d = 64;
    Random r = new Random(seed);
    double[][] v = new double[n][d];
    for (double[] row : v) {
      double norm = 0;
      for (int k = 0; k < d; k++) {
        row[k] = r.nextGaussian();
        norm += row[k] * row[k];
      }
      for (int k = 0; k < d; k++) row[k] /= Math.sqrt(norm);
    }
    float[] m = new float[n * n];
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++) {
        double dot = 0;
        for (int k = 0; k < d; k++) dot += v[i][k] * v[j][k];
        m[i * n + j] = (float) dot;
      }
    return m;
  }
}
