package hspnet.io;

import org.junit.jupiter.api.extension.ExtendWith;
import hspnet.testutil.NativeScope;
import static org.bytedeco.pytorch.global.torch.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.bytedeco.pytorch.ByteVector;
import org.bytedeco.pytorch.CompilationUnit;
import org.bytedeco.pytorch.GenericDict;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.QualifiedName;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;

import hspnet.testutil.FixtureVariants;
import hspnet.testutil.Fixtures;
import hspnet.testutil.HspNetVariants;
import hspnet.testutil.Shared;
import hspnet.testutil.TrainVariants;
import java.io.ByteArrayOutputStream;

@ExtendWith(NativeScope.class)
class TorchZipTest {
  @TempDir Path tmp;

  // ---------------------------------------------------------------- fixtures written by torch.save

  /** Every state dict of the fixture set with its cases.json table: clip_&lt;v&gt;.state.pt and hspnet_&lt;v&gt;.state.pt. */
  static Stream<Arguments> stateDictFixtures() throws IOException {
    List<Arguments> out = new ArrayList<>();
    for (String v : FixtureVariants.clip()) out.add(Arguments.of("clip_" + v + ".state.pt", "/clip/" + v + "/state_dict"));
    for (String v : FixtureVariants.hspnet()) out.add(Arguments.of("hspnet_" + v + ".state.pt", "/hspnet/" + v + "/state_dict"));
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stateDictFixtures")
  void fixtureStateDictsMatchTheTablesInCasesJson(String fixture, String table) throws Exception {
    checkAgainstTable(fixture, Fixtures.cases().at(table));
  }

  private static void checkAgainstTable(String fixture, JsonNode table) throws IOException {
    LinkedHashMap<String, Tensor> state = TorchZipReader.readStateDict(Shared.fixture(fixture));
    assertFalse(table.isMissingNode() || table.isEmpty(), fixture + ": cases.json has no table for it");
    List<String> names = new ArrayList<>();
    table.forEach(row -> names.add(row.get("name").asText()));
    assertEquals(names, new ArrayList<>(state.keySet()), fixture + ": names in file order");
    for (JsonNode row : table) {
      Tensor t = state.get(row.get("name").asText());
      assertArrayEquals(longs(row.get("shape")), t.sizes().vec().get(), fixture + " " + row.get("name"));
      assertEquals(dtypeOf(row.get("dtype").asText()), t.scalar_type().intern(), fixture + " " + row.get("name"));
      assertTrue(t.is_contiguous(), "returned tensors are contiguous copies");
    }
    System.out.println(fixture + ": " + state.size() + " entries match cases.json (names, order, shapes, dtypes)");
  }

  @TrainVariants
  void gradientFileHoldsOneGradientPerParameterThatReceivedOne(String variant) throws Exception {
    JsonNode train = Fixtures.variant("train", variant);
    JsonNode hspnet = Fixtures.variant("hspnet", Fixtures.variantOf("hspnet", train.get("hspnet").asText()));
    Map<String, long[]> shapes = new LinkedHashMap<>();
    hspnet.get("state_dict").forEach(row -> shapes.put(row.get("name").asText(), longs(row.get("shape"))));
    Set<String> withoutGrad = new HashSet<>();
    train.get("params_without_grad").forEach(n -> withoutGrad.add(n.asText()));
    // the file lists the gradients in optimiser order: param group by param group
    List<String> expected = new ArrayList<>();
    train.get("param_groups").forEach(g -> g.get("params").forEach(p -> {
      if (!withoutGrad.contains(p.asText())) expected.add(p.asText());
    }));

    String file = train.at("/files/step0_grads").asText();
    LinkedHashMap<String, Tensor> grads = TorchZipReader.readStateDict(Shared.fixture(file));
    assertEquals(train.get("n_step0_grads").asInt(), grads.size());
    assertEquals(expected, new ArrayList<>(grads.keySet()));
    double largest = 0;
    for (Map.Entry<String, Tensor> e : grads.entrySet()) {
      assertArrayEquals(shapes.get(e.getKey()), e.getValue().sizes().vec().get(), e.getKey());
      assertEquals(ScalarType.Float, e.getValue().scalar_type().intern(), e.getKey());
      largest = Math.max(largest, e.getValue().abs().max().item_double());
    }
    // ties the values (not only the layout) to the recorded run
    assertEquals(train.get("max_abs_grad_step0").asDouble(), largest, 0.0);
    System.out.println(file + ": " + grads.size() + " entries, max |grad| " + largest + " equals cases.json");
  }

  @HspNetVariants
  void viewEntriesEqualTheSlicesOfTheStorageTheyShare(String variant) throws Exception {
    Map<String, JsonNode> rows = new LinkedHashMap<>();
    Fixtures.variant("hspnet", variant).get("state_dict").forEach(row -> rows.put(row.get("name").asText(), row));
    String p = "hspnet_" + variant + ".";
    LinkedHashMap<String, Tensor> s = TorchZipReader.readStateDict(Shared.fixture(p + "state.pt"));

    // parent_prompt_learner.token_* are views into parent_prompt_learner.embedding (G, context, W):
    // with stride (context*W, W, 1), storage offset k*W is token position k.
    Tensor embedding = s.get("parent_prompt_learner.embedding");
    long groups = embedding.size(0), context = embedding.size(1), width = embedding.size(2);
    double worst = 0;
    for (String part : List.of("token_prefix", "token_middle", "token_suffix")) {
      String name = "parent_prompt_learner." + part;
      JsonNode row = rows.get(name);
      assertArrayEquals(new long[] {context * width, width, 1}, longs(row.get("stride")), name + " stride in cases.json");
      long start = row.get("storage_offset").asLong() / width;
      long length = row.get("shape").get(1).asLong();
      Tensor expected = embedding.narrow(1, start, length);
      double diff = maxAbsDiff(expected, s.get(name));
      assertEquals(0.0, diff, name + " vs embedding[:, " + start + ":" + (start + length) + "]");
      worst = Math.max(worst, diff);
    }
    // The three views are different parts of the buffer (a wrong offset would not go unnoticed).
    assertNotEquals(0.0, maxAbsDiff(s.get("parent_prompt_learner.token_prefix"),
        s.get("parent_prompt_learner.token_middle").narrow(1, 0, 1)));

    // ctx (a storage of its own) was initialised from the "a photo of a" embeddings that every
    // group's token_middle (right after the start token in the embedding's storage) holds.
    Tensor ctx = s.get("parent_prompt_learner.ctx");
    for (long g = 0; g < groups; g++) worst = Math.max(worst, maxAbsDiff(ctx, s.get("parent_prompt_learner.token_middle").get(g)));
    assertEquals(0.0, worst, "ctx vs token_middle");

    // The child views share a (C, context, W) buffer that is not in the file. The last position is
    // padding in every prompt (the token files say so), and padding has one (non-zero) embedding.
    long[] childTokens = Npy.read(Shared.fixture(p + "child_tokens.npy")).longs();
    long[] parentTokens = Npy.read(Shared.fixture(p + "parent_tokens.npy")).longs();
    for (int i = (int) context - 1; i < childTokens.length; i += (int) context) assertEquals(0, childTokens[i], "child token " + i);
    assertEquals(0, parentTokens[(int) context - 1], "parent prompt 0 ends in padding");
    Tensor childSuffix = s.get("child_prompt_learner.token_suffix"), parentSuffix = s.get("parent_prompt_learner.token_suffix");
    long labels = childSuffix.size(0);
    assertEquals(childTokens.length / context, labels, "one child prompt per label");
    Tensor childPad = childSuffix.select(1, childSuffix.size(1) - 1);
    Tensor parentPad = parentSuffix.get(0).get(parentSuffix.size(1) - 1);
    assertTrue(parentPad.abs().max().item_double() > 0);
    worst = Math.max(worst, maxAbsDiff(childPad, parentPad.unsqueeze(0).expand(labels, width)));
    // and every prompt starts with the same start-of-text embedding
    worst = Math.max(worst, maxAbsDiff(s.get("child_prompt_learner.token_prefix"),
        s.get("parent_prompt_learner.token_prefix").get(0).unsqueeze(0).expand(labels, 1, width)));
    assertEquals(0.0, worst);
    System.out.println(p + "state.pt views: max abs diff to the slices of their base " + worst);
  }

  // ---------------------------------------------------------------- independent oracles (LibTorch)

  @Test
  void libTorchPickleLoadReadsOurPlainDictArchive() throws Exception {
    LinkedHashMap<String, Tensor> state = sampleState();
    Path f = tmp.resolve("plain.pt");
    TorchZipWriter.writeStateDict(f, state, false);

    IValue loaded = pickle_load(new ByteVector(Files.readAllBytes(f)));
    assertTrue(loaded.isGenericDict(), "LibTorch's pickle_load gives a dict");
    GenericDict dict = loaded.toGenericDict();
    assertEquals(state.size(), dict.size());
    double worst = 0;
    for (Map.Entry<String, Tensor> e : state.entrySet()) {
      Tensor t = dict.at(new IValue(e.getKey())).toTensor();
      worst = Math.max(worst, assertSameTensor(e.getValue(), t, e.getKey()));
    }
    System.out.println("our plain-dict archive through LibTorch pickle_load: " + state.size()
        + " tensors, max abs diff " + worst);

    // The OrderedDict form is what torch.save writes; LibTorch turns it into None (or fails),
    // which is why TorchZipReader exists. Recorded here so that a fixed LibTorch gets noticed.
    Path ordered = tmp.resolve("ordered.pt");
    TorchZipWriter.writeStateDict(ordered, state);
    String verdict;
    try {
      IValue v = pickle_load(new ByteVector(Files.readAllBytes(ordered)));
      verdict = v.isNone() ? "None" : v.isGenericDict() ? "a dict" : "something else";
    } catch (RuntimeException e) {
      verdict = "an error (" + e.getMessage().lines().findFirst().orElse("") + ")";
    }
    System.out.println("LibTorch pickle_load of the OrderedDict form gives " + verdict);
  }

  @Test
  void readsLibTorchPickleSaveOutputIncludingSharedStorages() throws Exception {
    // A Dict[str, Tensor] built by LibTorch itself (TorchScript), saved by LibTorch's pickle_save.
    CompilationUnit cu = compile("""
        def make(w: Tensor, h: Tensor, ids: Tensor, mask: Tensor, s: Tensor) -> Dict[str, Tensor]:
            return {'w': w, 'w_t': w.t(), 'row': w[1], 'cols': w[:, 2:4], 'h': h, 'ids': ids, 'mask': mask, 's': s}
        """);
    manual_seed(1);
    Tensor w = randn(3, 5);
    Tensor h = randn(4, 2).to(ScalarType.Half);
    Tensor ids = arange(new Scalar(6)).to(ScalarType.Long).mul(new Scalar(1L << 40));
    Tensor mask = randn(7).gt(new Scalar(0));
    Tensor s = randn(3).sum();
    IValue dict = cu.get_function(new QualifiedName("make"))
        .apply(new IValueVector(new IValue(w), new IValue(h), new IValue(ids), new IValue(mask), new IValue(s)));
    Path f = tmp.resolve("from_libtorch.pt");
    Files.write(f, pickle_save(dict).get());

    LinkedHashMap<String, Tensor> read = TorchZipReader.readStateDict(f);
    GenericDict expected = dict.toGenericDict();
    assertEquals(expected.size(), read.size());
    double worst = 0;
    for (Map.Entry<String, Tensor> e : read.entrySet())
      worst = Math.max(worst, assertSameTensor(expected.at(new IValue(e.getKey())).toTensor(), e.getValue(), e.getKey()));
    assertArrayEquals(new long[] {5, 3}, read.get("w_t").sizes().vec().get());
    assertEquals(0, read.get("s").dim());
    System.out.println("LibTorch pickle_save archive read back: " + read.size() + " tensors, max abs diff " + worst);
  }

  // ---------------------------------------------------------------- our writer -> our reader

  @Test
  void roundTripsEveryDtypeIncludingScalarsEmptyAndNonContiguousTensors() throws Exception {
    LinkedHashMap<String, Tensor> state = sampleState();
    Path f = tmp.resolve("round.trip.pt");
    TorchZipWriter.writeStateDict(f, state);
    LinkedHashMap<String, Tensor> back = TorchZipReader.readStateDict(f);
    assertEquals(new ArrayList<>(state.keySet()), new ArrayList<>(back.keySet()), "key order kept");
    double worst = 0;
    for (String k : state.keySet()) worst = Math.max(worst, assertSameTensor(state.get(k), back.get(k), k));
    System.out.println("round trip of " + state.size() + " tensors (10 dtypes): max abs diff " + worst);

    // the pickle holds an OrderedDict unless asked otherwise
    try (ZipFile zip = new ZipFile(f.toFile())) {
      Object top = RestrictedUnpickler.load(zip.getInputStream(zip.getEntry("round.trip/data.pkl")).readAllBytes());
      assertTrue(((RestrictedUnpickler.Dict) top).ordered);
    }
    Path plain = tmp.resolve("plain.pt");
    TorchZipWriter.writeStateDict(plain, state, false);
    try (ZipFile zip = new ZipFile(plain.toFile())) {
      Object top = RestrictedUnpickler.load(zip.getInputStream(zip.getEntry("plain/data.pkl")).readAllBytes());
      assertFalse(((RestrictedUnpickler.Dict) top).ordered);
    }
  }

  @Test
  void writtenArchiveHasTorchLayoutStoredRecordsAnd64ByteAlignedData() throws Exception {
    LinkedHashMap<String, Tensor> state = sampleState();
    Path f = tmp.resolve("layout.pt");
    TorchZipWriter.writeStateDict(f, state);
    byte[] all = Files.readAllBytes(f);

    // local headers, walked by hand: data offset = header + 30 + name + extra
    ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    int pos = 0;
    List<String> names = new ArrayList<>();
    while (b.getInt(pos) == 0x04034b50) {
      int method = b.getShort(pos + 8);
      long size = b.getInt(pos + 22) & 0xffffffffL;
      int nameLength = b.getShort(pos + 26) & 0xffff;
      int extraLength = b.getShort(pos + 28) & 0xffff;
      String name = new String(all, pos + 30, nameLength, StandardCharsets.UTF_8);
      int data = pos + 30 + nameLength + extraLength;
      assertEquals(0, method, name + " is STORED");
      assertEquals(0, data % 64, name + " data at " + data + " is 64-byte aligned");
      assertEquals("FB", new String(all, pos + 30 + nameLength, 2, StandardCharsets.US_ASCII), name + " padding id");
      names.add(name);
      pos = (int) (data + size);
    }
    List<String> expected = new ArrayList<>(List.of("layout/data.pkl", "layout/byteorder"));
    for (int i = 0; i < state.size(); i++) expected.add("layout/data/" + i);
    expected.add("layout/version");
    assertEquals(expected, names);

    // the central directory agrees, and the CRCs are right
    try (ZipFile zip = new ZipFile(f.toFile())) {
      assertEquals(expected.size(), zip.size());
      for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
        ZipEntry e = en.nextElement();
        byte[] content = zip.getInputStream(e).readAllBytes();
        CRC32 crc = new CRC32();
        crc.update(content);
        assertEquals(crc.getValue(), e.getCrc(), e.getName());
        assertEquals(ZipEntry.STORED, e.getMethod(), e.getName());
      }
      assertEquals("3\n", new String(zip.getInputStream(zip.getEntry("layout/version")).readAllBytes(),
          StandardCharsets.US_ASCII));
      assertEquals("little", new String(zip.getInputStream(zip.getEntry("layout/byteorder")).readAllBytes(),
          StandardCharsets.US_ASCII));
      // each tensor is its own contiguous storage: record size = numel * element size
      int i = 0;
      for (Tensor t : state.values())
        assertEquals(t.numel() * t.element_size(), zip.getEntry("layout/data/" + i++).getSize());
    }
  }

