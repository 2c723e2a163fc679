package hspnet.config;

/** The value types a configuration key can hold. */
public enum KeyType {
  STRING("a string"),
  INT("an integer"),
  DOUBLE("a number"),
  BOOL("true or false"),
  INT_LIST("a list of integers"),
  /** A nested mapping validated against its own key set (see {@link ConfigKeys#CLIP_ARCH_KEYS}). */
  MAP("a mapping");

  final String description;

  KeyType(String description) {
    this.description = description;
  }
}
