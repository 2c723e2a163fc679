package hspnet.docs;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * README.md stays a short front page, and every relative link of README.md and docs/*.md (images
 * included) points to a file that exists and, for {@code file.md#anchor} or {@code #anchor}, to a
 * heading of that file under GitHub's anchor rule.
 */
class DocLinksTest {
  static final long README_LIMIT = 10_240;

  private static final Pattern FENCE = Pattern.compile("(?m)^\\s*```.*?^\\s*```[^\\n]*$", Pattern.DOTALL);
  private static final Pattern CODE_SPAN = Pattern.compile("`[^`]*`");
  /** [text](target) or ![alt](target), an optional "title" after the target. */
  private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
  private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}[ \\t]+(.+?)[ \\t#]*$");
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

  @Test
  void readmeIsUnderTenKilobytes() throws IOException {
    long size = Files.size(Path.of("README.md"));
    assertTrue(size < README_LIMIT, "README.md is " + size + " bytes; keep it under " + README_LIMIT
        + " and move detail into docs/");
  }

  @Test
  void everyRelativeLinkResolves() throws IOException {
    List<Path> pages = new ArrayList<>();
    pages.add(Path.of("README.md"));
    try (Stream<Path> s = Files.list(Path.of("docs"))) {
      s.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    assertTrue(pages.size() > 1, "docs/ holds the manual's pages");

    Map<Path, Set<String>> anchors = new HashMap<>();
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Path page : pages) {
      Matcher m = LINK.matcher(prose(Files.readString(page)));
      while (m.find()) {
        String target = m.group(1);
        if (target.isEmpty() || SCHEME.matcher(target).find() || target.startsWith("//")) continue;
        checked++;
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path resolved = file.isEmpty() ? page : page.toAbsolutePath().getParent().resolve(file).normalize();
        if (!Files.exists(resolved)) {
          broken.add(page + ": " + target + " (no such file)");
          continue;
        }
        if (anchor == null) continue;
        if (!resolved.getFileName().toString().endsWith(".md")) {
          broken.add(page + ": " + target + " (an anchor into a file that is not markdown)");
          continue;
        }
        Set<String> known = anchors.computeIfAbsent(resolved.toAbsolutePath().normalize(), DocLinksTest::headingAnchors);
        if (!known.contains(anchor)) broken.add(page + ": " + target + " (no heading with that anchor)");
      }
    }
    assertTrue(checked >= 10, "found only " + checked + " relative links: is the link pattern right?");
    assertEquals(List.of(), broken, "broken links");
  }

  @Test
  void anchorsFollowGitHubsRule() {
    assertEquals("progress-metrics-and-charts", slug("Progress, metrics and charts"));
    assertEquals("metricsjsonl", slug("`metrics.jsonl`"));
    assertEquals("test_metricsjson", slug("test_metrics.json"));
    assertEquals("the-papers-configs", slug("The paper's configs"));
    assertEquals("what-the-javacpp-presets-pytorch-2100-1513-expose",
        slug("What the JavaCPP presets (pytorch 2.10.0-1.5.13) expose"));
  }

  /** The text outside fenced code blocks and code spans, where a link is a link. */
  static String prose(String markdown) {
    return CODE_SPAN.matcher(FENCE.matcher(markdown).replaceAll("")).replaceAll("");
  }

  /** The anchors GitHub gives a file's headings; a repeated one gets -1, -2, … */
  static Set<String> headingAnchors(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new IllegalStateException(file.toString(), e);
    }
    Set<String> out = new HashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    Matcher m = HEADING.matcher(FENCE.matcher(text).replaceAll(""));
    while (m.find()) {
      String base = slug(m.group(1));
      int n = seen.merge(base, 1, Integer::sum) - 1;
      out.add(n == 0 ? base : base + "-" + n);
    }
    return out;
  }

  /** GitHub's rule: lowercase; punctuation other than '-' and '_' dropped; spaces become '-'. */
  static String slug(String heading) {
    String s = heading.strip().toLowerCase(Locale.ROOT);
    s = s.replaceAll("[^\\p{L}\\p{N}\\p{M} _-]", "");
    return s.replace(' ', '-');
  }
}
