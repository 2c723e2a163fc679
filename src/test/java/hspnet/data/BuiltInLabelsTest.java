package hspnet.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import hspnet.io.Npy;
import hspnet.io.NpyArray;
import hspnet.testutil.Shared;

/** The label files shipped for VOC, NUS-WIDE and CUB agree with the original's released files. */
class BuiltInLabelsTest {
  @TempDir Path dir;

  private static List<String> lines(Path p) throws IOException {
    return Files.readAllLines(p).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  private static int[] groupIndex(Path npy) throws IOException {
    return Arrays.stream(Npy.read(npy).longs()).mapToInt(Math::toIntExact).toArray();
  }

  @ParameterizedTest
  @CsvSource({"voc, voc, 20, 4", "nuswide, nuswide, 81, 6", "cub, cub, 312, 20"})
  void namesGroupsAndGroupIndexMatchTheReleasedFiles(String dataset, String prefix, int labels, int groups) throws IOException {
    LabelSet built = LabelSet.builtIn(dataset);
    assertEquals(labels, built.numClasses());
    assertEquals(groups, built.numGroups());
    List<String> names = lines(Shared.referenceData("labels/" + prefix + "_labels.txt"));
    List<String> groupNames = lines(Shared.referenceData("labels/" + prefix + "_super_labels.txt"));
    int[] index = groupIndex(Shared.referenceData("labels/" + prefix + "_super_labels_index.npy"));
    assertEquals(names, built.labels(), "label names in class order");
    assertEquals(groupNames, built.groups(), "group names in the relation matrix's order");
    assertArrayEquals(index, built.groupOf(), "group of every label");
  }

  @Test
  void vocGroupsAreThePapersSuperCategories() {
    LabelSet voc = LabelSet.builtIn("voc");
    assertEquals(List.of("vehicles", "household", "animals", "person"), voc.groups());
    for (String v : List.of("aeroplane", "bicycle", "boat", "bus", "car", "motorbike", "train"))
      assertEquals(0, voc.groupOf(voc.labels().indexOf(v)), v);
    for (String a : List.of("bird", "cat", "cow", "dog", "horse", "sheep")) assertEquals(2, voc.groupOf(voc.labels().indexOf(a)), a);
  }

  @Test
  void cubGroupIsTheBodyPartInTheName() {
    LabelSet cub = LabelSet.builtIn("cub");
    for (int c = 0; c < cub.numClasses(); c++) {
      String name = cub.labels().get(c);
      assertEquals(name.substring(name.lastIndexOf(' ') + 1), cub.groups().get(cub.groupOf(c)), name);
    }
  }

  @Test
  void releasedGroupFilesGiveTheSameLabelSet() throws IOException {
    for (String prefix : List.of("voc", "nuswide", "cub")) {
      LabelSet built = LabelSet.builtIn(prefix);
      LabelSet released = ReleasedGroups.apply(built.labels(), Shared.referenceData("labels/" + prefix + "_super_labels.txt"),
          Shared.referenceData("labels/" + prefix + "_super_labels_index.npy"));
      assertEquals(built, released, prefix);
    }
  }

  @Test
  void releasedGroupFilesAreChecked() throws IOException {
    Path names = Files.writeString(dir.resolve("g.txt"), "sky\nsea \n");
    Path index = dir.resolve("i.npy");
    Npy.write(index, NpyArray.ofLongs(new long[] {0, 1, 1}, 3));
    LabelSet ok = ReleasedGroups.apply(List.of("sun", "boat", "fish"), names, index);
    assertEquals(List.of("sky", "sea"), ok.groups(), "names stripped");
    assertArrayEquals(new int[] {0, 1, 1}, ok.groupOf());
    String msg = assertThrows(IllegalArgumentException.class,
        () -> ReleasedGroups.apply(List.of("sun", "boat"), names, index)).getMessage();
    assertTrue(msg.contains("i.npy") && msg.contains("3 group indices for 2 labels"), msg);
    Npy.write(index, NpyArray.ofLongs(new long[] {0, 2, 1}, 3));
    msg = assertThrows(IllegalArgumentException.class,
        () -> ReleasedGroups.apply(List.of("sun", "boat", "fish"), names, index)).getMessage();
    assertTrue(msg.contains("'boat'") && msg.contains("has group 2"), msg);
    msg = assertThrows(IllegalArgumentException.class,
        () -> ReleasedGroups.apply(List.of("a"), dir.resolve("none.txt"), index)).getMessage();
    assertTrue(msg.contains("none.txt"), msg);
  }

  @Test
  void unknownBuiltInIsRefused() {
    String msg = assertThrows(IllegalArgumentException.class, () -> LabelSet.builtIn("imagenet")).getMessage();
    assertTrue(msg.contains("imagenet") && msg.contains("voc"), msg);
  }
}
