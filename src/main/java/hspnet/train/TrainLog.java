package hspnet.train;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

import hspnet.report.ConsoleStyle;
import hspnet.report.ProgressSink;

/**
 * The run's log: every line goes to the console and to the log file in the round folder, in the
 * format of the original's Python logger ({@code 2023-01-06 10:26:43,669 [INFO] message}), so that
 * tools that parse the original's logs read ours.
 *
 * <p>It also owns the console's progress line ({@link ProgressSink}), which never reaches the log
 * file: on a terminal the line is redrawn in place and a log line first clears it, then is
 * printed, then the progress line is drawn again below it.
 */
public final class TrainLog implements Closeable, ProgressSink {
  /** Back to the line's start, then erase to its end (ANSI): only ever sent to a terminal. */
  private static final String CLEAR_LINE = "\r\033[K";
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");
  private final BufferedWriter file;
  private final PrintStream console;
  private final ConsoleStyle style;
  /** The live progress line on the terminal, null when none is shown. */
  private String shown;

  public TrainLog(Path logFile, PrintStream console) throws IOException {
    this(logFile, console, ConsoleStyle.of(console));
  }

  public TrainLog(Path logFile, PrintStream console, ConsoleStyle style) throws IOException {
    this.style = style;
    this.file = logFile == null ? null : Files.newBufferedWriter(logFile, StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    this.console = console;
  }

  /** A log that only prints (tests, or before a round folder exists). */
  public static TrainLog consoleOnly(PrintStream console) {
    try {
      return new TrainLog(null, console);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public synchronized void info(String message) {
    String line = LocalDateTime.now().format(TIME) + " [INFO] " + message;
    if (console != null) {
      if (shown != null) console.print(CLEAR_LINE);
      console.println(line);
      if (shown != null) {
        console.print(shown);
        console.flush();
      }
    }
    if (file != null) {
      try {
        file.write(line);
        file.newLine();
        file.flush();
      } catch (IOException e) {
        if (console != null) console.println("warning: cannot write the log file: " + e.getMessage());
      }
    }
  }

  /**
   * An error that ends the run, for the log file only: the console gets it from the main's one
   * error line, and the log file should say why the run it records stopped.
   */
  public synchronized void error(String message) {
    endProgress();
    if (file == null) return;
    try {
      file.write(LocalDateTime.now().format(TIME) + " [ERROR] " + message);
      file.newLine();
      file.flush();
    } catch (IOException e) {
      if (console != null) console.println("warning: cannot write the log file: " + e.getMessage());
    }
  }

  @Override
  public synchronized void progress(String line) {
    if (console == null) return;
    if (style.live()) {
      console.print(CLEAR_LINE + line);
      console.flush();
      shown = line;
    } else {
      console.println(line);
    }
  }

  @Override
  public synchronized void endProgress() {
    if (shown == null) return;
    console.print(CLEAR_LINE);
    console.flush();
    shown = null;
  }

  @Override
  public ConsoleStyle style() {
    return style;
  }

  @Override
  public synchronized void close() throws IOException {
    endProgress();
    if (file != null) file.close();
  }
}
