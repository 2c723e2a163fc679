package hspnet.model;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import hspnet.clip.ClipArch;
import hspnet.clip.ClipInit;
import hspnet.clip.ClipModel;
import hspnet.clip.tokenizer.ClipTokenizer;
import hspnet.data.LabelSet;
import hspnet.io.Npy;
import hspnet.io.NpyArray;
import hspnet.nn.StateDicts;
import hspnet.testutil.NativeScope;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import java.util.Arrays;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The relation matrix computed from CLIP text features is cached with a fingerprint of its inputs:
 * reused while labels, groups and CLIP text weights are unchanged, recomputed when any of them
 * changes; relation .npy files of the wrong dtype or shape are refused with the file named.
 */
@ExtendWith(NativeScope.class)
class RelationCacheTest {
  @TempDir Path dir;

  private static final ClipTokenizer TOKENIZER = ClipTokenizer.bytesOnly();
  private static final LabelSet LABELS = new LabelSet(List.of("sun", "moon", "boat", "fish", "car"), List.of("sky", "sea", "street"),
      new int[] {0, 0, 1, 1, 2});

  private static ClipModel clip(long seed) {
    manual_seed(seed);
    ClipModel m = new ClipModel(ClipArch.resNet(16, 32, List.of(1, 1, 1, 1), 8, 2, 77, TOKENIZER.vocabSize(), 16, 2, 1));
    ClipInit.initialize(m);
    return m;
  }

  private static String fingerprint(ClipModel clip, LabelSet labels) {
    return RelationCache.fingerprint(clip, labels.labels(), labels.groups(), HspNetFactory.relationPromptTokens(labels, TOKENIZER, 77));
  }

  @Test
  void computesOnceThenReusesWhileTheInputsAreUnchanged() throws Exception {
    ClipModel clip = clip(3);
    RelationCache cache = new RelationCache(dir.resolve("run").resolve(RelationCache.FILE));
    AtomicInteger computed = new AtomicInteger();
    String fp = fingerprint(clip, LABELS);
    RelationCache.Lookup first = cache.getOrCompute(fp, 5, 3, () -> {
      computed.incrementAndGet();
      return HspNetFactory.computedRelation(clip, LABELS, TOKENIZER, 77);
    });
    assertFalse(first.cached());
    assertTrue(Files.isRegularFile(cache.file()) && Files.isRegularFile(cache.fingerprintFile()));
    NpyArray stored = Npy.read(cache.file());
    assertEquals(NpyArray.DType.FLOAT32, stored.dtype());
    assertArrayEquals(new long[] {8, 8}, stored.shape());

    // a second model built from the same seed has the same text weights: same fingerprint, cache hit
    assertEquals(fp, fingerprint(clip(3), LABELS));
    RelationCache.Lookup second = cache.getOrCompute(fp, 5, 3, () -> {
      computed.incrementAndGet();
      return new float[64];
    });
    assertTrue(second.cached());
    assertArrayEquals(first.relation(), second.relation());
    assertEquals(1, computed.get(), "computed once");
    for (int i = 0; i < 8; i++) assertEquals(1.0f, first.relation()[i * 8 + i], 1e-5f, "cosine self-similarity");
  }

  @Test
  void anyChangeOfLabelsGroupsOrTextWeightsChangesTheFingerprint() {
    ClipModel clip = clip(3);
    String base = fingerprint(clip, LABELS);
    LabelSet renamed = new LabelSet(List.of("sun", "moon", "ship", "fish", "car"), LABELS.groups(), LABELS.groupOf());
    LabelSet regrouped = new LabelSet(LABELS.labels(), List.of("sky", "ocean", "street"), LABELS.groupOf());
    assertNotEquals(base, fingerprint(clip, renamed));
    assertNotEquals(base, fingerprint(clip, regrouped));
    assertNotEquals(base, fingerprint(clip(4), LABELS), "other CLIP weights");
    // the image tower does not enter the text features, so it does not enter the fingerprint
    try (NoGradGuard g = new NoGradGuard()) {
      StateDicts.of(clip).get("visual.conv1.weight").add_(new Scalar(1.0));
      assertEquals(base, fingerprint(clip, LABELS));
      StateDicts.of(clip).get("positional_embedding").add_(new Scalar(1e-3));
    }
    assertNotEquals(base, fingerprint(clip, LABELS), "a changed text weight");
  }

