package hspnet.config;

/**
 * A configuration or command-line problem the user must fix. Its message is one line that names
 * the file, the line and the key; the mains print it and exit with status 2.
 */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
