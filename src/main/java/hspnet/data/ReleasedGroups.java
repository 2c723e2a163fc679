package hspnet.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import hspnet.io.Npy;
import hspnet.io.NpyArray;
import java.util.Arrays;

/**
 * The original's way of naming groups: {@code super_labels} (a text file, one group name a line,
 * in the relation matrix's order) and {@code super_labels_index} (a .npy vector with the group
 * index of every label, int64 or float64 holding integers). The label names come from elsewhere
 * (the dataset's built-in label set or COCO's annotation file).
 */
public final class ReleasedGroups {
  private ReleasedGroups() {}

  public static LabelSet apply(List<String> labelNames, Path groupNames, Path groupIndex) {
    List<String> groups = readNames(groupNames);
    long[] index;
    try {
      NpyArray a = Npy.read(groupIndex);
      if (a.shape().length != 1)
        throw new IllegalArgumentException(groupIndex + ": expected a vector of group indices, got shape "
            + Arrays.toString(a.shape()));
      index = a.longs();
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(groupIndex + ": no such group index file");
    } catch (IOException e) {
      throw new IllegalArgumentException(groupIndex + ": cannot read: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw e.getMessage() != null && e.getMessage().startsWith(groupIndex.toString()) ? e
          : new IllegalArgumentException(groupIndex + ": " + e.getMessage(), e);
    }
    if (index.length != labelNames.size())
      throw new IllegalArgumentException(groupIndex + ": holds " + index.length + " group indices for "
          + labelNames.size() + " labels");
    int[] groupOf = new int[index.length];
    for (int c = 0; c < index.length; c++) {
      if (index[c] < 0 || index[c] >= groups.size())
        throw new IllegalArgumentException(groupIndex + ": label " + c + " ('" + labelNames.get(c) + "') has group "
            + index[c] + ", but " + groupNames + " names " + groups.size() + " groups");
      groupOf[c] = (int) index[c];
    }
    try {
      return new LabelSet(labelNames, groups, groupOf);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(groupNames + " / " + groupIndex + ": " + e.getMessage(), e);
    }
  }

  /** Non-blank lines, stripped (the released files have no final newline; some have a stray space). */
  static List<String> readNames(Path file) {
    List<String> names = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8))
        if (!line.isBlank()) names.add(line.strip());
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(file + ": no such group names file");
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
    }
    if (names.isEmpty()) throw new IllegalArgumentException(file + ": no group names");
    return names;
  }
}
