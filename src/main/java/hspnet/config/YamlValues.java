package hspnet.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import java.util.HashMap;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.util.Locale;
import java.io.StringReader;

/**
 * Turns one YAML file into validated, typed values, each remembering the file and line it came
 * from. It works on SnakeYAML's node tree rather than on loaded Java objects so that every error
 * can name the line, and so that numbers such as {@code 1e-4} (a string to YAML 1.1) are read
 * the way the original's Python configs intend.
 */
final class YamlValues {
  /** A value and where it was written. */
  record Located(Object value, String origin) {}

  /** Names where a node was written, for messages: "file:line", or the command-line override. */
  @FunctionalInterface
  private interface Where {
    String at(Node node);
  }

  /** The prefix of a command-line override's origin: {@code command line (-o epochs=3)}. */
  static final String OVERRIDE_ORIGIN = "command line (-o ";

  private YamlValues() {}

  /**
   * One command-line override, {@code KEY=VALUE}: KEY a key of {@code specs}, VALUE YAML text (a
   * scalar, or flow text such as {@code [3, 4, 6, 3]} or {@code {width: 64}}) converted and
   * checked exactly as the same value in a file. Errors name the override ({@code -o KEY=VALUE});
   * the value's origin is {@code command line (-o KEY=VALUE)}.
   */
  static Map<String, Located> readOverride(String text, List<KeySpec> specs) {
    String shown = "-o " + text;
    int eq = text.indexOf('=');
    if (eq <= 0)
      throw new ConfigException(shown + ": an override is KEY=VALUE: a top-level config key, '=', then its value as YAML");
    String key = text.substring(0, eq).trim(), valueText = text.substring(eq + 1);
    Map<String, KeySpec> known = ConfigKeys.index(specs);
    KeySpec spec = known.get(key);
    if (spec == null) {
      String hint = KeyNames.closest(key, known.keySet());
      throw new ConfigException(shown + ": unknown key '" + key + "'" + (hint != null ? " (did you mean '" + hint + "'?)" : ""));
    }
    Node node;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      node = new Yaml(options).compose(new StringReader(valueText));
    } catch (MarkedYAMLException e) {
      throw new ConfigException(shown + ": malformed YAML value: " + oneLine(e.getProblem()));
    } catch (YAMLException e) {
      throw new ConfigException(shown + ": malformed YAML value: " + oneLine(e.getMessage()));
    }
    if (node == null) throw new ConfigException(shown + ": key '" + key + "' has no value (expected " + spec.type().description + ")");
    Map<String, Located> out = new LinkedHashMap<>();
    out.put(key, new Located(convert(n -> shown, spec, node, ""), OVERRIDE_ORIGIN + text + ")"));
    return out;
  }

  static Map<String, Located> read(String sourceName, Reader reader, List<KeySpec> specs) {
    Node root;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      root = new Yaml(options).compose(reader);
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 0;
      throw new ConfigException(sourceName + ":" + line + ": malformed YAML: " + oneLine(e.getProblem()));
    } catch (YAMLException e) {
      throw new ConfigException(sourceName + ": malformed YAML: " + oneLine(e.getMessage()));
    }
    if (root == null) return new LinkedHashMap<>(); // an empty file overrides nothing
    if (!(root instanceof MappingNode map))
      throw new ConfigException(at(sourceName, root) + ": the file must be a mapping of keys to values");
    return readMapping(n -> at(sourceName, n), map, specs, "");
  }

  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s+", " ").trim();
  }

  private static Map<String, Located> readMapping(Where source, MappingNode map, List<KeySpec> specs, String prefix) {
    Map<String, KeySpec> known = ConfigKeys.index(specs);
    Map<String, Located> out = new LinkedHashMap<>();
    Map<String, Integer> firstLine = new HashMap<>();
    for (NodeTuple t : map.getValue()) {
      if (!(t.getKeyNode() instanceof ScalarNode keyNode))
        throw new ConfigException(source.at(t.getKeyNode()) + ": keys must be plain names");
      String key = keyNode.getValue();
      // compose() keeps duplicates (only SnakeYAML's constructor rejects them): a second value
      // would silently win, so refuse it here
      Integer earlier = firstLine.putIfAbsent(key, keyNode.getStartMark().getLine() + 1);
      if (earlier != null)
        throw new ConfigException(source.at(keyNode) + ": malformed YAML: duplicate key '" + prefix + key + "' (first set on line " + earlier + ")");
      KeySpec spec = known.get(key);
      if (spec == null) {
        String hint = KeyNames.closest(key, known.keySet());
        throw new ConfigException(source.at(keyNode) + ": unknown key '" + prefix + key + "'"
            + (hint != null ? " (did you mean '" + prefix + hint + "'?)" : ""));
      }
      Node valueNode = t.getValueNode();
      String origin = source.at(valueNode);
      out.put(key, new Located(convert(source, spec, valueNode, prefix), origin));
    }
    return out;
  }

  private static Object convert(Where source, KeySpec spec, Node node, String prefix) {
    String where = source.at(node) + ": key '" + prefix + spec.name() + "'";
    if (spec.type() == KeyType.MAP) {
      if (!(node instanceof MappingNode m)) throw new ConfigException(where + " must be " + spec.type().description);
      Map<String, Located> nested = readMapping(source, m, ConfigKeys.CLIP_ARCH_KEYS, spec.name() + ".");
      Map<String, Object> plain = new LinkedHashMap<>();
      nested.forEach((k, v) -> plain.put(k, v.value()));
      return plain;
    }
    if (spec.type() == KeyType.INT_LIST) {
      if (!(node instanceof SequenceNode seq)) throw new ConfigException(where + " must be " + spec.type().description);
      List<Integer> values = new ArrayList<>();
      for (Node item : seq.getValue()) {
        if (!(item instanceof ScalarNode s)) throw new ConfigException(where + " must be " + spec.type().description);
        values.add(parseInt(s.getValue(), where + " must be " + spec.type().description));
      }
      return List.copyOf(values);
    }
    if (!(node instanceof ScalarNode scalar))
      throw new ConfigException(where + " must be " + spec.type().description + ", not a "
          + (node instanceof MappingNode ? "mapping" : "list"));
    String text = scalar.getValue().trim();
    String expected = where + " must be " + spec.type().description + ", got '" + scalar.getValue() + "'";
    boolean isNull = scalar.getTag().getValue().endsWith(":null") || text.isEmpty();
    if (isNull) throw new ConfigException(where + " has no value (expected " + spec.type().description + ")");
    return switch (spec.type()) {
      case STRING -> scalar.getValue();
      case INT -> parseInt(text, expected);
      case DOUBLE -> parseDouble(text, expected);
      case BOOL -> parseBool(text, expected);
      default -> throw new IllegalStateException(spec.type().name());
    };
  }

  private static int parseInt(String text, String message) {
    try {
      return Integer.parseInt(text.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new ConfigException(message);
    }
  }

  private static double parseDouble(String text, String message) {
    String t = text.replace("_", "");
    if (!t.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) throw new ConfigException(message);
    return Double.parseDouble(t);
  }

  private static boolean parseBool(String text, String message) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw new ConfigException(message);
    };
  }

  static String at(String source, Node node) {
    return source + ":" + (node.getStartMark().getLine() + 1);
  }

  static Reader utf8(InputStream in) {
    return new InputStreamReader(in, StandardCharsets.UTF_8);
  }

  static void closeQuietly(Reader r) {
    try {
      r.close();
    } catch (IOException ignored) {
      // reading is over; nothing to recover
    }
  }
}
