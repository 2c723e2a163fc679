package hspnet.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

class OptionParserTest {
  private static OptionParser parser() {
    return new OptionParser("tool")
        .flag("-t", "--test")
        .value("-c", "--config-file")
        .value("-r", "--round")
        .repeated("-o", "--override")
        .anyValue("--text");
  }

  private static String fails(OptionParser p, String... args) {
    UsageException e = assertThrows(UsageException.class, () -> p.parse(args));
    assertTrue(e.getMessage().endsWith(" (usage: tool -h)"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    return e.problem();
  }

  @Test
  void flagsAndValuesUnderAnyOfTheirNames() {
    OptionParser.Parsed a = parser().parse("-c", "x.yaml", "--test");
    assertTrue(a.has("-t") && a.has("--test"));
    assertEquals("x.yaml", a.value("-c"));
    assertEquals("x.yaml", a.value("--config-file"));
    assertEquals(Path.of("x.yaml"), a.path("--config-file"));
    assertFalse(a.has("-r"));
    assertNull(a.value("-r"));
    assertEquals("7", a.value("-r", "7"));
    assertFalse(a.help());
    assertEquals(List.of(), a.values("-o"));

    OptionParser.Parsed b = parser().parse("--config-file", "y.yaml", "--round=3");
    assertEquals("y.yaml", b.value("-c"));
    assertEquals(3, b.integer("-r", 1, "a round number"));
    assertEquals("--round", b.spelled("-r"), "messages name the option as it was typed");
    assertEquals("-c", parser().parse("-c", "z").spelled("-c"));
  }

  @Test
  void equalsFormKeepsEverythingAfterTheFirstEquals() {
    OptionParser.Parsed a = parser().parse("--config-file=a=b.yaml", "--override=lr=0.1");
    assertEquals("a=b.yaml", a.value("-c"));
    assertEquals(List.of("lr=0.1"), a.values("-o"));
    assertEquals("", parser().parse("--config-file=").value("-c"), "an empty value is a value");
  }

  @Test
  void repeatedOptionsKeepEveryValueInOrder() {
    OptionParser.Parsed a = parser().parse("-o", "epochs=1", "--override", "lr=1e-3", "--override=device=cpu", "-o", "epochs=2");
    assertEquals(List.of("epochs=1", "lr=1e-3", "device=cpu", "epochs=2"), a.values("--override"));
    assertEquals("epochs=2", a.value("-o"), "value() of a repeated option: the last");
  }

  @Test
  void missingValues() {
    assertEquals("option -r needs a value", fails(parser(), "-c", "x", "-r"));
    assertEquals("option -c needs a value", fails(parser(), "-c", "-t"), "an option word is not taken for a value");
    assertEquals("option --round needs a value", fails(parser(), "--round", "--test"));
    assertEquals(-2, parser().parse("-r", "-2").integer("-r", Integer.MIN_VALUE, "a number"), "a negative number is a value");
    assertEquals(List.of("-v", "--x"), parser().parse("--text", "-v", "--text", "--x").values("--text"), "free text may start with '-'");
  }

  @Test
  void unknownOptionsNameTheClosestOne() {
    assertEquals("unknown option '--confg-file' (did you mean --config-file?)", fails(parser(), "--confg-file", "x"));
    assertEquals("unknown option '--roud=2' (did you mean --round?)", fails(parser(), "--roud=2"));
    assertEquals("unknown option '--zzzzzzzzzz'", fails(parser(), "--zzzzzzzzzz"), "no hint when nothing is near");
  }

  @Test
  void otherMistakes() {
    assertEquals("option -c given twice", fails(parser(), "-c", "a", "-c", "b"));
    assertEquals("option --test takes no value", fails(parser(), "--test=yes"));
    assertEquals("unexpected argument 'x.yaml'", fails(parser(), "x.yaml"), "no positionals declared");
    OptionParser.Parsed a = parser().parse("-r", "two");
    assertEquals("option -r needs a round number of 1 or more, got 'two'",
        assertThrows(UsageException.class, () -> a.integer("-r", 1, "a round number")).problem());
    assertEquals("missing -c CONFIG_FILE",
        assertThrows(UsageException.class, () -> parser().parse("-t").require("-c", "CONFIG_FILE")).problem());
    assertThrows(IllegalArgumentException.class, () -> parser().parse().has("--undeclared"), "a programming error, not a usage one");
    assertThrows(IllegalArgumentException.class, () -> parser().flag("-c"), "declared twice");
  }

  @Test
  void positionalsAndDoubleDash() {
    OptionParser p = new OptionParser("tool").value("--out").positionals();
    OptionParser.Parsed a = p.parse("a.jpg", "--out", "o.json", "-", "b.jpg", "--", "-c.jpg", "--out");
    assertEquals(List.of("a.jpg", "-", "b.jpg", "-c.jpg", "--out"), a.positionals());
    assertEquals("o.json", a.value("--out"));
  }

  @Test
  void helpIsAlwaysDeclaredAndSkipsRequiredChecks() {
    for (String h : new String[] {"-h", "--help"}) {
      OptionParser.Parsed a = parser().parse(h);
      assertTrue(a.help(), h);
      a.require("-c", "CONFIG_FILE");   // no error: help asked for
    }
    assertTrue(parser().parse("-c", "x", "--help").help());
    assertEquals("unknown option '--hepl' (did you mean --help?)", fails(parser(), "--hepl"));
  }

  @Test
  void exitStatusMapsUsageErrorsToTwoAndOneLine() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = ExitStatus.of(new PrintStream(err, true, StandardCharsets.UTF_8), () -> {
      parser().parse("-c", "x", "-r");
      return 0;
    });
    assertEquals(ExitStatus.USAGE, status);
    assertEquals("error: option -r needs a value (usage: tool -h)\n", err.toString(StandardCharsets.UTF_8).replace("\r", ""));
  }
}
