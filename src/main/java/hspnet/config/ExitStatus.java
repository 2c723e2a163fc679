package hspnet.config;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;

/**
 * The exit-status contract of every main: 0 done; 2 a configuration or command-line problem;
 * 1 any other bad input (a missing image, a corrupt file) or a numerical fault (a non-finite loss). The message is printed as one line
 * ("error: …") instead of a stack trace.
 */
public final class ExitStatus {
  private ExitStatus() {}

  /** What a main does once its arguments are known; returns the status on success (usually 0). */
  @FunctionalInterface
  public interface Body {
    int run() throws IOException;
  }

  public static int of(PrintStream err, Body body) {
    try {
      return body.run();
    } catch (ConfigException e) {
      err.println("error: " + e.getMessage());
      return 2;
    } catch (IllegalArgumentException | IOException e) {
      err.println("error: " + e.getMessage());
      return 1;
    } catch (hspnet.nn.NumericalFault e) {
      err.println("error: " + e.getMessage());
      return 1;
    } catch (UncheckedIOException e) {
      err.println("error: " + e.getCause().getMessage());
      return 1;
    }
  }
}
