package hspnet.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import hspnet.config.ConfigException;
import hspnet.dist.DistFault;
import hspnet.nn.NumericalFault;

/**
 * The exit-status contract of every main: 0 done; 2 a configuration or command-line problem;
 * 1 any other bad input (a missing image, a corrupt file), a numerical fault (a non-finite loss),
 * a distributed training that lost a rank (or waited for one longer than dist_timeout_s)
 * or memory that ran out; 3 an internal error (a bug: the stack trace goes to a file named in the
 * message, not to the console). The message is printed as one line ("error: …").
 */
public final class ExitStatus {
  public static final int DONE = 0;
  public static final int BAD_INPUT = 1;
  public static final int USAGE = 2;
  public static final int INTERNAL = 3;

  private ExitStatus() {}

  /** What a main does once its arguments are known; returns the status on success (usually 0). */
  @FunctionalInterface
  public interface Body {
    int run() throws IOException;
  }

  public static int of(PrintStream err, Body body) {
    try {
      return body.run();
    } catch (ConfigException | UsageException e) {
      err.println("error: " + e.getMessage());
      return USAGE;
    } catch (IllegalArgumentException | IOException | NumericalFault | DistFault e) {
      err.println("error: " + e.getMessage());
      return BAD_INPUT;
    } catch (UncheckedIOException e) {
      err.println("error: " + e.getCause().getMessage());
      return BAD_INPUT;
    } catch (OutOfMemoryError e) {
      err.println("error: " + heapExhausted(Runtime.getRuntime().maxMemory()));
      return BAD_INPUT;
    } catch (RuntimeException | StackOverflowError e) {
      if (causedBy(e, OutOfMemoryError.class)) { // a loader thread's, wrapped by its future
        err.println("error: " + heapExhausted(Runtime.getRuntime().maxMemory()));
        return BAD_INPUT;
      }
      String device = deviceOutOfMemory(e);
      if (device != null) {
        err.println("error: " + device);
        return BAD_INPUT;
      }
      err.println("error: " + internal(e, saveTrace(e)));
      return INTERNAL;
    }
  }

  static String heapExhausted(long maxHeapBytes) {
    return "out of Java heap memory (the limit is " + (maxHeapBytes >> 20) + " MiB): raise it with JAVA_OPTS=-Xmx…"
        + " or lower batch_size / workers in the config";
  }

  /** LibTorch's allocator failures arrive as runtime exceptions carrying c10's message. */
  static String deviceOutOfMemory(Throwable e) {
    String m = firstLine(e.getMessage());
    if (m.contains("CUDA out of memory") || m.contains("DefaultCPUAllocator: can't allocate memory")
        || m.contains("CUDA error: out of memory"))
      return "out of memory in LibTorch (" + m + "): lower batch_size, or use amp / a smaller image_size";
    return null;
  }

  static String internal(Throwable e, Path trace) {
    return "internal error (" + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()) + ")"
        + (trace != null ? "; the stack trace is in " + trace : "") + "; please report it";
  }

  /** The full trace for a bug report, in a new file under the temp folder; null when none can be written. */
  static Path saveTrace(Throwable e) {
    try {
      StringWriter w = new StringWriter();
      e.printStackTrace(new PrintWriter(w));
      Path f = Files.createTempFile("hspnet-error-", ".txt");
      Files.writeString(f, w.toString(), StandardCharsets.UTF_8);
      return f;
    } catch (IOException | RuntimeException io) {
      return null;
    }
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> kind) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause())
      if (kind.isInstance(t)) return true;
    return false;
  }

  private static String firstLine(String m) {
    if (m == null) return "no message";
    int nl = m.indexOf('\n');
    return (nl < 0 ? m : m.substring(0, nl)).trim();
  }
}
