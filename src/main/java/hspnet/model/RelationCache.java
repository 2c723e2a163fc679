package hspnet.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import hspnet.clip.ClipModel;
import hspnet.io.AtomicFiles;
import hspnet.nn.StateDicts;
import hspnet.nn.Tensors;
import java.util.Arrays;

/**
 * The relation matrix computed from CLIP text features, kept beside a run's rounds
 * ({@code checkpoints/{checkpoint}/relation.npy}) so that every round and test mode of a run use
 * the same matrix without recomputing it. Beside it, {@code relation.fingerprint} holds a SHA-256
 * of everything the matrix depends on — the label and group names, the token ids of their prompts
 * (so the tokenizer and template too) and every tensor of CLIP's text path — and the cache is used
 * only when that fingerprint matches. The matrix is written first, the fingerprint second (both
 * atomically), so a crash in between leaves a cache that is recomputed, never a wrong one.
 */
public final class RelationCache {
  public static final String FILE = "relation.npy";
  static final String VERSION = "hspnet-relation-1";

  private final Path file;
  private final boolean writable;

  public RelationCache(Path file) {
    this(file, true);
  }

  /**
   * @param writable false to read a matching cache but never write one (prediction from a run
   *     folder that may be read-only or shared): a missing or stale cache is then computed and kept
   *     in memory only
   */
  public RelationCache(Path file, boolean writable) {
    this.file = file;
    this.writable = writable;
  }

  public Path file() { return file; }

  public Path fingerprintFile() {
    return file.resolveSibling(file.getFileName().toString().replaceFirst("\\.npy$", "") + ".fingerprint");
  }

  /**
   * The cached matrix when the stored fingerprint equals {@code fingerprint}; otherwise the
   * computed one, which is then stored.
   *
   * @throws IllegalArgumentException when the cache's fingerprint matches but its matrix has the
   *     wrong dtype or shape (a damaged cache: delete it to recompute)
   */
  public Lookup getOrCompute(String fingerprint, int numLabels, int numGroups, Supplier<float[]> compute) throws IOException {
    if (fingerprint.equals(storedFingerprint()) && Files.isRegularFile(file)) {
      try {
        return new Lookup(RelationFile.read(file, numLabels, numGroups), true);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(e.getMessage() + " (a damaged relation cache: delete " + file + " to recompute it)", e);
      }
    }
    float[] relation = compute.get();
    if (!writable) return new Lookup(relation, false);
    RelationFile.write(file, relation, numLabels + numGroups);
    AtomicFiles.write(fingerprintFile(), (fingerprint + "\n").getBytes(StandardCharsets.US_ASCII));
    return new Lookup(relation, false);
  }

  /** A matrix and whether it came from the cache. */
  public record Lookup(float[] relation, boolean cached) {}

  private String storedFingerprint() throws IOException {
    Path f = fingerprintFile();
    if (!Files.isRegularFile(f)) return null;
    List<String> lines = Files.readAllLines(f, StandardCharsets.US_ASCII);
    return lines.isEmpty() ? null : lines.get(0).trim();
  }

  /**
   * SHA-256 (hex) of the inputs of {@link HspNetFactory#computedRelation}: the names, the prompts'
   * token ids, and the name, dtype, shape and bytes of every tensor of CLIP's text path (all
   * entries outside the image tower).
   */
  public static String fingerprint(ClipModel clip, List<String> labels, List<String> groups, long[][] promptTokens) {
    MessageDigest sha = sha256();
    update(sha, VERSION);
    update(sha, "labels " + String.join("\u0000", labels));
    update(sha, "groups " + String.join("\u0000", groups));
    for (long[] row : promptTokens) {
      StringBuilder sb = new StringBuilder("tokens");
      for (long t : row) sb.append(' ').append(t);
      update(sha, sb.toString());
    }
    for (Map.Entry<String, Tensor> e : StateDicts.of(clip).entrySet()) {
      String name = e.getKey();
      if (name.startsWith("visual.") || name.equals("logit_scale")) continue;
      Tensor t = e.getValue().detach().to(ScalarType.Float).cpu().contiguous();
      update(sha, name + " float32 " + Arrays.toString(Tensors.shape(t)));
      hashBytes(sha, t);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static void hashBytes(MessageDigest sha, Tensor t) {
    long bytes = t.numel() * 4;
    BytePointer p = new BytePointer(t.data_ptr()).capacity(bytes);
    byte[] chunk = new byte[(int) Math.min(bytes, 1 << 20)];
    for (long off = 0; off < bytes; off += chunk.length) {
      int n = (int) Math.min(chunk.length, bytes - off);
      p.position(off).get(chunk, 0, n);
      sha.update(chunk, 0, n);
    }
  }

  private static void update(MessageDigest sha, String s) {
    sha.update(s.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) '\n');
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