  @HspNetVariants
  void rewritingAFixtureKeepsEveryTensor(String variant) throws Exception {
    String name = "hspnet_" + variant + ".state.pt";
    LinkedHashMap<String, Tensor> original = TorchZipReader.readStateDict(Shared.fixture(name));
    Path f = tmp.resolve(name);
    TorchZipWriter.writeStateDict(f, original);
    LinkedHashMap<String, Tensor> back = TorchZipReader.readStateDict(f);
    assertEquals(new ArrayList<>(original.keySet()), new ArrayList<>(back.keySet()));
    double worst = 0;
    for (String k : original.keySet()) worst = Math.max(worst, assertSameTensor(original.get(k), back.get(k), k));
    System.out.println(name + " rewritten and read back: max abs diff " + worst);
  }

  // ---------------------------------------------------------------- bad input

  @Test
  void refusesNonZipLegacyTruncatedAndIncompleteArchives() throws Exception {
    Path good = tmp.resolve("good.pt");
    TorchZipWriter.writeStateDict(good, sampleState());
    byte[] all = Files.readAllBytes(good);

    Path text = tmp.resolve("notes.pt");
    Files.writeString(text, "not a checkpoint");
    assertMessage(text, "not a zip archive");

    Path legacy = tmp.resolve("legacy.pt");
    Files.write(legacy, new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46});
    assertMessage(legacy, "legacy (non-zip) torch.save format");

