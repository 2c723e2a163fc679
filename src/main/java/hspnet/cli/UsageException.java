package hspnet.cli;

/**
 * A command-line problem: an unknown option, a missing or malformed value, options that exclude
 * each other. {@link ExitStatus#of} prints it as one line and exits with status 2; the message
 * ends with where to find the usage, e.g. {@code -r needs a value (usage: hspnet -h)}.
 */
public final class UsageException extends RuntimeException {
  private final String problem;

  /** @param program the command's name in the hint, or null for no hint */
  public UsageException(String problem, String program) {
    super(program == null ? problem : problem + " (usage: " + program + " -h)");
    this.problem = problem;
  }

  /** The message without the usage hint. */
  public String problem() { return problem; }
}
