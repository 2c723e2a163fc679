package hspnet.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import hspnet.io.AtomicFiles;

/**
 * The labels of a dataset in class-index order and the groups (the paper's parent labels / super
 * labels) they belong to: label {@code c} is a child of group {@code groupOf[c]}. The group order is
 * the order of the group rows in the relation matrix (labels first, then groups).
 *
 * <p>File format ({@code labels.yaml}):
 * <pre>
 * groups: [vehicles, household, animals, person]
 * labels:
 *   aeroplane: vehicles
 *   bicycle: vehicles
 * </pre>
 */
public record LabelSet(List<String> labels, List<String> groups, int[] groupOf) {

  public LabelSet {
    labels = List.copyOf(labels);
    groups = List.copyOf(groups);
    groupOf = groupOf.clone();
    if (labels.isEmpty()) throw new IllegalArgumentException("a label set needs at least one label");
    if (groupOf.length != labels.size())
      throw new IllegalArgumentException("groupOf has " + groupOf.length + " entries for " + labels.size() + " labels");
    requireDistinct(labels, "label");
    requireDistinct(groups, "group");
    int[] count = new int[groups.size()];
    for (int c = 0; c < groupOf.length; c++) {
      if (groupOf[c] < 0 || groupOf[c] >= groups.size())
        throw new IllegalArgumentException("label '" + labels.get(c) + "' has group index " + groupOf[c]
            + ", outside [0, " + groups.size() + ")");
      count[groupOf[c]]++;
    }
    for (int g = 0; g < count.length; g++)
      if (count[g] == 0) throw new IllegalArgumentException("group '" + groups.get(g) + "' has no label");
  }

  public int numClasses() {
    return labels.size();
  }

  public int numGroups() {
    return groups.size();
  }

  /** The label as the prompts spell it: "traffic_light" reads "traffic light". */
  public String displayName(int c) {
    return labels.get(c).replace('_', ' ');
  }

  /** The group as the prompts spell it. */
  public String groupDisplayName(int g) {
    return groups.get(g).replace('_', ' ');
  }

  @Override
  public int[] groupOf() {
    return groupOf.clone();
  }

