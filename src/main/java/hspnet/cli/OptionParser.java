package hspnet.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import hspnet.config.KeyNames;

/**
 * The one command-line parser of every main. Options are declared, then a command line is parsed
 * against them:
 *
 * <pre>{@code
 * OptionParser p = new OptionParser("hspnet")          // -h/--help is always declared
 *     .flag("-t", "--test")
 *     .value("-c", "--config-file")                    // -c FILE, --config-file FILE, --config-file=FILE
 *     .repeated("-o", "--override")                    // any number, in order
 *     .positionals();                                  // plain words (and all after "--")
 * OptionParser.Parsed a = p.parse(args);
 * a.has("--test"); a.value("-c"); a.values("-o"); a.positionals(); a.help();
 * }</pre>
 *
 * Any of an option's names finds it. A value is the next word, or what follows '=' in a
 * {@code --name=value} word; a next word that starts with '-' (but is not a number or a lone '-')
 * is taken for a forgotten value unless the option is declared with {@link #anyValue}. A
 * single-valued option given twice, an unknown option (with the closest declared name as a hint),
 * a missing value or an unexpected plain word is a {@link UsageException}, which
 * {@link ExitStatus#of} turns into one line and exit status 2.
 */
public final class OptionParser {
  private enum Kind { FLAG, VALUE, REPEATED }

  private record Spec(String key, List<String> names, Kind kind, boolean anyValue) {}

  private final String program;
  private final Map<String, Spec> byName = new LinkedHashMap<>();
  private boolean positionals;

  /** @param program the command's name, as the usage hint of every error names it */
  public OptionParser(String program) {
    this.program = program;
    flag("-h", "--help");
  }

  /** An option without a value: given or not. */
  public OptionParser flag(String... names) {
    return declare(Kind.FLAG, false, names);
  }

  /** An option with one value, given at most once. */
  public OptionParser value(String... names) {
    return declare(Kind.VALUE, false, names);
  }

  /** An option with a value, given any number of times; the values are kept in order. */
  public OptionParser repeated(String... names) {
    return declare(Kind.REPEATED, false, names);
  }

  /** A repeatable option whose value may start with '-' (free text). */
  public OptionParser anyValue(String... names) {
    return declare(Kind.REPEATED, true, names);
  }

  /** Accepts plain words (image files, counts); after a lone {@code --} every word is one. */
  public OptionParser positionals() {
    positionals = true;
    return this;
  }

  private OptionParser declare(Kind kind, boolean anyValue, String... names) {
    if (names.length == 0) throw new IllegalArgumentException("an option needs a name");
    Spec s = new Spec(names[0], List.of(names), kind, anyValue);
    for (String n : names) {
      if (!n.startsWith("-")) throw new IllegalArgumentException("option names start with '-': " + n);
      if (byName.putIfAbsent(n, s) != null) throw new IllegalArgumentException("option " + n + " declared twice");
    }
    return this;
  }

  /** A usage error of this command (for the checks a command makes after parsing). */
  public UsageException error(String problem) {
    return new UsageException(problem, program);
  }

  /** What a command does with its parsed arguments; returns its exit status (usually 0). */
  @FunctionalInterface
  public interface Command {
    int run(Parsed parsed) throws IOException;
  }

  /**
   * The whole of a simple main: parses {@code args}, prints {@code usage} to {@code out} for
   * -h/--help, else runs {@code command}; every error becomes one line on {@code err} and its exit
   * status ({@link ExitStatus#of}).
   */
  public int run(String[] args, String usage, PrintStream out, PrintStream err, Command command) {
    return ExitStatus.of(err, () -> {
      Parsed p = parse(args);
      if (p.help()) {
        out.print(usage);
        return ExitStatus.DONE;
      }
      return command.run(p);
    });
  }

