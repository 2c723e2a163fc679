package hspnet.clip.tokenizer;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** Expected values are what Python's html.unescape and CLIP's cleaning functions return. */
class TextCleanerTest {
  @Test
  void unescapesNumericReferencesLikePython() {
    assertEquals("AAA", HtmlUnescaper.unescape("&#x41;&#65;&#65"));
    assertEquals("'s", HtmlUnescaper.unescape("&#39s"));
    assertEquals("\uFFFD", HtmlUnescaper.unescape("&#0;"));
    assertEquals("\u20AC\u009D", HtmlUnescaper.unescape("&#128;&#x9D;"), "Windows-1252 remapping");
    assertEquals("\uFFFD", HtmlUnescaper.unescape("&#xD800;"), "surrogate");
    assertEquals("x", HtmlUnescaper.unescape("&#1;x"), "control characters are dropped");
    assertEquals("", HtmlUnescaper.unescape("&#xFFFE;"), "noncharacters are dropped");
    assertEquals("\r", HtmlUnescaper.unescape("&#13;"));
    assertEquals("\uFFFD", HtmlUnescaper.unescape("&#1114112;"));
    assertEquals("\uFFFD", HtmlUnescaper.unescape("&#99999999999999999999;"), "no overflow");
    assertEquals("\uD83D\uDC31", HtmlUnescaper.unescape("&#x1F431;"));
    assertEquals("&#; &#x; &; a & b", HtmlUnescaper.unescape("&#; &#x; &; a & b"));
  }

  @Test
  void unescapesNamedReferencesLikePython() {
    assertEquals("&amp;", HtmlUnescaper.unescape("&amp;amp;"), "one level per call");
    assertEquals("&x", HtmlUnescaper.unescape("&ampx"), "legacy name without semicolon");
    assertEquals("\u00ACin", HtmlUnescaper.unescape("&notin"), "longest legacy prefix");
    assertEquals("\u2209", HtmlUnescaper.unescape("&notin;"));
    assertEquals("\u00ACit;", HtmlUnescaper.unescape("&notit;"));
    assertEquals("&unknown;", HtmlUnescaper.unescape("&unknown;"));
    assertEquals("\u27E8\u27E9", HtmlUnescaper.unescape("&lang;&rang;"), "HTML5 code points");
    assertEquals("\u00A9\u00A9", HtmlUnescaper.unescape("&COPY;&copy"));
    assertEquals("\u00C9\u00E9", HtmlUnescaper.unescape("&Eacute;&eacute"));
    assertEquals(365, HtmlEntities.BY_NAME.size(), "259 names with ';' + 106 legacy names without");
  }

  @Test
  void cleansLikeClip() {
    // \u3000 and NBSP are whitespace for the regex; U+001C/U+001F only for str.strip
    assertEquals("a photo \u001C of a cat", TextCleaner.clean("  A\u3000photo \u001C of\u00A0\u00A0a CAT\u001F "));
    assertEquals("\u03BF\u03B4\u03BF\u03C2 \u03C3 a\u03C3b", TextCleaner.clean("\u039F\u0394\u039F\u03A3 \u03A3 a\u03A3b"),
        "final sigma only after a cased letter and not before one");
    assertEquals("\u00E9", TextCleaner.clean("e\u0301"), "NFC");
    assertEquals("&amp;", TextCleaner.clean("&amp;amp;amp;"), "unescaped twice");
    assertEquals("i\u0307", TextCleaner.clean("\u0130"));
    assertEquals("", TextCleaner.clean(" \t\n "));
  }
}
