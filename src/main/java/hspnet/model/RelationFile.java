package hspnet.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import hspnet.io.Npy;
import hspnet.io.NpyArray;
import java.util.Locale;

/**
 * A (C+G)×(C+G) relation matrix in a {@code .npy} file, labels first then groups: the released
 * files ({@code relation_file}) and this program's cache. Only float32 or float64 in C order are
 * accepted: an integer matrix cannot hold cosine similarities, and a wrong shape belongs to
 * another label set.
 */
public final class RelationFile {
  private RelationFile() {}

  /**
   * @return the matrix row-major, as float32
   * @throws IllegalArgumentException naming the file, with its dtype or shape and the expected ones
   */
  public static float[] read(Path file, int numLabels, int numGroups) throws IOException {
    NpyArray a = Npy.read(file);
    if (a.dtype() != NpyArray.DType.FLOAT32 && a.dtype() != NpyArray.DType.FLOAT64)
      throw new IllegalArgumentException(file + ": relation matrix has dtype " + a.dtype().name().toLowerCase(Locale.ROOT)
          + "; it must be float32 or float64 (cosine similarities)");
    int n = numLabels + numGroups;
    long[] shape = a.shape();
    if (shape.length != 2 || shape[0] != n || shape[1] != n)
      throw new IllegalArgumentException(file + ": relation matrix has shape " + Arrays.toString(shape) + ", expected [" + n + ", " + n
          + "] (" + numLabels + " labels + " + numGroups + " groups)");
    return a.floats();
  }

  /** Writes a float32 matrix atomically. */
  public static void write(Path file, float[] relation, int n) throws IOException {
    if (relation.length != n * n)
      throw new IllegalArgumentException("relation matrix has " + relation.length + " entries, expected " + n + "x" + n);
    Npy.write(file, NpyArray.ofFloats(relation, n, n));
  }
}