  public Parsed parse(String... args) {
    Map<Spec, List<String>> given = new LinkedHashMap<>();
    Map<Spec, String> spelled = new LinkedHashMap<>();
    List<String> plain = new ArrayList<>();
    boolean onlyPlain = false;
    for (int i = 0; i < args.length; i++) {
      String word = args[i];
      if (onlyPlain || !word.startsWith("-") || word.equals("-")) {
        if (!positionals) throw error("unexpected argument '" + word + "'");
        plain.add(word);
        continue;
      }
      if (word.equals("--")) {
        onlyPlain = true;
        continue;
      }
      OptionWord w = OptionWord.of(word);
      Spec s = byName.get(w.name());
      if (s == null) {
        String hint = KeyNames.closest(w.name(), byName.keySet());
        throw error("unknown option '" + word + "'" + (hint != null ? " (did you mean " + hint + "?)" : ""));
      }
      String value = w.value();
      if (s.kind == Kind.FLAG) {
        if (value != null) throw error("option " + w.name() + " takes no value");
        value = "";
      } else if (value == null) {
        if (i + 1 >= args.length || !s.anyValue && looksLikeOption(args[i + 1]))
          throw error("option " + w.name() + " needs a value");
        value = args[++i];
      }
      List<String> values = given.computeIfAbsent(s, k -> new ArrayList<>());
      if (s.kind == Kind.VALUE && !values.isEmpty()) throw error("option " + w.name() + " given twice");
      values.add(value);
      spelled.put(s, w.name());
    }
    return new Parsed(given, spelled, List.copyOf(plain));
  }

  private static boolean looksLikeOption(String word) {
    if (!word.startsWith("-") || word.equals("-")) return false;
    try {
      Double.parseDouble(word);
      return false;   // a negative number is a value (checked by the option's own range)
    } catch (NumberFormatException e) {
      return true;
    }
  }

  private Spec spec(String name) {
    Spec s = byName.get(name);
    if (s == null) throw new IllegalArgumentException("option " + name + " is not declared");
    return s;
  }

  /** What a command line gave. Options are looked up by any of their declared names. */
  public final class Parsed {
    private final Map<Spec, List<String>> given;
    private final Map<Spec, String> spelled;
    private final List<String> positionals;

    private Parsed(Map<Spec, List<String>> given, Map<Spec, String> spelled, List<String> positionals) {
      this.given = given;
      this.spelled = spelled;
      this.positionals = positionals;
    }

    public boolean help() { return has("--help"); }

    public boolean has(String name) { return given.containsKey(spec(name)); }

    /** The option's value, or null when it was not given. */
    public String value(String name) {
      List<String> v = given.get(spec(name));
      return v == null ? null : v.get(v.size() - 1);
    }

    /** The option's value, or {@code fallback} when it was not given. */
    public String value(String name, String fallback) {
      String v = value(name);
      return v == null ? fallback : v;
    }

    /** Every value of a repeated option, in order (empty when none). */
    public List<String> values(String name) {
      return List.copyOf(given.getOrDefault(spec(name), List.of()));
    }

    public List<String> positionals() { return positionals; }

    /** The name the user typed for the option (for messages), or its first declared name. */
    public String spelled(String name) {
      Spec s = spec(name);
      return spelled.getOrDefault(s, s.key);
    }

    public Path path(String name) {
      String v = value(name);
      return v == null ? null : Path.of(v);
    }

    /** The value as an integer of at least {@code min}, or null when not given; {@code what} names it in the error. */
    public Integer integer(String name, int min, String what) {
      String v = value(name);
      return v == null ? null : integer(v, spelled(name), min, what);
    }

    /** As {@link #integer(String, int, String)}, with a default. */
    public int integer(String name, int min, String what, int fallback) {
      Integer v = integer(name, min, what);
      return v == null ? fallback : v;
    }

    /** A plain word as an integer of at least {@code min}; {@code label} names the word in the error. */
    public int integer(String word, String label, int min, String what) {
      try {
        int n = Integer.parseInt(word.strip());
        if (n >= min) return n;
      } catch (NumberFormatException e) {
        // reported below
      }
      throw error((label.startsWith("-") ? "option " : "") + label + " needs " + what
          + (min == Integer.MIN_VALUE ? "" : " of " + min + " or more") + ", got '" + word + "'");
    }

    /** Throws "missing NAME METAVAR" when the option was not given (and no help was asked for). */
    public void require(String name, String metavar) {
      if (!help() && !has(name)) throw error("missing " + name + " " + metavar);
    }

    public UsageException error(String problem) {
      return OptionParser.this.error(problem);
    }
  }
}
