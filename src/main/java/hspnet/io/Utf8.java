package hspnet.io;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Where a text that should be UTF-8 is not, so that the error can name its line and column. */
public final class Utf8 {
  private Utf8() {}

  /** The first byte that is not valid UTF-8, or null when all is: line and column count from 1. */
  public record Problem(int line, int column, int value) {
    public String describe() {
      return String.format("not UTF-8 text (byte 0x%02X at column %d)", value, column);
    }
  }

  public static Problem firstProblem(byte[] b) {
    CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    int line = 1, lineStart = 0;
    for (int i = 0; i < b.length; ) {
      int c = b[i] & 0xff;
      if (c == '\n') {
        line++;
        lineStart = ++i;
        continue;
      }
      int n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
      if (n == 0 || i + n > b.length) return new Problem(line, i - lineStart + 1, c);
      if (n > 1) {
        try {
          d.reset().decode(ByteBuffer.wrap(b, i, n));
        } catch (CharacterCodingException e) {
          return new Problem(line, i - lineStart + 1, c);
        }
      }
      i += n;
    }
    return null;
  }
}
