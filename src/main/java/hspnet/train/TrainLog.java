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

/**
 * The run's log: every line goes to the console and to the log file in the round folder, in the
 * format of the original's Python logger ({@code 2023-01-06 10:26:43,669 [INFO] message}), so that
 * tools that parse the original's logs read ours.
 */
public final class TrainLog implements Closeable {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");
  private final BufferedWriter file;
  private final PrintStream console;

  public TrainLog(Path logFile, PrintStream console) throws IOException {
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
    if (console != null) console.println(line);
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

  @Override
  public synchronized void close() throws IOException {
    if (file != null) file.close();
  }
}
