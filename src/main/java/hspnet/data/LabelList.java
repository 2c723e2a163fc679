package hspnet.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import hspnet.io.AtomicFiles;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import hspnet.io.Utf8;

/**
 * Label list files: one image a line, {@code relative/path.jpg,i j k} (the positive class indices
 * after the comma, space separated; leading spaces allowed; blank lines skipped). Training lists of
 * the single-positive setting hold one index per image.
 */
public final class LabelList {
  private LabelList() {}

  /**
   * One image and its positive class indices, in the order the file lists them. {@code origin}
   * says where it was read ("list.txt:17"), for error messages; null when made in code. Two
   * samples are equal when path and labels are, wherever they came from.
   */
  public record Sample(String path, int[] labels, String origin) {
    public Sample {
      labels = labels.clone();
    }

    public Sample(String path, int[] labels) {
      this(path, labels, null);
    }

    /** "list.txt:17: image 'a.jpg'", or "image 'a.jpg'" when the origin is unknown. */
    public String describe() {
      return (origin == null ? "" : origin + ": ") + "image '" + path + "'";
    }

    @Override
    public int[] labels() {
      return labels.clone();
    }

    public int numLabels() {
      return labels.length;
    }

    public int label(int i) {
      return labels[i];
    }

    public boolean has(int c) {
      for (int l : labels) if (l == c) return true;
      return false;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Sample s && path.equals(s.path) && Arrays.equals(labels, s.labels);
    }

    @Override
    public int hashCode() {
      return 31 * path.hashCode() + Arrays.hashCode(labels);
    }

    @Override
    public String toString() {
      return path + "," + Arrays.toString(labels);
    }
  }

  /** A list whose number of classes is not known (any non-negative index is accepted). */
  public static List<Sample> read(Path listFile) {
    return read(listFile, Integer.MAX_VALUE);
  }

  public static List<Sample> read(Path listFile, int numClasses) {
    if (numClasses <= 0) throw new IllegalArgumentException("numClasses must be positive, got " + numClasses);
    List<Sample> samples = new ArrayList<>();
    try {
      byte[] all = Files.readAllBytes(listFile);
      CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
      int lineNo = 0;
      for (int start = 0; start < all.length; ) {
        int end = start;
        while (end < all.length && all[end] != '\n') end++;
        lineNo++;
        String where = listFile + ":" + lineNo;
        String line;
        try {
          line = utf8.decode(ByteBuffer.wrap(all, start, end - start)).toString();
        } catch (CharacterCodingException e) {
          Utf8.Problem p = Utf8.firstProblem(Arrays.copyOfRange(all, start, end));
          throw new IllegalArgumentException(where + ": " + (p == null ? "not UTF-8 text" : p.describe()) + "; list files are read as UTF-8");
        }
        start = end + 1;
        if (line.isBlank()) continue;
        samples.add(parseLine(line.strip(), numClasses, where));
      }
      if (samples.isEmpty()) throw new IllegalArgumentException(listFile + ": the label list holds no image");
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(listFile + ": no such label list file");
    } catch (IOException e) {
      throw new IllegalArgumentException(listFile + ": cannot read label list: " + e.getMessage(), e);
    }
    return samples;
  }

  private static Sample parseLine(String line, int numClasses, String where) {
    int comma = line.indexOf(',');
    if (comma < 0) throw new IllegalArgumentException(where + ": expected 'path,i j k' but found no comma: '" + line + "'");
    String path = line.substring(0, comma).strip();
    if (path.isEmpty()) throw new IllegalArgumentException(where + ": empty image path");
    String rest = line.substring(comma + 1).strip();
    if (rest.isEmpty()) throw new IllegalArgumentException(where + ": image '" + path + "' has no label index");
    String[] tokens = rest.split("\\s+");
    int[] labels = new int[tokens.length];
    for (int i = 0; i < tokens.length; i++) {
      int c;
      try {
        c = Integer.parseInt(tokens[i]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(where + ": label index '" + tokens[i] + "' is not an integer");
      }
      if (c < 0 || c >= numClasses)
        throw new IllegalArgumentException(where + ": label index " + c + " is outside [0, " + numClasses + ")");
      labels[i] = c;
    }
    int[] sorted = labels.clone();
    Arrays.sort(sorted);
    for (int i = 1; i < sorted.length; i++)
      if (sorted[i] == sorted[i - 1]) throw new IllegalArgumentException(where + ": label index " + sorted[i] + " appears twice");
    return new Sample(path, labels, where);
  }

  /** Writes samples in the {@link #read} format, atomically. */
  public static void write(Path listFile, List<Sample> samples) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (Sample s : samples) {
      // Such paths would not read back as the same sample.
      if (s.path().indexOf(',') >= 0 || s.path().indexOf('\n') >= 0 || s.path().indexOf('\r') >= 0
          || s.path().isBlank() || !s.path().equals(s.path().strip()))
        throw new IllegalArgumentException(listFile + ": cannot write image path '" + s.path()
            + "' (commas, line breaks and surrounding spaces do not survive the list format)");
      if (s.numLabels() == 0)
        throw new IllegalArgumentException(listFile + ": image '" + s.path() + "' has no label index");
      sb.append(s.path()).append(',');
      for (int i = 0; i < s.numLabels(); i++) sb.append(i == 0 ? "" : " ").append(s.label(i));
      sb.append('\n');
    }
    AtomicFiles.write(listFile, sb.toString().getBytes(StandardCharsets.UTF_8));
  }
}
