package hspnet.clip.tokenizer;

import java.math.BigInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python's {@code html.unescape}, which CLIP applies twice to every text: numeric references
 * ({@code &#39;}, {@code &#x27;}, the semicolon optional) with the HTML5 rules for invalid code
 * points, and named references with the HTML5 "longest legacy prefix" rule ({@code &ampx} →
 * {@code &x}). Named references are limited to the set in {@link HtmlEntities}; any other name is
 * left as it is (Python would replace the HTML5-only ones).
 */
final class HtmlUnescaper {
  private HtmlUnescaper() {}

  // Same alternatives, in the same order, as Python's html._charref.
  private static final Pattern REFERENCE =
      Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");

  private static final BigInteger MAX_CODE_POINT = BigInteger.valueOf(0x10FFFF);

  static String unescape(String s) {
    if (s.indexOf('&') < 0) {
      return s;
    }
    Matcher m = REFERENCE.matcher(s);
    StringBuilder out = new StringBuilder(s.length());
    int last = 0;
    while (m.find()) {
      out.append(s, last, m.start()).append(replace(m.group(1)));
      last = m.end();
    }
    return out.append(s, last, s.length()).toString();
  }

  private static String replace(String ref) {
    if (ref.charAt(0) == '#') {
      boolean hex = ref.charAt(1) == 'x' || ref.charAt(1) == 'X';
      String digits = ref.substring(hex ? 2 : 1);
      if (digits.endsWith(";")) {
        digits = digits.substring(0, digits.length() - 1);
      }
      BigInteger n = new BigInteger(digits, hex ? 16 : 10);
      return n.compareTo(MAX_CODE_POINT) > 0 ? "\uFFFD" : numeric(n.intValue());
    }
    String text = HtmlEntities.BY_NAME.get(ref);
    if (text != null) {
      return text;
    }
    // HTML5: the longest prefix (at least two characters) that is a legacy name wins.
    for (int len = ref.length() - 1; len > 1; len--) {
      text = HtmlEntities.BY_NAME.get(ref.substring(0, len));
      if (text != null) {
        return text + ref.substring(len);
      }
    }
    return "&" + ref;
  }

  /** Python's handling of {@code &#n;}: Windows-1252 remapping, replacement, or removal. */
  private static String numeric(int cp) {
    if (cp >= 0x80 && cp <= 0x9F) {
      char c = WINDOWS_1252_C1.charAt(cp - 0x80);
      return String.valueOf(c);
    }
    if (cp == 0) {
      return "\uFFFD";
    }
    if (cp == 0x0D) {
      return "\r";
    }
    if (cp >= 0xD800 && cp <= 0xDFFF) {
      return "\uFFFD";
    }
    if (isDroppedCodePoint(cp)) {
      return "";
    }
    return Character.toString(cp);
  }

  /**
   * What Python maps {@code &#128;..&#159;} to: the Windows-1252 character, or the C1 control itself
   * where Windows-1252 has none (0x81, 0x8D, 0x8F, 0x90, 0x9D). This mapping wins over the removal
   * of control characters.
   */
  private static final String WINDOWS_1252_C1 =
      "\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F"
          + "\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178";

  /** Control characters and noncharacters that Python's html.unescape drops. */
  private static boolean isDroppedCodePoint(int cp) {
    return (cp >= 0x01 && cp <= 0x08)
        || cp == 0x0B
        || (cp >= 0x0E && cp <= 0x1F)
        || (cp >= 0x7F && cp <= 0x9F)
        || (cp >= 0xFDD0 && cp <= 0xFDEF)
        || (cp & 0xFFFE) == 0xFFFE;
  }
}
