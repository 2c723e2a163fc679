package hspnet.config;

/**
 * One configuration key: its YAML name, type, whether a run needs it, and a one-line description.
 * {@code used} is false for keys that the original's configs carry but its code never reads; they
 * are accepted so that the original YAML files load unchanged.
 */
public record KeySpec(String name, KeyType type, boolean required, boolean used, String description) {
  static KeySpec required(String name, KeyType type, String description) {
    return new KeySpec(name, type, true, true, description);
  }

  static KeySpec optional(String name, KeyType type, String description) {
    return new KeySpec(name, type, false, true, description);
  }

  static KeySpec unused(String name, KeyType type, String description) {
    return new KeySpec(name, type, false, false, description);
  }
}
