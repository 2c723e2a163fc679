package hspnet.clip.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.nio.file.Files;

/**
 * CLIP's byte-level BPE tokenizer ({@code clip.simple_tokenizer.SimpleTokenizer} and
 * {@code clip.tokenize}), in plain Java. Immutable and safe for concurrent use.
 *
 * <p>Pipeline: clean the text ({@link TextCleaner}: repair, HTML-unescape twice, strip, collapse
 * whitespace, lower-case), split it with CLIP's pattern (the two special tokens, the contractions
 * 's 't 're 've 'm 'll 'd, letter runs, single digits, runs of other non-space symbols;
 * case-insensitive), byte-encode each piece and BPE-merge it ({@link BytePairEncoder}), map the
 * symbols to ids.
 *
 * <p>Differences from the Python original, all outside what CLIP's prompts contain:
 * <ul>
 *   <li>ftfy's {@code fix_text} is replaced by NFC normalisation: mojibake, curly quotes, ligatures,
 *       full-width forms, terminal escapes and control characters are kept as they are, and ftfy's
 *       own extra HTML unescape is not done (a text escaped three times or more keeps one level).
 *   <li>HTML named references: only the HTML 4 entities, {@code &apos;} and the upper-case legacy
 *       aliases are known ({@link HtmlEntities}); other HTML5 names ({@code &NewLine;},
 *       {@code &check;}, ...) stay as written, where Python's {@code html.unescape} replaces them
 *       (a known legacy prefix is still replaced: {@code &copysr;} gives "©sr;", Python "℗").
 *       Numeric references follow Python exactly, except that Python refuses more than 4300 digits.
 *   <li>Letters ({@code \p{L}}), digits ({@code \p{N}}) and lower-casing follow the JDK's Unicode
 *       tables (Unicode 13 in Java 17), where Python's {@code regex} module and {@code str.lower}
 *       have newer ones: characters assigned since (about 14,600, none in common use) split and
 *       lower-case differently. Whitespace ({@code \s} = White_Space, {@code str.strip} =
 *       White_Space + U+001C..U+001F) and Python's final-sigma rule are reproduced exactly.
 *   <li>A text with an unpaired UTF-16 surrogate is rejected (Python strings can hold one and then
 *       fail in {@code str.encode}).
 * </ul>
 */
public final class ClipTokenizer {
  /** CLIP's context length. */
  public static final int CONTEXT_LENGTH = 77;

  private static final Pattern SPLIT = Pattern.compile(
      "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|\\p{L}+|\\p{N}"
          + "|[^" + TextCleaner.WHITESPACE_CLASS + "\\p{L}\\p{N}]+",
      Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);

  private final BpeVocabulary vocab;
  private final BytePairEncoder bpe;

  private ClipTokenizer(BpeVocabulary vocab) {
    this.vocab = vocab;
    this.bpe = new BytePairEncoder(vocab);
  }

  /**
   * The tokenizer of OpenAI's vocabulary file {@code bpe_simple_vocab_16e6.txt.gz}.
   *
   * @throws IllegalArgumentException naming the file (and line) when it is missing, not gzip,
   *     truncated, not UTF-8, has fewer than 48894 merges or a malformed merge line
   */
  public static ClipTokenizer fromBpeFile(Path bpeGz) {
    return new ClipTokenizer(OpenAiBpeFile.read(Objects.requireNonNull(bpeGz, "bpeGz")));
  }

  /**
   * The tokenizer of the same vocabulary in Hugging Face's form ({@code vocab.json} token → id,
   * {@code merges.txt} with a {@code #version} header and "a b" merges in rank order).
   *
   * @throws IllegalArgumentException naming the file (and line) when either is missing or malformed,
   *     or a merge names or produces a token that {@code vocab.json} lacks
   */
  public static ClipTokenizer fromHuggingFace(Path vocabJson, Path mergesTxt) {
    return new ClipTokenizer(HuggingFaceBpeFiles.read(
        Objects.requireNonNull(vocabJson, "vocabJson"), Objects.requireNonNull(mergesTxt, "mergesTxt")));
  }

  /**
   * The tokenizer of a vocabulary given by path: a folder holding Hugging Face's {@code vocab.json}
   * and {@code merges.txt}, otherwise OpenAI's {@code bpe_simple_vocab_16e6.txt.gz}.
   *
   * @throws IllegalArgumentException naming the file when it is missing or malformed
   */
  public static ClipTokenizer fromPath(Path vocabulary) {
    if (Files.isDirectory(vocabulary))
      return fromHuggingFace(vocabulary.resolve("vocab.json"), vocabulary.resolve("merges.txt"));
    return fromBpeFile(vocabulary);
  }

