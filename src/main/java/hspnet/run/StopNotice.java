package hspnet.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import hspnet.train.ResumeState;
import hspnet.train.TrainLog;
import hspnet.report.MetricsFile;

/**
 * While a training runs, a SIGTERM or SIGINT (or any other way the JVM shuts down before the run
 * ends) logs one line saying where the run stopped and how to continue it: the last logged step,
 * the epochs completed (those {@code resume.pt} holds) and the {@code --resume} command. The
 * stop itself is the JVM's: the resume state on disk is always that of a completed epoch, written
 * atomically, so nothing else needs doing on the way out.
 */
public final class StopNotice implements AutoCloseable {
  private static final Pattern STEP = Pattern.compile("Epoch \\[(\\d+)/(\\d+)\\], Step \\[(\\d+)/(\\d+)\\]");
  private static volatile String signal;

  static {
    // Record which signal arrived, then let the JVM's own handler act as before (shutdown hooks, exit 128+n).
    for (String name : List.of("TERM", "INT")) {
      try {
        sun.misc.Signal sig = new sun.misc.Signal(name);
        sun.misc.SignalHandler[] previous = new sun.misc.SignalHandler[1];
        previous[0] = sun.misc.Signal.handle(sig, s -> {
          signal = "SIG" + s.getName();
          previous[0].handle(s);
        });
      } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
        // no signal support here: the notice still comes, without the signal's name
      }
    }
  }

  private final Thread hook;

  private StopNotice(Thread hook) {
    this.hook = hook;
  }

  /**
   * Installs the notice for a run writing into {@code round}, logging to {@code log} (whose file is
   * {@code logFile}); {@code resumeCommand} is what the user types to continue.
   */
  public static StopNotice install(Path round, TrainLog log, Path logFile, String resumeCommand) {
    Thread hook = new Thread(() -> log.info(message(round, logFile, resumeCommand)), "stop-notice");
    Runtime.getRuntime().addShutdownHook(hook);
    return new StopNotice(hook);
  }

  static String message(Path round, Path logFile, String resumeCommand) {
    String where = "";
    try {
      Matcher last = null;
      for (String line : Files.readAllLines(logFile, StandardCharsets.UTF_8)) {
        Matcher m = STEP.matcher(line);
        if (m.find()) last = m;
      }
      if (last != null)
        where = " after Epoch [" + last.group(1) + "/" + last.group(2) + "], Step [" + last.group(3) + "/" + last.group(4) + "]";
    } catch (IOException | RuntimeException e) {
      // no step known
    }
    int done = 0;
    try {
      Path metrics = round.resolve(MetricsFile.FILE);
      if (Files.isRegularFile(metrics)) done = (int) Files.readAllLines(metrics, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).count();
    } catch (IOException | RuntimeException e) {
      // unknown: say so below
    }
    String what = signal != null ? "Stopped by " + signal : "Stopped before the end of the run";
    if (done == 0 || !Files.isRegularFile(round.resolve(ResumeState.FILE)))
      return what + where + ": no epoch completed in " + round + ", so there is nothing to resume; start the training again";
    return what + where + ": " + done + " epoch(s) completed and saved in " + round.resolve(ResumeState.FILE)
        + " (the epoch in progress is lost); continue with: " + resumeCommand;
  }

  /** The run ended by itself: no notice. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: the notice is on its way
    }
  }
}
