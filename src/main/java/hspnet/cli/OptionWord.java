package hspnet.cli;

/**
 * One command-line word split the way every main reads it: {@code --name=value} gives the name
 * and its value; anything else is a name (or a plain argument) with no value attached.
 */
public record OptionWord(String name, String value) {
  public static OptionWord of(String word) {
    int eq = word.indexOf('=');
    if (word.startsWith("--") && eq > 0) return new OptionWord(word.substring(0, eq), word.substring(eq + 1));
    return new OptionWord(word, null);
  }

  /** The word as a POSIX shell reads it back unchanged (in a command printed for the user to run). */
  public static String shellQuoted(String word) {
    if (!word.isEmpty() && word.matches("[A-Za-z0-9_./:=+,@%-]+")) return word;
    return "'" + word.replace("'", "'\\''") + "'";
  }
}
