package hspnet.dist;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

import hspnet.nn.Tensors;

/**
 * Puts a sharded evaluation back together: rank r scored the samples r, r + W, r + 2W, … of the
 * list padded to a multiple of W (as {@code BatchLoader}'s distributed sampler cuts it), every rank
 * the same number of rows; the rows are all-gathered and interleaved back into the list's order,
 * and the padding (repeats of the first samples) is cut off.
 */
public final class ShardGather {
  private ShardGather() {}

  /** The whole list's rows ({@code total} of them, in list order) from every rank's {@code rows}. */
  public static float[][] rows(DistGroup group, float[][] rows, int total, int columns, String what) {
    int world = group.worldSize(), per = rows.length;
    if ((long) per * world < total || (long) (per - 1) * world >= total)
      throw new IllegalStateException(what + ": " + per + " rows on each of " + world + " ranks cannot hold " + total + " samples");
    float[] flat = new float[per * columns];
    for (int i = 0; i < per; i++) System.arraycopy(rows[i], 0, flat, i * columns, columns);
    float[] all = new float[world * per * columns];
    try (PointerScope scope = new PointerScope()) {
      Tensor mine = Tensors.ofFloats(flat, (long) per * columns);
      Tensor out = Tensors.ofFloats(all, (long) world * per * columns);
      group.allGather(out, mine, what);
      try (FloatPointer p = out.data_ptr_float()) {
        p.get(all);
      }
    }
    float[][] result = new float[total][];
    for (int r = 0; r < world; r++)
      for (int i = 0; i < per; i++) {
        int index = i * world + r;
        if (index < total) {
          result[index] = new float[columns];
          System.arraycopy(all, (r * per + i) * columns, result[index], 0, columns);
        }
      }
    return result;
  }
}
