package hspnet.dist;

/**
 * A distributed training that cannot go on: a collective failed or timed out (another rank
 * stopped or is unreachable), or the ranks disagree. The message is one line, for the console.
 */
public final class DistFault extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DistFault(String message, Throwable cause) {
    super(message, cause);
  }

  public DistFault(String message) {
    super(message);
  }
}
