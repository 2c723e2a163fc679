package hspnet.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** A config value that is one of a few words: the enum constant's name in lower case. */
public interface Choice {
  /** The word as written in a config file. */
  default String word() {
    return ((Enum<?>) this).name().toLowerCase(Locale.ROOT);
  }

  /** The constant whose word is {@code text}; an error naming the key's line and the choices otherwise. */
  static <E extends Enum<E> & Choice> E parse(Class<E> type, String text, RunConfig cfg, String key) {
    for (E e : type.getEnumConstants()) if (e.word().equals(text)) return e;
    throw cfg.error(key, "must be one of " + words(type) + "; got '" + text + "'");
  }

  static <E extends Enum<E> & Choice> String words(Class<E> type) {
    return Arrays.stream(type.getEnumConstants()).map(Choice::word).collect(Collectors.joining(", "));
  }
}
