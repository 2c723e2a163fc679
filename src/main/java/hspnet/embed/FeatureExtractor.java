package hspnet.embed;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;

import hspnet.clip.ClipArch;
import hspnet.clip.ClipHeads;
import hspnet.clip.ClipLoader;
import hspnet.clip.ClipModel;
import hspnet.nn.CpuNumerics;
import hspnet.clip.tokenizer.ClipTokenizer;
import hspnet.clip.HeadCountException;
import hspnet.config.ConfigException;
import hspnet.data.ClipTransform;
import hspnet.io.Npy;
import hspnet.io.NpyArray;
import hspnet.model.PromptTokens;
import hspnet.nn.Tensors;
import java.util.ArrayList;

/**
 * What EmbedMain does: load CLIP weights, turn the texts and images into CLIP features (encode_text /
 * encode_image, eval mode, no normalisation) and write them as float32 .npy files. All inputs are
 * read and all features computed before anything is written, so bad input leaves no output behind.
 */
public final class FeatureExtractor {
  /** Rows per forward pass: bounds memory for long lists without slowing small ones. */
  private static final int TEXT_BATCH = 256, IMAGE_BATCH = 32;

  private FeatureExtractor() {}

  /** @return the files written */
  public static List<Path> run(EmbedArgs a, PrintStream log) throws IOException {
    CpuNumerics.pin();
    ClipModel clip;
    try {
      clip = ClipLoader.load(a.clip(), new ClipHeads(a.visionHeads(), a.textHeads()));
    } catch (HeadCountException e) {
      throw new ConfigException(e.getMessage());
    }
    ClipArch arch = clip.arch();
    log.printf("CLIP %s: %s image tower, %dx%d images, embedding %d%n", a.clip(),
        arch.vision() instanceof ClipArch.Vit ? "ViT" : "ResNet", arch.imageResolution(), arch.imageResolution(), arch.embedDim());

    long[][] tokens = a.tokensNpy() != null ? tokenRows(a.tokensNpy(), arch)
        : a.texts().isEmpty() ? null : tokenizer(a.vocab(), arch).tokenize(a.texts(), arch.contextLength(), a.truncate());
    float[] images = a.imagesNpy() != null ? imageBatch(a.imagesNpy(), arch)
        : a.images().isEmpty() ? null : imageFiles(a.images(), arch);

    float[] textFeatures = tokens == null ? null : encodeText(clip, tokens);
    int perImage = 3 * arch.imageResolution() * arch.imageResolution();
    float[] imageFeatures = images == null ? null : encodeImages(clip, images, images.length / perImage, arch.imageResolution());

    List<Path> written = new ArrayList<>();
    if (textFeatures != null) written.add(write(a.out() + ".text.npy", textFeatures, tokens.length, arch.embedDim(), log));
    if (imageFeatures != null)
      written.add(write(a.out() + ".image.npy", imageFeatures, images.length / perImage, arch.embedDim(), log));
    return written;
  }

  static ClipTokenizer tokenizer(String vocab, ClipArch arch) {
    ClipTokenizer t = vocab.equals("bytes") ? ClipTokenizer.bytesOnly() : ClipTokenizer.fromPath(Path.of(vocab));
    if (t.vocabSize() != arch.vocabSize())
      throw new IllegalArgumentException(vocab + ": a vocabulary of " + t.vocabSize() + " tokens, but the CLIP weights have "
          + arch.vocabSize() + "; use the vocabulary they were trained with (bpe_simple_vocab_16e6.txt.gz for OpenAI's)");
    return t;
  }

  /** Token ids from an int64 (N, context_length) .npy, checked against the model's vocabulary. */
  static long[][] tokenRows(Path file, ClipArch arch) throws IOException {
    NpyArray a = Npy.read(file);
    long[] shape = a.shape();
    if (a.dtype() != NpyArray.DType.INT64 && a.dtype() != NpyArray.DType.INT32)
      throw new IllegalArgumentException(file + ": token ids must be int64 (or int32), got " + a.dtype());
    if (shape.length != 2 || shape[1] != arch.contextLength() || shape[0] < 1)
      throw new IllegalArgumentException(file + ": token ids must have shape (N, " + arch.contextLength() + "), got "
          + Arrays.toString(shape));
    long[] flat = a.longs();
    int n = (int) shape[0], len = (int) shape[1];
    long[][] rows = new long[n][len];
    for (int i = 0; i < n; i++) {
      System.arraycopy(flat, i * len, rows[i], 0, len);
      for (int j = 0; j < len; j++)
        if (rows[i][j] < 0 || rows[i][j] >= arch.vocabSize())
          throw new IllegalArgumentException(file + ": row " + i + " position " + j + " holds id " + rows[i][j]
              + ", outside the vocabulary [0, " + arch.vocabSize() + ")");
    }
    return rows;
  }

  /** Normalised images from a float (N, 3, R, R) .npy, R the weights' resolution. */
  static float[] imageBatch(Path file, ClipArch arch) throws IOException {
    NpyArray a = Npy.read(file);
    long[] shape = a.shape();
    int r = arch.imageResolution();
    if (a.dtype() != NpyArray.DType.FLOAT32 && a.dtype() != NpyArray.DType.FLOAT64)
      throw new IllegalArgumentException(file + ": images must be float32, got " + a.dtype());
    if (shape.length != 4 || shape[0] < 1 || shape[1] != 3 || shape[2] != r || shape[3] != r)
      throw new IllegalArgumentException(file + ": images must have shape (N, 3, " + r + ", " + r + ") for these weights, got "
          + Arrays.toString(shape));
    return a.floats();
  }

  static float[] imageFiles(List<Path> files, ClipArch arch) {
    ClipTransform transform = new ClipTransform(arch.imageResolution());
    float[] out = new float[Math.multiplyExact(files.size(), transform.floatsPerImage())];
    for (int i = 0; i < files.size(); i++) transform.apply(files.get(i), out, i * transform.floatsPerImage());
    return out;
  }

  static float[] encodeText(ClipModel clip, long[][] rows) {
    int e = clip.arch().embedDim();
    float[] out = new float[rows.length * e];
    for (int start = 0; start < rows.length; start += TEXT_BATCH) {
      long[][] batch = Arrays.copyOfRange(rows, start, Math.min(rows.length, start + TEXT_BATCH));
      try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
        float[] f = Tensors.toFloats(clip.encodeText(PromptTokens.asTensor(batch), batch));
        System.arraycopy(f, 0, out, start * e, f.length);
      }
    }
    return out;
  }

  static float[] encodeImages(ClipModel clip, float[] images, int n, int r) {
    int e = clip.arch().embedDim(), per = 3 * r * r;
    float[] out = new float[n * e];
    for (int start = 0; start < n; start += IMAGE_BATCH) {
      int count = Math.min(IMAGE_BATCH, n - start);
      float[] chunk = Arrays.copyOfRange(images, start * per, (start + count) * per);
      try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
        float[] f = Tensors.toFloats(clip.encodeImage(Tensors.ofFloats(chunk, count, 3, r, r)));
        System.arraycopy(f, 0, out, start * e, f.length);
      }
    }
    return out;
  }

  private static Path write(String name, float[] features, int rows, int dim, PrintStream log) throws IOException {
    Path file = Path.of(name);
    if (file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
    Npy.write(file, NpyArray.ofFloats(features, rows, dim));
    log.printf("wrote %s (%d x %d float32)%n", file, rows, dim);
    return file;
  }
}
