package hspnet.config;

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
}
