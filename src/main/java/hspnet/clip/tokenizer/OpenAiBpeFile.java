package hspnet.clip.tokenizer;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads OpenAI's {@code bpe_simple_vocab_16e6.txt.gz}: a header line, then one merge per line
 * ("i n", "t h", ...), far more than CLIP uses. CLIP takes the first {@link #MERGES} merges and
 * builds its vocabulary as the 256 byte symbols, the same with {@code </w>}, the merged pairs in
 * order, then the start- and end-of-text tokens: 49408 ids.
 */
final class OpenAiBpeFile {
  /** 49152 - 256 - 2, as in CLIP's {@code SimpleTokenizer}. */
  static final int MERGES = 49152 - 256 - 2;

  private OpenAiBpeFile() {}

  static BpeVocabulary read(Path file) {
    String source = "BPE vocabulary file " + file;
    List<String> lines = TextLines.utf8Lines(gunzip(file, source), MERGES + 1, source);
    if (lines.size() < MERGES + 1) {
      throw new IllegalArgumentException(source + " has only " + Math.max(0, lines.size() - 1)
          + " merge lines after its header line (lines 2.." + lines.size() + "); CLIP needs " + MERGES);
    }
    List<String[]> pairs = new ArrayList<>(MERGES);
    for (int i = 1; i <= MERGES; i++) {
      pairs.add(TextLines.mergePair(lines.get(i), i + 1, source));
    }
    return build(pairs, source);
  }

  /** The vocabulary of {@code pairs} merges (possibly none) laid out as CLIP lays it out. */
  static BpeVocabulary build(List<String[]> pairs, String source) {
    List<String> vocab = new ArrayList<>(512 + pairs.size() + 2);
    int[] order = ByteAlphabet.bytesInVocabOrder();
    for (int b : order) {
      vocab.add(String.valueOf(ByteAlphabet.symbol(b)));
    }
    for (int b : order) {
      vocab.add(ByteAlphabet.symbol(b) + BpeVocabulary.END_OF_WORD);
    }
    for (String[] pair : pairs) {
      vocab.add(pair[0] + pair[1]);
    }
    vocab.add(BpeVocabulary.START_OF_TEXT);
    vocab.add(BpeVocabulary.END_OF_TEXT);

    // A string listed twice keeps its last id (a Python dict built from the list); the earlier id
    // is left without a token. The released file has no such duplicates.
    Map<String, Integer> idOfToken = new HashMap<>(vocab.size() * 2);
    for (int id = 0; id < vocab.size(); id++) {
      idOfToken.put(vocab.get(id), id);
    }
    MergeTable.Builder merges = new MergeTable.Builder();
    for (int i = 0; i < pairs.size(); i++) {
      String[] pair = pairs.get(i);
      String where = source + " line " + (i + 2) + " ('" + pair[0] + " " + pair[1] + "')";
      merges.add(symbolId(idOfToken, pair[0], where), symbolId(idOfToken, pair[1], where),
          idOfToken.get(pair[0] + pair[1]));
    }
    return new BpeVocabulary(idOfToken, vocab.size(), merges.build(), source);
  }

  private static int symbolId(Map<String, Integer> idOfToken, String symbol, String where) {
    Integer id = idOfToken.get(symbol);
    if (id == null) {
      throw new IllegalArgumentException(where + ": '" + symbol
          + "' is neither a byte symbol nor the result of another merge");
    }
    return id;
  }

  /** OpenAI's vocabulary is 1.6 MB unzipped; more than this is no vocabulary (a gzip bomb, say). */
  private static final int MAX_UNZIPPED = 64 << 20;

  /** The whole decompressed file, so that a truncated or corrupt download is noticed. */
  private static byte[] gunzip(Path file, String source) {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16)) {
      byte[] all = in.readNBytes(MAX_UNZIPPED + 1);
      if (all.length > MAX_UNZIPPED)
        throw new IllegalArgumentException(source + " inflates to more than " + (MAX_UNZIPPED >> 20) + " MiB; CLIP's"
            + " vocabulary is 1.6 MB (refused as a decompression bomb)");
      return all;
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(source + " does not exist", e);
    } catch (EOFException e) {
      throw new IllegalArgumentException(source + " is truncated: the gzip stream ends early", e);
    } catch (ZipException e) {
      String msg = String.valueOf(e.getMessage());
      throw new IllegalArgumentException(source + (msg.contains("Not in GZIP format")
          ? " is not a gzip file" : " is a corrupt gzip file (" + msg + ")"), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + source + ": " + e, e);
    }
  }
}
