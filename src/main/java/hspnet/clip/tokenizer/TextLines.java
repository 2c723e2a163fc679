package hspnet.clip.tokenizer;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Splitting of vocabulary files into lines and of lines into symbols, with Python's rules. */
final class TextLines {
  private TextLines() {}

  /**
   * The first {@code maxLines} lines of {@code data} split at '\n' (a final newline does not start
   * a further line), each decoded as strict UTF-8 as Python's {@code bytes.decode("utf-8")} does.
   */
  static List<String> utf8Lines(byte[] data, int maxLines, String source) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    List<String> lines = new ArrayList<>();
    int start = 0;
    while (start < data.length && lines.size() < maxLines) {
      int end = start;
      while (end < data.length && data[end] != '\n') {
        end++;
      }
      try {
        CharBuffer chars = decoder.decode(ByteBuffer.wrap(data, start, end - start));
        lines.add(chars.toString());
      } catch (CharacterCodingException e) {
        throw new IllegalArgumentException(source + " line " + (lines.size() + 1) + " is not valid UTF-8", e);
      }
      start = end + 1;
    }
    return lines;
  }

  /**
   * A merge line's two symbols, split as Python's {@code str.split()} splits (runs of whitespace,
   * none at the ends); anything but exactly two parts is an error naming the line.
   */
  static String[] mergePair(String line, int lineNumber, String source) {
    List<String> parts = new ArrayList<>(2);
    int i = 0;
    while (i < line.length()) {
      while (i < line.length() && TextCleaner.isPythonSpace(line.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < line.length() && !TextCleaner.isPythonSpace(line.charAt(i))) {
        i++;
      }
      if (i > start) {
        parts.add(line.substring(start, i));
      }
    }
    if (parts.size() != 2) {
      throw new IllegalArgumentException(source + " line " + lineNumber
          + ": expected a merge, two symbols separated by a space, but found '" + abbreviate(line) + "'");
    }
    return parts.toArray(new String[0]);
  }

  static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "... (" + s.length() + " chars)";
  }
}
