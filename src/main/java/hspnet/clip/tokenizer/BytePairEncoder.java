package hspnet.clip.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Arrays;

/**
 * The BPE step of CLIP's tokenizer for one piece of the split: its UTF-8 bytes become byte symbols
 * (the last one marked end-of-word), then the adjacent pair with the lowest merge rank is merged,
 * every non-overlapping occurrence from left to right, until no pair has a rank. Results are cached
 * per piece, as the original does; the cache is safe for concurrent use and stops growing at
 * {@link #CACHE_LIMIT} entries so that a long-running process does not keep every word it saw.
 */
final class BytePairEncoder {
  static final int CACHE_LIMIT = 1 << 18;

  private final BpeVocabulary vocab;
  private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

  BytePairEncoder(BpeVocabulary vocab) {
    this.vocab = vocab;
  }

  /** The ids of {@code piece}; the caller must not modify the returned array. */
  int[] encode(String piece) {
    // The original pre-fills its cache with the special tokens, so they bypass BPE; only the exact
    // lower-case spelling reaches this point (the text is lower-cased before the split).
    if (piece.equals(BpeVocabulary.START_OF_TEXT)) {
      return new int[] {vocab.sot()};
    }
    if (piece.equals(BpeVocabulary.END_OF_TEXT)) {
      return new int[] {vocab.eot()};
    }
    int[] ids = cache.get(piece);
    if (ids == null) {
      ids = merge(piece.getBytes(StandardCharsets.UTF_8));
      if (cache.size() < CACHE_LIMIT) {
        cache.putIfAbsent(piece, ids);
      }
    }
    return ids;
  }

  private int[] merge(byte[] bytes) {
    int n = bytes.length;
    int[] word = new int[n];
    for (int i = 0; i < n - 1; i++) {
      word[i] = vocab.byteId(bytes[i] & 0xFF);
    }
    word[n - 1] = vocab.byteEndId(bytes[n - 1] & 0xFF);

    MergeTable merges = vocab.merges();
    while (n > 1) {
      int bestRank = Integer.MAX_VALUE;
      int bestAt = -1;
      for (int i = 0; i < n - 1; i++) {
        int rank = merges.rank(word[i], word[i + 1]);
        if (rank >= 0 && rank < bestRank) {
          bestRank = rank;
          bestAt = i;
        }
      }
      if (bestAt < 0) {
        break;
      }
      int first = word[bestAt];
      int second = word[bestAt + 1];
      int merged = merges.result(first, second);
      int out = 0;
      for (int i = 0; i < n; ) {
        if (i < n - 1 && word[i] == first && word[i + 1] == second) {
          word[out++] = merged;
          i += 2;
        } else {
          word[out++] = word[i++];
        }
      }
      n = out;
    }
    return Arrays.copyOf(word, n);
  }
}
