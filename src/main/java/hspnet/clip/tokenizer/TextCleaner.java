package hspnet.clip.tokenizer;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * CLIP's text cleaning before the split: {@code whitespace_clean(basic_clean(text)).lower()}, i.e.
 * repair (ftfy in the original, see below), HTML-unescape twice, strip, collapse whitespace runs to
 * one space, strip, lower-case.
 *
 * <p>ftfy's {@code fix_text} is replaced by Unicode NFC normalisation, the step ftfy ends with.
 * ftfy also repairs mojibake, straightens curly quotes, expands ligatures, narrows full-width
 * characters, removes terminal escapes and control characters, and unescapes HTML once more when
 * the text has no tags; texts that need none of that (clean NFC text, at most doubly HTML-escaped)
 * come out as in the original, and so does everything the reference fixtures were made with (there
 * ftfy was the identity).
 */
final class TextCleaner {
  private TextCleaner() {}

  /**
   * Characters that the {@code regex} module's {@code \s} matches: the Unicode White_Space property.
   * Spelled out rather than {@code \p{IsWhite_Space}} so that it does not follow the JDK's Unicode
   * version.
   */
  static final String WHITESPACE_CLASS =
      "\\t\\n\\x0B\\f\\r \\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}";

  private static final Pattern WHITESPACE_RUN = Pattern.compile("[" + WHITESPACE_CLASS + "]+");

  static String clean(String text) {
    String s = Normalizer.normalize(text, Normalizer.Form.NFC);
    s = HtmlUnescaper.unescape(HtmlUnescaper.unescape(s));
    s = strip(s);
    s = strip(WHITESPACE_RUN.matcher(s).replaceAll(" "));
    return lower(s);
  }

  /**
   * Python's {@code str.lower()}. Java's {@code toLowerCase} differs only for the capital sigma Σ,
   * whose final form ς Python chooses by the Unicode Final_Sigma rule (a cased letter before it,
   * case-ignorable characters skipped, and none after it), while Java asks its word-break rules.
   * Deciding Σ here, on the original text as Python does, leaves Java nothing to decide.
   */
  static String lower(String s) {
    if (s.indexOf('\u03A3') < 0) {
      return s.toLowerCase(Locale.ROOT);
    }
    char[] chars = s.toCharArray();
    for (int i = 0; i < chars.length; i++) {
      if (chars[i] == '\u03A3') {
        chars[i] = isFinalSigma(s, i) ? '\u03C2' : '\u03C3';
      }
    }
    return new String(chars).toLowerCase(Locale.ROOT);
  }

  private static boolean isFinalSigma(String s, int at) {
    int j = at;
    int before = -1;
    while (j > 0) {
      int cp = s.codePointBefore(j);
      j -= Character.charCount(cp);
      if (!isCaseIgnorable(cp)) {
        before = cp;
        break;
      }
    }
    if (before < 0 || !isCased(before)) {
      return false;
    }
    for (int k = at + 1; k < s.length(); ) {
      int cp = s.codePointAt(k);
      k += Character.charCount(cp);
      if (!isCaseIgnorable(cp)) {
        return !isCased(cp);
      }
    }
    return true;
  }

  /** Unicode's Cased property. */
  private static boolean isCased(int cp) {
    return Character.isLowerCase(cp) || Character.isUpperCase(cp) || Character.isTitleCase(cp);
  }

  /**
   * Unicode's Case_Ignorable property: marks, format characters, modifier letters and symbols, and
   * the word-break MidLetter, MidNumLet and Single_Quote characters.
   */
  private static boolean isCaseIgnorable(int cp) {
    switch (Character.getType(cp)) {
      case Character.NON_SPACING_MARK:
      case Character.ENCLOSING_MARK:
      case Character.FORMAT:
      case Character.MODIFIER_LETTER:
      case Character.MODIFIER_SYMBOL:
        return true;
      default:
        break;
    }
    switch (cp) {
      case 0x0027: case 0x002E: case 0x003A: case 0x00B7: case 0x0387: case 0x055F: case 0x05F4:
      case 0x2018: case 0x2019: case 0x2024: case 0x2027: case 0xFE13: case 0xFE52: case 0xFE55:
      case 0xFF07: case 0xFF0E: case 0xFF1A:
        return true;
      default:
        return false;
    }
  }

  /** Python's {@code str.strip()}: removes what {@code str.isspace} calls space at both ends. */
  static String strip(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isPythonSpace(s.charAt(start))) {
      start++;
    }
    while (end > start && isPythonSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }

  /**
   * Python's {@code str.isspace} for one character: White_Space plus the four information
   * separators U+001C..U+001F (all in the BMP, so a char suffices).
   */
  static boolean isPythonSpace(char c) {
    switch (c) {
      case '\t': case '\n': case '\u000B': case '\f': case '\r': case ' ':
      case '\u001C': case '\u001D': case '\u001E': case '\u001F':
      case '\u0085': case '\u00A0': case '\u1680':
      case '\u2028': case '\u2029': case '\u202F': case '\u205F': case '\u3000':
        return true;
      default:
        return c >= '\u2000' && c <= '\u200A';
    }
  }
}
