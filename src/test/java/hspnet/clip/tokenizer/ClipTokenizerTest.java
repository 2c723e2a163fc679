package hspnet.clip.tokenizer;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import hspnet.testutil.Fixtures;
import hspnet.testutil.Shared;

class ClipTokenizerTest {
  private static final int MERGES = 49152 - 256 - 2;

  @TempDir Path tmp;

  /** One entry of tokenizer.json. */
  record Entry(String group, String text, boolean truncate, int untruncated, long[] ids) {}

  private static ClipTokenizer reference;
  private static List<Entry> entries;
  /** The start / end-of-text ids tokenizer.json records. */
  private static long sot, eot;

  private static synchronized ClipTokenizer reference() {
    if (reference == null) {
      reference = ClipTokenizer.fromBpeFile(Shared.fixture("bpe_simple_vocab_16e6.txt.gz"));
    }
    return reference;
  }

  private static synchronized List<Entry> entries() throws IOException {
    if (entries == null) {
      JsonNode root = new ObjectMapper().readTree(Shared.fixture("tokenizer.json").toFile());
      // CLIP's context: every entry is clip.tokenize(text, context_length=77)
      assertEquals(ClipTokenizer.CONTEXT_LENGTH, root.get("context_length").asInt());
      sot = root.get("sot_token").asLong();
      eot = root.get("eot_token").asLong();
      List<Entry> list = new ArrayList<>();
      for (JsonNode e : root.get("entries")) {
        long[] ids = new long[e.get("ids").size()];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = e.get("ids").get(i).asLong();
        }
        list.add(new Entry(e.get("group").asText(), e.get("text").asText(), e.get("truncate").asBoolean(),
            e.get("n_tokens_untruncated").asInt(), ids));
      }
      entries = List.copyOf(list);
    }
    return entries;
  }

  @Test
  void everyFixtureEntryMatchesTheReference() throws IOException {
    // a fresh instance, so that the timing below starts from an empty BPE cache
    Path file = Shared.fixture("bpe_simple_vocab_16e6.txt.gz");
    long load = System.nanoTime();
    ClipTokenizer clip = ClipTokenizer.fromBpeFile(file);
    System.out.printf("loaded %s in %.1f ms%n", file.getFileName(), (System.nanoTime() - load) / 1e6);
    List<Entry> all = entries();
    assertEquals(Fixtures.cases().at("/tokenizer/n_entries").asInt(), all.size(), "cases.json tokenizer.n_entries");
    assertEquals(sot, clip.sotToken());
    assertEquals(eot, clip.eotToken());
    // OpenAI's vocabulary: 48894 merges + 2 x 256 byte symbols + the two special tokens
    assertEquals(49408, clip.vocabSize());

    long t0 = System.nanoTime();
    List<long[]> rows = new ArrayList<>();
    for (Entry e : all) {
      rows.add(clip.tokenize(e.text(), 77, e.truncate()));
    }
    double ms = (System.nanoTime() - t0) / 1e6;
    t0 = System.nanoTime();
    for (Entry e : all) {
      clip.tokenize(e.text(), 77, e.truncate());
    }
    double warmMs = (System.nanoTime() - t0) / 1e6;
    int mismatches = 0;
    for (int i = 0; i < all.size(); i++) {
      Entry e = all.get(i);
      int untruncated = clip.encode(e.text()).length + 2;
      if (!Arrays.equals(e.ids(), rows.get(i)) || untruncated != e.untruncated()) {
        mismatches++;
        System.out.println("MISMATCH " + e.group() + " '" + e.text() + "'\n  expected " + Arrays.toString(e.ids())
            + " (" + e.untruncated() + " tokens)\n  actual   " + Arrays.toString(rows.get(i))
            + " (" + untruncated + " tokens)");
      }
    }
    System.out.printf("tokenized %d fixture texts in %.1f ms (empty cache), %.1f ms (again); %d mismatches%n",
        all.size(), ms, warmMs, mismatches);
    assertEquals(0, mismatches, "fixture entries that differ from the reference tokenizer");
  }

  @Test
  void textsThatNeedTruncationAreRejectedWithoutIt() throws IOException {
    ClipTokenizer clip = reference();
    int checked = 0;
    for (Entry e : entries()) {
      if (e.untruncated() > 77) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> clip.tokenize(e.text(), 77, false), e.group());
        assertTrue(ex.getMessage().contains("has " + e.untruncated() + " tokens"), ex.getMessage());
        assertTrue(ex.getMessage().contains("context length 77"), ex.getMessage());
        assertTrue(ex.getMessage().contains(e.text().substring(0, 20)), ex.getMessage());
        long[] cut = clip.tokenize(e.text(), 77, true);
        assertEquals(clip.eotToken(), cut[76], "truncation keeps EOT last");
        checked++;
      } else if (e.group().equals("tricky/exactly_77")) {
        long[] full = clip.tokenize(e.text(), 77, false);
        assertEquals(clip.eotToken(), full[76], "75 BPE tokens + SOT + EOT fill the context exactly");
      }
    }
    // the generator's tricky/truncated_* texts are the ones longer than the context
    long truncatedGroup = entries().stream().filter(e -> e.group().startsWith("tricky/truncated")).count();
    assertTrue(truncatedGroup > 0, "tokenizer.json has no tricky/truncated_* entry");
    assertEquals(truncatedGroup, checked, "texts longer than the context");
  }

  @Test
  void batchTokenizeGivesOneRowPerText() throws IOException {
    ClipTokenizer clip = reference();
    List<Entry> some = entries().subList(0, Math.min(40, entries().size()));
    long[][] rows = clip.tokenize(some.stream().map(Entry::text).toList(), 77, true);
    assertEquals(some.size(), rows.length);
    for (int i = 0; i < rows.length; i++) {
      assertArrayEquals(some.get(i).ids(), rows[i], some.get(i).text());
    }
  }

  @Test
  void oneInstanceServesConcurrentThreads() throws Exception {
    ClipTokenizer clip = ClipTokenizer.fromBpeFile(Shared.fixture("bpe_simple_vocab_16e6.txt.gz"));
    List<Entry> all = entries();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> wrong = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        List<Entry> order = new ArrayList<>(all);
        Collections.shuffle(order, new Random(w));
        wrong.add(pool.submit(() -> (int) order.stream()
            .filter(e -> !Arrays.equals(e.ids(), clip.tokenize(e.text(), 77, e.truncate()))).count()));
      }
      for (Future<Integer> f : wrong) {
        assertEquals(0, f.get(), "entries tokenized wrongly by one of four concurrent threads");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void huggingFaceFormGivesTheSameTokens() throws IOException {
    ClipTokenizer openAi = reference();
    Path vocabJson = tmp.resolve("vocab.json");
    Path mergesTxt = tmp.resolve("merges.txt");
    writeHuggingFaceForm(Shared.fixture("bpe_simple_vocab_16e6.txt.gz"), vocabJson, mergesTxt);

    ClipTokenizer hf = ClipTokenizer.fromHuggingFace(vocabJson, mergesTxt);
    assertEquals(openAi.vocabSize(), hf.vocabSize());
    assertEquals(openAi.sotToken(), hf.sotToken());
    assertEquals(openAi.eotToken(), hf.eotToken());
    int differing = 0;
    for (Entry e : entries()) {
      int[] a = openAi.encode(e.text());
      int[] b = hf.encode(e.text());
      if (!Arrays.equals(a, b)) {
        differing++;
        System.out.println("HF DIFFERS '" + e.text() + "'\n  openai " + Arrays.toString(a) + "\n  hf     " + Arrays.toString(b));
      }
    }
    System.out.println("Hugging Face form: " + entries().size() + " fixture texts compared, " + differing + " differ");
    assertEquals(0, differing);
    int[] ids = hf.encode("a photo of a hooked seabird.");
    assertEquals(openAi.decode(ids), hf.decode(ids));
  }

  /**
   * The OpenAI file rewritten as vocab.json + merges.txt, built here from the recipe in CLIP's
   * SimpleTokenizer (not through the code under test); vocab.json lists its tokens shuffled.
   */
  private static void writeHuggingFaceForm(Path gz, Path vocabJson, Path mergesTxt) throws IOException {
    List<String> merges = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(Files.newInputStream(gz)), StandardCharsets.UTF_8))) {
      r.readLine();
      for (int i = 0; i < MERGES; i++) {
        merges.add(r.readLine());
      }
    }
    List<String> vocab = new ArrayList<>();
    List<String> bytes = gpt2ByteSymbols();
    vocab.addAll(bytes);
    for (String s : bytes) {
      vocab.add(s + "</w>");
    }
    for (String m : merges) {
      vocab.add(m.replace(" ", ""));
    }
    vocab.add("<|startoftext|>");
    vocab.add("<|endoftext|>");
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < vocab.size(); i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(7));
    Map<String, Integer> json = new LinkedHashMap<>();
    for (int id : order) {
      json.put(vocab.get(id), id);
    }
    new ObjectMapper().writeValue(vocabJson.toFile(), json);
    Files.writeString(mergesTxt, "#version: 0.2\n" + String.join("\n", merges) + "\n");
  }

  /** GPT-2's bytes_to_unicode, values in dict order: printable Latin-1 first, then 256+n. */
  private static List<String> gpt2ByteSymbols() {
    List<Integer> bs = new ArrayList<>();
    for (int b = '!'; b <= '~'; b++) {
      bs.add(b);
    }
    for (int b = 0xA1; b <= 0xAC; b++) {
      bs.add(b);
    }
    for (int b = 0xAE; b <= 0xFF; b++) {
      bs.add(b);
    }
    List<String> cs = new ArrayList<>();
    for (int b : bs) {
      cs.add(String.valueOf((char) b));
    }
    int n = 0;
    for (int b = 0; b < 256; b++) {
      if (!bs.contains(b)) {
        cs.add(String.valueOf((char) (256 + n++)));
      }
    }
    return cs;
  }

  @Test
  void bytesOnlyRoundTripsAndKeepsEndOfTextLargest() {
    ClipTokenizer t = ClipTokenizer.bytesOnly();
    assertEquals(514, t.vocabSize());
    assertEquals(512, t.sotToken());
    assertEquals(513, t.eotToken());
    // 'a' is byte 97, the 65th printable byte, so its end-of-word symbol is 256 + 64: CLIP's id too
    assertArrayEquals(new int[] {320}, t.encode("a"));
    assertArrayEquals(new int[] {513}, t.encode("<|endoftext|>"));

    String[] words = {"A photo of a Cat", "café naïve über crème brûlée", "日本語のテキスト", "Ünïcödé ΟΔΟΣ"};
    for (String text : words) {
      int[] ids = t.encode(text);
      String cleaned = TextCleaner.clean(text);
      // no merges: one id per UTF-8 byte of the non-space characters
      assertEquals(cleaned.replace(" ", "").getBytes(StandardCharsets.UTF_8).length, ids.length, text);
      assertTrue(Arrays.stream(ids).allMatch(id -> id >= 0 && id < 512), text);
      // letter-only words: each word ends with </w>, which decodes to a space
      assertEquals(cleaned + " ", t.decode(ids), text);
    }
    String[] mixed = {"it's a dog's life!", "x&amp;y 10,000 🐱🐶.", "  tabs\tand\nnewlines  "};
    for (String text : mixed) {
      String decoded = t.decode(t.encode(text));
      assertEquals(TextCleaner.clean(text).replace(" ", ""), decoded.replace(" ", ""), text);
    }

    String text = "a photo of a 🐱.";
    long[] row = t.tokenize(text, 77, false);
    int n = t.encode(text).length;
    assertEquals(512, row[0]);
    assertEquals(513, row[n + 1]);
    int argmax = 0;
    for (int i = 1; i < row.length; i++) {
      if (row[i] > row[argmax]) {
        argmax = i;
      }
    }
    assertEquals(n + 1, argmax, "argmax of the ids finds the end-of-text token");
    for (int i = n + 2; i < row.length; i++) {
      assertEquals(0, row[i], "zero padding");
    }
  }

  @Test
  void contractionsAndSpecialTokensSplitLikeTheOriginal() {
    ClipTokenizer t = ClipTokenizer.bytesOnly();
    // "it's" -> "it" + "'s": two words, so two </w> marks, i.e. two spaces after decoding
    assertEquals("it 's ", t.decode(t.encode("IT'S")));
    assertEquals("rock ' n ' roll ", t.decode(t.encode("rock'n'roll")));
    assertEquals("a <|startoftext|>b ", t.decode(t.encode("a <|STARTOFTEXT|> b")));
    assertEquals("1 9 9 0 s ", t.decode(t.encode("1990s")));
  }

  @Test
  void rejectsBadArguments() {
    ClipTokenizer t = ClipTokenizer.bytesOnly();
    assertThrows(IllegalArgumentException.class, () -> t.tokenize("a", 1, true));
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {514}));
    assertTrue(ex.getMessage().contains("514"), ex.getMessage());
    ex = assertThrows(IllegalArgumentException.class, () -> t.encode("bad \uD800 surrogate"));
    assertTrue(ex.getMessage().contains("surrogate"), ex.getMessage());
  }

  // ---- bad vocabulary files ------------------------------------------------------------------

  private List<String> referenceLines() throws IOException {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(Files.newInputStream(Shared.fixture("bpe_simple_vocab_16e6.txt.gz"))),
        StandardCharsets.UTF_8))) {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i <= MERGES; i++) {
        lines.add(r.readLine());
      }
      return lines;
    }
  }

  private Path gzip(String name, byte[] content) throws IOException {
    Path p = tmp.resolve(name);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
      out.write(content);
    }
    return p;
  }

  private static String loadError(Path file) {
    return assertThrows(IllegalArgumentException.class, () -> ClipTokenizer.fromBpeFile(file)).getMessage();
  }

  @Test
  void badVocabularyFilesGiveOneClearError() throws IOException {
    Path missing = tmp.resolve("missing.txt.gz");
    String msg = loadError(missing);
    assertTrue(msg.contains("missing.txt.gz") && msg.contains("does not exist"), msg);

    Path plain = tmp.resolve("plain.txt.gz");
    Files.writeString(plain, "#version: 0.2\ni n\n");
    msg = loadError(plain);
    assertTrue(msg.contains("plain.txt.gz") && msg.contains("not a gzip file"), msg);

    byte[] real = Files.readAllBytes(Shared.fixture("bpe_simple_vocab_16e6.txt.gz"));
    Path truncated = tmp.resolve("truncated.txt.gz");
    Files.write(truncated, Arrays.copyOf(real, real.length / 2));
    msg = loadError(truncated);
    assertTrue(msg.contains("truncated.txt.gz") && msg.contains("truncated"), msg);

    List<String> lines = referenceLines();
    Path few = gzip("few.txt.gz", (String.join("\n", lines.subList(0, 101)) + "\n").getBytes(StandardCharsets.UTF_8));
    msg = loadError(few);
    assertTrue(msg.contains("few.txt.gz") && msg.contains("only 100 merge lines") && msg.contains("48894"), msg);

    List<String> broken = new ArrayList<>(lines);
    broken.set(5, "abc");
    Path malformed = gzip("malformed.txt.gz", String.join("\n", broken).getBytes(StandardCharsets.UTF_8));
    msg = loadError(malformed);
    assertTrue(msg.contains("malformed.txt.gz line 6") && msg.contains("'abc'"), msg);

    ByteArrayOutputStream notUtf8 = new ByteArrayOutputStream();
    notUtf8.writeBytes((lines.get(0) + "\n" + lines.get(1) + "\n").getBytes(StandardCharsets.UTF_8));
    notUtf8.writeBytes(new byte[] {'x', ' ', (byte) 0xC3, '\n'});
    notUtf8.writeBytes(String.join("\n", lines.subList(3, lines.size())).getBytes(StandardCharsets.UTF_8));
    msg = loadError(gzip("latin1.txt.gz", notUtf8.toByteArray()));
    assertTrue(msg.contains("latin1.txt.gz line 3") && msg.contains("UTF-8"), msg);

    List<String> dangling = new ArrayList<>(lines);
    dangling.set(2, "qqqq z");
    msg = loadError(gzip("dangling.txt.gz", String.join("\n", dangling).getBytes(StandardCharsets.UTF_8)));
    assertTrue(msg.contains("dangling.txt.gz line 3") && msg.contains("'qqqq'"), msg);
  }

  @Test
  void badHuggingFaceFilesGiveOneClearError() throws IOException {
    Path vocab = tmp.resolve("vocab.json");
    Path merges = tmp.resolve("merges.txt");
    Map<String, Integer> json = new LinkedHashMap<>();
    List<String> bytes = gpt2ByteSymbols();
    for (int i = 0; i < 256; i++) {
      json.put(bytes.get(i), i);
      json.put(bytes.get(i) + "</w>", 256 + i);
    }
    json.put("in", 512);
    json.put("<|startoftext|>", 513);
    json.put("<|endoftext|>", 514);
    new ObjectMapper().writeValue(vocab.toFile(), json);
    Files.writeString(merges, "#version: 0.2\ni n\n");
    ClipTokenizer small = ClipTokenizer.fromHuggingFace(vocab, merges);
    assertEquals(515, small.vocabSize());
    assertArrayEquals(new int[] {512, 256 + 'k' - '!'}, small.encode("ink"));
    // a folder holding the pair means the Hugging Face form
    assertArrayEquals(small.encode("ink"), ClipTokenizer.fromPath(tmp).encode("ink"));

    Files.writeString(merges, "#version: 0.2\ni n\nt h\n");
    String msg = assertThrows(IllegalArgumentException.class, () -> ClipTokenizer.fromHuggingFace(vocab, merges)).getMessage();
    assertTrue(msg.contains("merges.txt line 3") && msg.contains("'th'"), msg);

    Files.writeString(merges, "#version: 0.2\ni n x\n");
    msg = assertThrows(IllegalArgumentException.class, () -> ClipTokenizer.fromHuggingFace(vocab, merges)).getMessage();
    assertTrue(msg.contains("merges.txt line 2"), msg);

    Files.writeString(merges, "#version: 0.2\ni n\n");
    Files.writeString(vocab, "{\"a\": 0,\n \"b\": }");
    msg = assertThrows(IllegalArgumentException.class, () -> ClipTokenizer.fromHuggingFace(vocab, merges)).getMessage();
    assertTrue(msg.contains("vocab.json") && msg.contains("line 2"), msg);

    json.remove("<|endoftext|>");
    new ObjectMapper().writeValue(vocab.toFile(), json);
    msg = assertThrows(IllegalArgumentException.class, () -> ClipTokenizer.fromHuggingFace(vocab, merges)).getMessage();
    assertTrue(msg.contains("vocab.json") && msg.contains("<|endoftext|>"), msg);
  }
}
