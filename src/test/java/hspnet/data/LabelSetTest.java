package hspnet.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelSetTest {
  @TempDir Path dir;

  private Path yaml(String text) throws IOException {
    Path f = dir.resolve("labels.yaml");
    Files.writeString(f, text);
    return f;
  }

  private String error(String text) throws IOException {
    Path f = yaml(text);
    String msg = assertThrows(IllegalArgumentException.class, () -> LabelSet.load(f)).getMessage();
    assertTrue(msg.contains(f.toString()), "message names the file: " + msg);
    return msg;
  }

  @Test
  void readsGroupsAndLabelsInFileOrder() throws IOException {
    LabelSet s = LabelSet.load(yaml("""
        # groups in the order of the relation matrix
        groups: [vehicles, household, animals, person]
        labels:            # class-index order
          aeroplane: vehicles
          bicycle: vehicles
          bottle: household
          bird: animals
          no: animals
          potted_plant: household
          person: person
        """));
    assertEquals(List.of("aeroplane", "bicycle", "bottle", "bird", "no", "potted_plant", "person"), s.labels());
    assertEquals(List.of("vehicles", "household", "animals", "person"), s.groups());
    assertArrayEquals(new int[] {0, 0, 1, 2, 2, 1, 3}, s.groupOf());
    assertEquals(7, s.numClasses());
    assertEquals(4, s.numGroups());
    assertEquals("potted plant", s.displayName(5));
    assertEquals("no", s.labels().get(4), "YAML 1.1 booleans stay names");
  }

  @Test
  void writeThenLoadRoundTripsAwkwardNames() throws IOException {
    LabelSet s = new LabelSet(List.of("a: b", "#hash", "it's", "quote\"d", "null", "traffic_light", "x, y"),
        List.of("g one", "[g2]"), new int[] {0, 1, 0, 1, 0, 0, 1});
    Path f = dir.resolve("out/labels.yaml");
    s.write(f);
    assertEquals(s, LabelSet.load(f));
    try (var files = Files.list(f.getParent())) {
      assertEquals(1, files.count(), "no temp file left behind");
    }
  }

  @Test
  void missingFile() {
    Path f = dir.resolve("nope.yaml");
    String msg = assertThrows(IllegalArgumentException.class, () -> LabelSet.load(f)).getMessage();
    assertTrue(msg.contains(f.toString()) && msg.contains("no such"), msg);
  }

  @Test
  void malformedYamlNamesTheLine() throws IOException {
    String msg = error("groups: [a, b]\nlabels:\n  x: a\n  y: [b\n");
    assertTrue(msg.contains("malformed YAML"), msg);
    assertTrue(msg.matches(".*:[45]: .*"), "line of the problem: " + msg);
  }

  @Test
  void emptyFile() throws IOException {
    assertTrue(error("# nothing\n").contains("empty"));
  }

  @Test
  void missingGroups() throws IOException {
    assertTrue(error("labels:\n  x: a\n").contains("missing key 'groups'"));
  }

  @Test
  void missingLabels() throws IOException {
    assertTrue(error("groups: [a]\n").contains("missing key 'labels'"));
  }

  @Test
  void unknownKeyNamesKeyAndLine() throws IOException {
    String msg = error("groups: [a]\nlabels:\n  x: a\nsupercategories: [b]\n");
    assertTrue(msg.contains(":4: ") && msg.contains("'supercategories'"), msg);
  }

  @Test
  void labelWithUnlistedGroup() throws IOException {
    String msg = error("groups: [a, b]\nlabels:\n  x: a\n  y: c\n  z: b\n");
    assertTrue(msg.contains(":4: ") && msg.contains("'y'") && msg.contains("'c'"), msg);
  }

  @Test
  void duplicateLabel() throws IOException {
    String msg = error("groups: [a, b]\nlabels:\n  x: a\n  y: b\n  x: b\n");
    assertTrue(msg.contains(":5: ") && msg.contains("duplicate label 'x'") && msg.contains("line 3"), msg);
  }

  @Test
  void duplicateGroup() throws IOException {
    String msg = error("groups: [a, b, a]\nlabels:\n  x: a\n  y: b\n");
    assertTrue(msg.contains(":1: ") && msg.contains("duplicate group 'a'"), msg);
  }

  @Test
  void emptyGroup() throws IOException {
    String msg = error("groups:\n  - a\n  - b\n  - c\nlabels:\n  x: a\n  y: c\n");
    assertTrue(msg.contains(":3: ") && msg.contains("group 'b' has no label"), msg);
  }

  @Test
  void wrongShapes() throws IOException {
    assertTrue(error("groups: a\nlabels:\n  x: a\n").contains("'groups' must be a list"));
    assertTrue(error("groups: [a]\nlabels: [x]\n").contains("'labels' must be a mapping"));
    assertTrue(error("groups: [a]\nlabels:\n  x: [a]\n").contains(":3: "));
    assertTrue(error("- a\n- b\n").contains("expected a mapping"));
  }

  @Test
  void constructorValidates() {
    assertThrows(IllegalArgumentException.class, () -> new LabelSet(List.of("x", "y"), List.of("a"), new int[] {0}));
    assertThrows(IllegalArgumentException.class, () -> new LabelSet(List.of("x"), List.of("a"), new int[] {1}));
    assertThrows(IllegalArgumentException.class, () -> new LabelSet(List.of("x", "x"), List.of("a"), new int[] {0, 0}));
    String msg = assertThrows(IllegalArgumentException.class,
        () -> new LabelSet(List.of("x"), List.of("a", "b"), new int[] {0})).getMessage();
    assertTrue(msg.contains("'b' has no label"), msg);
  }
}
