package hspnet.clip.tokenizer;

import java.util.Map;

/**
 * CLIP's BPE vocabulary in resolved form: the token string of every id, the ids of the 512 byte
 * symbols (with and without the end-of-word mark), the merge table over ids, and the two special
 * tokens. The file formats are read by {@link OpenAiBpeFile} and {@link HuggingFaceBpeFiles}.
 */
final class BpeVocabulary {
  /** Appended to the last symbol of every word. */
  static final String END_OF_WORD = "</w>";
  static final String START_OF_TEXT = "<|startoftext|>";
  static final String END_OF_TEXT = "<|endoftext|>";

  private final String[] tokenOfId;
  private final int[] byteId = new int[256];
  private final int[] byteEndId = new int[256];
  private final MergeTable merges;
  private final int sot;
  private final int eot;

  /**
   * @param idOfToken every token with its id; a string listed twice in a vocabulary keeps its last
   *     id, as a Python dict built from the list does
   * @param size number of ids (embedding rows); ids without a token are allowed and never produced
   * @param source names the file(s) in error messages
   */
  BpeVocabulary(Map<String, Integer> idOfToken, int size, MergeTable merges, String source) {
    this.tokenOfId = new String[size];
    for (Map.Entry<String, Integer> e : idOfToken.entrySet()) {
      int id = e.getValue();
      if (id < 0 || id >= size) {
        throw new IllegalArgumentException(source + ": token '" + e.getKey() + "' has id " + id
            + ", outside 0.." + (size - 1));
      }
      if (tokenOfId[id] != null) {
        throw new IllegalArgumentException(source + ": tokens '" + tokenOfId[id] + "' and '"
            + e.getKey() + "' both have id " + id);
      }
      tokenOfId[id] = e.getKey();
    }
    for (int b = 0; b < 256; b++) {
      String symbol = String.valueOf(ByteAlphabet.symbol(b));
      byteId[b] = require(idOfToken, symbol, source, "the symbol of byte " + b);
      byteEndId[b] = require(idOfToken, symbol + END_OF_WORD, source, "the end-of-word symbol of byte " + b);
    }
    this.sot = require(idOfToken, START_OF_TEXT, source, "the start-of-text token");
    this.eot = require(idOfToken, END_OF_TEXT, source, "the end-of-text token");
    this.merges = merges;
  }

  private static int require(Map<String, Integer> idOfToken, String token, String source, String what) {
    Integer id = idOfToken.get(token);
    if (id == null) {
      throw new IllegalArgumentException(source + ": the vocabulary lacks '" + token + "' (" + what + ")");
    }
    return id;
  }

  int size() {
    return tokenOfId.length;
  }

  /** The token string of {@code id}, or null when no token has that id. */
  String token(int id) {
    return id >= 0 && id < tokenOfId.length ? tokenOfId[id] : null;
  }

  int byteId(int b) {
    return byteId[b];
  }

  int byteEndId(int b) {
    return byteEndId[b];
  }

  MergeTable merges() {
    return merges;
  }

  int sot() {
    return sot;
  }

  int eot() {
    return eot;
  }
}
