package hspnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The production packages form a layered graph: read from the sources' imports, it has no cycle,
 * prediction opens a trained model through {@code run} instead of reaching into {@code train},
 * and nothing in production refers to the benchmarks.
 */
class PackageGraphTest {
  private static final Pattern REFERENCE = Pattern.compile("\\bhspnet((?:\\.[a-z]\\w*)*)\\.[A-Z]");

  /** Package (without the "hspnet" prefix; "" for the mains) to the packages it refers to. */
  static Map<String, Set<String>> graph(Path sources) throws IOException {
    Map<String, Set<String>> g = new TreeMap<>();
    try (Stream<Path> files = Files.walk(sources)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String pkg = packageOf(sources.relativize(f.getParent()));
        Set<String> deps = g.computeIfAbsent(pkg, k -> new TreeSet<>());
        for (String line : Files.readAllLines(f)) {
          String code = line.strip();
          if (code.startsWith("package ") || code.startsWith("*") || code.startsWith("//") || code.startsWith("/*")) continue;
          Matcher m = REFERENCE.matcher(code);
          while (m.find()) {
            String dep = m.group(1).isEmpty() ? "" : m.group(1).substring(1);
            if (!dep.equals(pkg)) deps.add(dep);
          }
        }
      }
    }
    return g;
  }

  private static String packageOf(Path relative) {
    String p = relative.toString().replace('/', '.');
    return p.equals("hspnet") ? "" : p.substring("hspnet.".length());
  }

  /** A cycle as "a -> b -> a", or null when the graph has none. */
  static String cycle(Map<String, Set<String>> g) {
    Map<String, Integer> state = new TreeMap<>();   // 1 on the path, 2 done
    for (String start : g.keySet()) {
      List<String> path = new ArrayList<>();
      String c = visit(start, g, state, path);
      if (c != null) return c;
    }
    return null;
  }

  private static String visit(String p, Map<String, Set<String>> g, Map<String, Integer> state, List<String> path) {
    Integer s = state.get(p);
    if (s != null && s == 2) return null;
    path.add(p);
    if (s != null && s == 1) return String.join(" -> ", path.subList(path.indexOf(p), path.size()));
    state.put(p, 1);
    for (String d : g.getOrDefault(p, Set.of())) {
      String c = visit(d, g, state, path);
      if (c != null) return c;
    }
    state.put(p, 2);
    path.remove(path.size() - 1);
    return null;
  }

  @Test
  void productionPackagesHaveNoCycle() throws IOException {
    Map<String, Set<String>> g = graph(Path.of("src/main/java"));
    assertTrue(g.size() > 10, "read the packages: " + g.keySet());
    assertEquals(null, cycle(g), "package cycle");
  }

  @Test
  void predictionOpensARunAndNothingReachesTheBenchmarks() throws IOException {
    Map<String, Set<String>> g = graph(Path.of("src/main/java"));
    assertFalse(g.get("predict").contains("train"), "predict imports " + g.get("predict"));
    assertTrue(g.get("predict").contains("run"), "predict imports " + g.get("predict"));
    g.forEach((pkg, deps) -> assertFalse(deps.contains("bench"), "'" + pkg + "' refers to the benchmarks"));
    assertFalse(g.containsKey("bench"), "benchmarks live in src/bench/java");
  }

  @Test
  void theCycleFinderFindsOne() {
    Map<String, Set<String>> g = new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of()));
    assertEquals("a -> b -> c -> a", cycle(g));
    assertEquals(null, cycle(Map.of("a", Set.of("b"), "b", Set.of())));
  }
}