  @Test
  void aStaleFingerprintRecomputesAndADamagedCacheIsRefused() throws Exception {
    RelationCache cache = new RelationCache(dir.resolve(RelationCache.FILE));
    cache.getOrCompute("old", 5, 3, () -> new float[64]);
    RelationCache.Lookup fresh = cache.getOrCompute("new", 5, 3, () -> filled(64, 0.5f));
    assertFalse(fresh.cached(), "another fingerprint: recomputed");
    assertEquals(0.5f, Npy.read(cache.file()).floats()[3]);

    Npy.write(cache.file(), NpyArray.ofLongs(new long[64], 8, 8));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cache.getOrCompute("new", 5, 3, () -> new float[64]));
    assertTrue(e.getMessage().contains(cache.file().toString()) && e.getMessage().contains("int64")
        && e.getMessage().contains("float32 or float64") && e.getMessage().contains("delete"), e.getMessage());
  }

  @Test
  void aReadOnlyCacheReadsAMatchButNeverWrites() throws Exception {
    Path run = dir.resolve("shared-run");
    Files.createDirectories(run);
    RelationCache readOnly = new RelationCache(run.resolve(RelationCache.FILE), false);
    RelationCache.Lookup computed = readOnly.getOrCompute("fp", 5, 3, () -> filled(64, 0.25f));
    assertFalse(computed.cached());
    assertEquals(0.25f, computed.relation()[7]);
    try (var listing = Files.list(run)) {
      assertEquals(0, listing.count(), "nothing written beside the rounds");
    }
    new RelationCache(run.resolve(RelationCache.FILE)).getOrCompute("fp", 5, 3, () -> filled(64, 0.75f));
    RelationCache.Lookup hit = readOnly.getOrCompute("fp", 5, 3, () -> filled(64, 0.5f));
    assertTrue(hit.cached(), "a matching cache is read");
    assertEquals(0.75f, hit.relation()[7]);
  }

  @Test
  void relationFilesOfTheWrongDtypeOrShapeAreRefused() throws Exception {
    Path ints = dir.resolve("ints.npy"), small = dir.resolve("small.npy"), doubles = dir.resolve("doubles.npy");
    Npy.write(ints, NpyArray.ofLongs(new long[64], 8, 8));
    Npy.write(small, NpyArray.ofFloats(new float[49], 7, 7));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RelationFile.read(ints, 5, 3));
    assertTrue(e.getMessage().startsWith(ints.toString()) && e.getMessage().contains("dtype int64"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> RelationFile.read(small, 5, 3));
    assertTrue(e.getMessage().startsWith(small.toString()) && e.getMessage().contains("[7, 7], expected [8, 8] (5 labels + 3 groups)"),
        e.getMessage());
    float[] converted = RelationFile.read(writeFloat64(doubles), 5, 3);
    assertEquals(1.0f, converted[0]);
    assertEquals(0.25f, converted[1]);
  }

  private static Path writeFloat64(Path file) throws Exception {
    // a float64 matrix as numpy saves it by default: accepted and converted to float32
    ByteBuffer b = ByteBuffer.allocate(64 * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 64; i++) b.putDouble(i % 9 == 0 ? 1.0 : 0.25);
    String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (8, 8), }";
    String header = dict + " ".repeat(128 - 10 - dict.length() - 1) + "\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length(), 0});
    out.write(header.getBytes(StandardCharsets.ISO_8859_1));
    out.write(b.array());
    Files.write(file, out.toByteArray());
    return file;
  }

  private static float[] filled(int n, float v) {
    float[] a = new float[n];
    Arrays.fill(a, v);
    return a;
  }
}
