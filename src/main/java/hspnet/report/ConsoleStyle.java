package hspnet.report;

import java.io.Console;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.time.Duration;

/**
 * How progress reaches the console: redrawn in place on one line when the console is a terminal,
 * otherwise (a log file, CI, a test's buffer) as plain lines every {@code plainEvery}, with no
 * control characters that would garble a file.
 */
public record ConsoleStyle(boolean live, Duration plainEvery) {
  /** How often a plain progress line is printed when the console is not a terminal. */
  public static final Duration DEFAULT_PLAIN_EVERY = Duration.ofSeconds(30);
  /** How often a live line is redrawn: fast enough to look live, rare enough to cost nothing. */
  static final Duration LIVE_EVERY = Duration.ofMillis(250);

  public ConsoleStyle {
    if (plainEvery.isNegative()) throw new IllegalArgumentException("plainEvery must not be negative, got " + plainEvery);
  }

  /** Plain lines every {@code every} (tests use zero: a line at every step). */
  public static ConsoleStyle plain(Duration every) {
    return new ConsoleStyle(false, every);
  }

  /** Live when {@code out} is the process's standard output and that is a terminal. */
  public static ConsoleStyle of(PrintStream out) {
    return new ConsoleStyle(out == System.out && isTerminal(), DEFAULT_PLAIN_EVERY);
  }

  /** The time between two progress lines. */
  public Duration every() {
    return live ? LIVE_EVERY : plainEvery;
  }

  /**
   * System.console() is non-null only when stdin and stdout are terminals up to Java 21; from
   * Java 22 on it may exist for redirected streams too, and Console.isTerminal() tells.
   */
  static boolean isTerminal() {
    Console c = System.console();
    if (c == null) return false;
    try {
      Method m = Console.class.getMethod("isTerminal");
      return (Boolean) m.invoke(c);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }
}
