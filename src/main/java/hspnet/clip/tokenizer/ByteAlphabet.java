package hspnet.clip.tokenizer;

import java.util.Arrays;

/**
 * CLIP's reversible map between the 256 byte values and 256 printable characters (GPT-2's
 * {@code bytes_to_unicode}). BPE symbols are strings of these characters, so that merges never see
 * whitespace or control characters. The bytes that are already printable Latin-1 ({@code !..~},
 * {@code ¡..¬}, {@code ®..ÿ}) stand for themselves; the 68 others get U+0100 onwards in byte order.
 *
 * <p>The order in which the bytes are listed (printable ones first) is also the order of the first
 * 256 vocabulary entries, so the id of a byte is its position in {@link #bytesInVocabOrder()}, not
 * its value.
 */
final class ByteAlphabet {
  private static final char[] SYMBOL = new char[256];
  private static final int[] BYTE_OF_SYMBOL = new int[512];
  private static final int[] ORDER = new int[256];

  static {
    Arrays.fill(BYTE_OF_SYMBOL, -1);
    int next = 0;
    for (int b = 0; b < 256; b++) {
      if (isPrintable(b)) {
        SYMBOL[b] = (char) b;
        ORDER[next++] = b;
      }
    }
    int extra = 0;
    for (int b = 0; b < 256; b++) {
      if (!isPrintable(b)) {
        SYMBOL[b] = (char) (256 + extra++);
        ORDER[next++] = b;
      }
    }
    for (int b = 0; b < 256; b++) {
      BYTE_OF_SYMBOL[SYMBOL[b]] = b;
    }
  }

  private ByteAlphabet() {}

  private static boolean isPrintable(int b) {
    return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
  }

  /** The character that stands for byte {@code b} (0..255). */
  static char symbol(int b) {
    return SYMBOL[b & 0xFF];
  }

  /** The byte that {@code c} stands for, or -1 when {@code c} is not one of the 256 symbols. */
  static int byteOf(char c) {
    return c < BYTE_OF_SYMBOL.length ? BYTE_OF_SYMBOL[c] : -1;
  }

  /** The 256 byte values in the order in which CLIP's vocabulary lists their symbols. */
  static int[] bytesInVocabOrder() {
    return ORDER.clone();
  }

  /** {@code bytes} written with the byte symbols, one character per byte. */
  static String encode(byte[] bytes) {
    char[] out = new char[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = symbol(bytes[i]);
    }
    return new String(out);
  }
}