  public int groupOf(int c) {
    return groupOf[c];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LabelSet s && labels.equals(s.labels) && groups.equals(s.groups)
        && Arrays.equals(groupOf, s.groupOf);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * labels.hashCode() + groups.hashCode()) + Arrays.hashCode(groupOf);
  }

  @Override
  public String toString() {
    return "LabelSet[" + labels.size() + " labels, groups=" + groups + "]";
  }

  private static void requireDistinct(List<String> names, String what) {
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      Integer prev = seen.put(names.get(i), i);
      if (prev != null)
        throw new IllegalArgumentException("duplicate " + what + " '" + names.get(i) + "' (positions " + prev + " and " + i + ")");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Reading. The node API (compose) keeps line numbers and leaves scalars as written, so a label
  // named "no" or "null" stays a string instead of becoming a boolean or a null.

  public static LabelSet load(Path file) {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return parse(r, file.toString());
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(file + ": no such label file");
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read label file: " + e.getMessage(), e);
    }
  }

  /** Datasets whose label set ships with the project (resources hspnet/labels/NAME.yaml). */
  public static final List<String> BUILT_IN = List.of("voc", "nuswide", "cub");

  /** The label set shipped for {@code dataset} (one of {@link #BUILT_IN}). */
  public static LabelSet builtIn(String dataset) {
    if (!BUILT_IN.contains(dataset))
      throw new IllegalArgumentException("no built-in label set for '" + dataset + "' (built in: " + BUILT_IN + ")");
    String resource = "/hspnet/labels/" + dataset + ".yaml";
    InputStream in = LabelSet.class.getResourceAsStream(resource);
    if (in == null) throw new IllegalStateException("the built-in label file " + resource + " is missing from the jar");
    try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      return parse(r, "(built-in) " + resource.substring(1));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses the label file format from {@code r}; {@code source} names it in error messages. */
  public static LabelSet parse(Reader r, String source) throws IOException {
    Node root;
    try {
      root = new Yaml(new LoaderOptions()).compose(r);
    } catch (MarkedYAMLException e) {
      Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      throw new IllegalArgumentException(source + (m != null ? ":" + (m.getLine() + 1) : "")
          + ": malformed YAML: " + e.getProblem(), e);
    } catch (YAMLException e) {
      if (e.getCause() instanceof IOException io) throw io;
      throw new IllegalArgumentException(source + ": malformed YAML: " + e.getMessage(), e);
    }
    return new Parser(source).parse(root);
  }

  private record Parser(String file) {
    LabelSet parse(Node root) {
      if (root == null) throw new IllegalArgumentException(file + ": empty label file (expected keys 'groups' and 'labels')");
      if (!(root instanceof MappingNode map))
        throw error(root, "expected a mapping with keys 'groups' and 'labels'");
      Node groupsNode = null, labelsNode = null;
      for (NodeTuple t : map.getValue()) {
        String key = scalar(t.getKeyNode(), "key");
        switch (key) {
          case "groups" -> {
            if (groupsNode != null) throw error(t.getKeyNode(), "duplicate key 'groups'");
            groupsNode = t.getValueNode();
          }
          case "labels" -> {
            if (labelsNode != null) throw error(t.getKeyNode(), "duplicate key 'labels'");
            labelsNode = t.getValueNode();
          }
          default -> throw error(t.getKeyNode(), "unknown key '" + key + "' (expected 'groups' and 'labels')");
        }
      }
      if (groupsNode == null) throw error(root, "missing key 'groups'");
      if (labelsNode == null) throw error(root, "missing key 'labels'");

      if (!(groupsNode instanceof SequenceNode seq))
        throw error(groupsNode, "'groups' must be a list of group names");
      List<String> groups = new ArrayList<>();
      Map<String, Integer> groupIndex = new HashMap<>();
      for (Node n : seq.getValue()) {
        String g = scalar(n, "group name");
        if (groupIndex.putIfAbsent(g, groups.size()) != null) throw error(n, "duplicate group '" + g + "'");
        groups.add(g);
      }
      if (groups.isEmpty()) throw error(groupsNode, "'groups' is empty");

      if (!(labelsNode instanceof MappingNode labelMap))
        throw error(labelsNode, "'labels' must be a mapping label -> group");
      List<String> labels = new ArrayList<>();
      List<Integer> groupOf = new ArrayList<>();
      Map<String, Integer> labelLine = new HashMap<>();
      int[] count = new int[groups.size()];
      for (NodeTuple t : labelMap.getValue()) {
        String label = scalar(t.getKeyNode(), "label name");
        String group = scalar(t.getValueNode(), "group of label '" + label + "'");
        int line = line(t.getKeyNode());
        Integer prev = labelLine.putIfAbsent(label, line);
        if (prev != null) throw error(t.getKeyNode(), "duplicate label '" + label + "' (first at line " + prev + ")");
        Integer g = groupIndex.get(group);
        if (g == null)
          throw error(t.getValueNode(), "label '" + label + "' belongs to group '" + group + "', which is not in 'groups' " + groups);
        labels.add(label);
        groupOf.add(g);
        count[g]++;
      }
      if (labels.isEmpty()) throw error(labelsNode, "'labels' is empty");
      for (int g = 0; g < groups.size(); g++)
        if (count[g] == 0) throw error(seq.getValue().get(g), "group '" + groups.get(g) + "' has no label");
      return new LabelSet(labels, groups, groupOf.stream().mapToInt(Integer::intValue).toArray());
    }

    private String scalar(Node n, String what) {
      if (!(n instanceof ScalarNode s)) throw error(n, what + " must be a plain name, not a " + n.getNodeId());
      String v = s.getValue();
      if (v.isBlank()) throw error(n, what + " is empty");
      return v;
    }

    private IllegalArgumentException error(Node n, String message) {
      return new IllegalArgumentException(file + ":" + line(n) + ": " + message);
    }

    private static int line(Node n) {
      return n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Writing.

  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_ .()/+-]*");

  /** Writes this label set in the {@link #load} format, atomically. */
  public void write(Path file) throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append("# groups in the order of the relation matrix (labels first, then these groups)\n");
    sb.append("groups: [");
    for (int g = 0; g < groups.size(); g++) sb.append(g == 0 ? "" : ", ").append(quote(groups.get(g)));
    sb.append("]\n");
    sb.append("labels:            # in the dataset's class-index order: name -> group\n");
    for (int c = 0; c < labels.size(); c++)
      sb.append("  ").append(quote(labels.get(c))).append(": ").append(quote(groups.get(groupOf[c]))).append('\n');
    AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** Plain when unambiguous, otherwise double-quoted with YAML escapes, so any name round-trips. */
  private static String quote(String s) {
    if (PLAIN.matcher(s).matches() && !s.endsWith(" ")) return s;
    StringBuilder q = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '"' -> q.append("\\\"");
        case '\\' -> q.append("\\\\");
        case '\n' -> q.append("\\n");
        case '\t' -> q.append("\\t");
        default -> {
          if (ch < 0x20) q.append(String.format("\\x%02x", (int) ch));
          else q.append(ch);
        }
      }
    }
    return q.append('"').toString();
  }
}