    Path truncated = tmp.resolve("truncated.pt");
    Files.write(truncated, Arrays.copyOf(all, all.length / 2));
    assertMessage(truncated, "truncated or corrupt zip archive");

    Path noPickle = tmp.resolve("nopickle.pt");
    rewrite(good, noPickle, (name, data) -> name.endsWith("/data.pkl") ? null : data);
    assertMessage(noPickle, "without a <root>/data.pkl record");

    Path noStorage = tmp.resolve("nostorage.pt");
    rewrite(good, noStorage, (name, data) -> name.endsWith("/data/1") ? null : data);
    assertMessage(noStorage, "missing storage record 'good/data/1'");

    Path shortStorage = tmp.resolve("shortstorage.pt");
    rewrite(good, shortStorage, (name, data) -> name.endsWith("/data/0") ? Arrays.copyOf(data, data.length - 4) : data);
    assertMessage(shortStorage, "truncated storage");

    Path torchScript = tmp.resolve("scripted.pt");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(torchScript))) {
      put(z, "scripted/data.pkl", new byte[] {(byte) 0x80, 2, 'N', '.'});
      put(z, "scripted/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
    }
    assertMessage(torchScript, "TorchScript archive");
  }

  @Test
  void refusesPicklesNamingForbiddenGlobals() throws Exception {
    // os.system('echo pwned'): what a malicious checkpoint would contain
    byte[] pickle = concat(new byte[] {(byte) 0x80, 2, 'c'}, ascii("os\nsystem\n"), new byte[] {'X', 10, 0, 0, 0},
        ascii("echo pwned"), new byte[] {(byte) 0x85, 'R', '.'});
    Path evil = tmp.resolve("evil.pt");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(evil))) {
      put(z, "evil/data.pkl", pickle);
      put(z, "evil/version", ascii("3\n"));
    }
    String message = assertMessage(evil, "forbidden global 'os.system'");
    assertTrue(message.contains("evil/data.pkl"), message);

    // a dict whose value is not a tensor
    byte[] notTensors = concat(new byte[] {(byte) 0x80, 2, '}', 'X', 5, 0, 0, 0}, ascii("epoch"),
        new byte[] {'K', 3, 's', '.'});
    Path mixed = tmp.resolve("mixed.pt");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(mixed))) {
      put(z, "mixed/data.pkl", notTensors);
    }
    assertMessage(mixed, "entry 'epoch' is 3, not a tensor");
  }

  @Test
  void writerRefusesUnsupportedDtypesNamingTheKey() {
    LinkedHashMap<String, Tensor> state = new LinkedHashMap<>();
    state.put("ok", randn(2));
    state.put("complex", randn(2).to(ScalarType.ComplexFloat));
    Path f = tmp.resolve("bad.pt");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TorchZipWriter.writeStateDict(f, state));
    assertTrue(e.getMessage().contains("'complex'") && e.getMessage().contains("ComplexFloat"), e.getMessage());
    assertFalse(Files.exists(f), "nothing written");
  }

  // ---------------------------------------------------------------- helpers

  /** One tensor of every supported dtype, plus a 0-dim, an empty and two non-contiguous ones. */
  private static LinkedHashMap<String, Tensor> sampleState() {
    manual_seed(0);
    LinkedHashMap<String, Tensor> s = new LinkedHashMap<>();
    s.put("float32", randn(3, 4));
    s.put("float64", randn(2, 3).to(ScalarType.Double));
    s.put("float16", randn(5).to(ScalarType.Half));
    s.put("bfloat16", randn(2, 2).to(ScalarType.BFloat16));
    s.put("int64", arange(new Scalar(-3), new Scalar(3)).to(ScalarType.Long).mul(new Scalar(1L << 40)));
    s.put("int32", arange(new Scalar(-4), new Scalar(4)).to(ScalarType.Int).mul(new Scalar(100000)));
    s.put("int16", arange(new Scalar(-2), new Scalar(2)).to(ScalarType.Short));
    s.put("int8", arange(new Scalar(-128), new Scalar(128), new Scalar(51)).to(ScalarType.Char));
    s.put("uint8", arange(new Scalar(256)).to(ScalarType.Byte));
    s.put("bool", randn(7).gt(new Scalar(0)));
    s.put("scalar", randn(3).sum());
    s.put("empty", empty(0, 3));
    s.put("transposed", randn(3, 5).t());
    s.put("sliced", randn(4, 6).narrow(1, 2, 3));
    s.put("bn.num_batches_tracked", scalar_tensor(new Scalar(7L), new TensorOptions().dtype(new ScalarTypeOptional(ScalarType.Long))));
    return s;
  }

  /** Same dtype, shape and values; returns the max abs difference (always 0 when it returns). */
  private static double assertSameTensor(Tensor expected, Tensor actual, String name) {
    assertEquals(expected.scalar_type().intern(), actual.scalar_type().intern(), name + " dtype");
    assertArrayEquals(expected.sizes().vec().get(), actual.sizes().vec().get(), name + " shape");
    double diff = maxAbsDiff(expected, actual);
    assertEquals(0.0, diff, name + " values");
    assertTrue(expected.equal(actual), name + " equal");
    return diff;
  }

  private static double maxAbsDiff(Tensor a, Tensor b) {
    assertArrayEquals(a.sizes().vec().get(), b.sizes().vec().get());
    if (a.numel() == 0) return 0;
    return a.to(ScalarType.Double).sub(b.to(ScalarType.Double)).abs().max().item_double();
  }

  private static String assertMessage(Path file, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TorchZipReader.readStateDict(file));
    assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
    assertTrue(e.getMessage().contains(expected), "says '" + expected + "': " + e.getMessage());
    System.out.println("refused as expected: " + e.getMessage());
    return e.getMessage();
  }

  /** Copies a zip, letting {@code change} replace (or drop, with null) each record's content. */
  private static void rewrite(Path from, Path to, BiFunction<String, byte[], byte[]> change) throws IOException {
    try (ZipFile in = new ZipFile(from.toFile()); ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(to))) {
      for (Enumeration<? extends ZipEntry> en = in.entries(); en.hasMoreElements(); ) {
        ZipEntry e = en.nextElement();
        byte[] data = change.apply(e.getName(), in.getInputStream(e).readAllBytes());
        if (data != null) put(out, e.getName(), data);
      }
    }
  }

  private static void put(ZipOutputStream z, String name, byte[] data) throws IOException {
    z.putNextEntry(new ZipEntry(name));
    z.write(data);
    z.closeEntry();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
  }

  private static long[] longs(JsonNode array) {
    long[] r = new long[array.size()];
    for (int i = 0; i < r.length; i++) r[i] = array.get(i).asLong();
    return r;
  }

  private static ScalarType dtypeOf(String name) {
    return switch (name) {
      case "float32" -> ScalarType.Float;
      case "float64" -> ScalarType.Double;
      case "float16" -> ScalarType.Half;
      case "int64" -> ScalarType.Long;
      case "int32" -> ScalarType.Int;
      case "bool" -> ScalarType.Bool;
      case "uint8" -> ScalarType.Byte;
      default -> throw new IllegalArgumentException("dtype " + name + " not in this test's table");
    };
  }
}