  /**
   * The same algorithm with no merges and no file: ids 0..255 are the byte symbols, 256..511 the
   * same with {@code </w>}, then start-of-text (512) and end-of-text (513), which stays the largest
   * id so that the text encoder can find it with argmax. For models that need no download.
   */
  public static ClipTokenizer bytesOnly() {
    return new ClipTokenizer(OpenAiBpeFile.build(List.of(), "bytes-only vocabulary"));
  }

  /** The BPE ids of {@code text}, without start- and end-of-text tokens. */
  public int[] encode(String text) {
    String cleaned = TextCleaner.clean(Objects.requireNonNull(text, "text"));
    requireNoUnpairedSurrogate(text, cleaned);
    int[] out = new int[Math.max(16, cleaned.length())];
    int n = 0;
    Matcher m = SPLIT.matcher(cleaned);
    while (m.find()) {
      int[] ids = bpe.encode(m.group());
      if (n + ids.length > out.length) {
        out = Arrays.copyOf(out, Math.max(out.length * 2, n + ids.length));
      }
      System.arraycopy(ids, 0, out, n, ids.length);
      n += ids.length;
    }
    return Arrays.copyOf(out, n);
  }

  /**
   * {@code [SOT] + encode(text) + [EOT]}, zero-padded to {@code contextLength}, as
   * {@code clip.tokenize} does for one text.
   *
   * @param truncate when the tokens do not fit: true keeps the first {@code contextLength} and
   *     overwrites the last with EOT (as the original does); false throws
   * @throws IllegalArgumentException when the tokens do not fit and {@code truncate} is false
   *     (naming the text, its token count and the context length), or {@code contextLength < 2}
   */
  public long[] tokenize(String text, int contextLength, boolean truncate) {
    if (contextLength < 2) {
      throw new IllegalArgumentException("context length must be at least 2 (start and end of text), not "
          + contextLength);
    }
    int[] ids = encode(text);
    int count = ids.length + 2;
    if (count > contextLength && !truncate) {
      throw new IllegalArgumentException("text '" + TextLines.abbreviate(text) + "' has " + count
          + " tokens (start and end of text included), more than the context length " + contextLength
          + "; tokenize it with truncate=true to cut it");
    }
    long[] row = new long[contextLength];
    row[0] = vocab.sot();
    int kept = Math.min(ids.length, contextLength - 2);
    for (int i = 0; i < kept; i++) {
      row[1 + i] = ids[i];
    }
    row[1 + kept] = vocab.eot();
    return row;
  }

  /** {@link #tokenize(String, int, boolean)} for every text: one row per text. */
  public long[][] tokenize(List<String> texts, int contextLength, boolean truncate) {
    long[][] rows = new long[texts.size()][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = tokenize(texts.get(i), contextLength, truncate);
    }
    return rows;
  }

  public int sotToken() {
    return vocab.sot();
  }

  public int eotToken() {
    return vocab.eot();
  }

  /** Number of ids, i.e. the rows a token embedding needs (49408 for CLIP, 514 for bytesOnly). */
  public int vocabSize() {
    return vocab.size();
  }

  /**
   * The text of {@code ids}, for debugging and tests: token strings back to bytes, decoded as UTF-8
   * (malformed sequences become U+FFFD), {@code </w>} → space. Special tokens come out as written.
   *
   * @throws IllegalArgumentException for an id that no token has
   */
  public String decode(int[] ids) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(ids.length * 4);
    for (int id : ids) {
      String token = vocab.token(id);
      if (token == null) {
        throw new IllegalArgumentException("id " + id + " is not in the vocabulary (size " + vocab.size() + ")");
      }
      for (int i = 0; i < token.length(); i++) {
        int b = ByteAlphabet.byteOf(token.charAt(i));
        if (b >= 0) {
          bytes.write(b);
        } else {
          // only a foreign vocabulary (Hugging Face form) can hold such a character: keep it as is
          bytes.writeBytes(String.valueOf(token.charAt(i)).getBytes(StandardCharsets.UTF_8));
        }
      }
    }
    return new String(bytes.toByteArray(), StandardCharsets.UTF_8).replace(BpeVocabulary.END_OF_WORD, " ");
  }

  private static void requireNoUnpairedSurrogate(String text, String cleaned) {
    for (int i = 0; i < cleaned.length(); i++) {
      char c = cleaned.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < cleaned.length() && Character.isLowSurrogate(cleaned.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException("text '" + TextLines.abbreviate(text)
            + "' holds an unpaired UTF-16 surrogate (U+" + Integer.toHexString(c).toUpperCase() + "), which has no UTF-8 form");
      }
    }
  }
}
