package hspnet.data;

import static org.bytedeco.opencv.global.opencv_core.CV_32S;
import static org.bytedeco.opencv.global.opencv_core.CV_32SC3;
import static org.bytedeco.opencv.global.opencv_core.transpose;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;

/**
 * {@link PilResize} and CLIP's normalisation fused: Pillow's bicubic resize of a view of an 8-bit
 * 3-channel image, the window (crop) of the result, scaled to [0,1] and normalised, written as
 * planar RGB float32 straight into the caller's buffer (the batch tensor's memory). The pixels are
 * the same as {@link PilResize}'s, bit for bit: the same integer arithmetic in the same order.
 *
 * <p>Why this layout: JDK 17's JIT vectorises {@code acc[k] += a[k] * w} (8 ints per AVX2
 * instruction) only when both arrays are indexed by the same k. Pillow's horizontal pass reads
 * each output's taps along a row, which does not vectorise (it took most of the time). So the
 * needed source columns are transposed into one int array each (OpenCV's transpose and
 * convertTo, faster than the same in Java), and the horizontal pass runs down whole columns, all
 * rows at once; its result is transposed back into rows (OpenCV again), and the vertical pass is
 * row arithmetic. Only the source rows and columns the window needs are touched.
 *
 * <p>Not thread-safe: it keeps its buffers and taps between images (no allocation per image once
 * warm). {@link ClipTransform} keeps one per thread.
 */
final class FusedPilResize {
  /** Taps kept per thread: a dataset's images come in a few sizes. */
  private static final int MAX_TAPS = 256;

  private record TapsKey(int inSize, int outSize, int from, int count) {}

  private final float[][] table = new float[3][256];
  private final Map<TapsKey, PilTaps> taps = new HashMap<>();
  private final Mat transposed = unscoped(), wide = unscoped(), midColumns = unscoped(), midRowsMat = unscoped();
  private int[][] cols = new int[0][];       // source column x: [3r + c], rows of the needed span
  private int[] column = new int[0];         // one window column after the horizontal pass: [3r + c]
  private int[][] midRows = new int[0][];    // the horizontal pass's result, row r: [3i + c], c in source order
  private int[] acc = new int[0];
  private float[] outRow = new float[0];

  FusedPilResize(float[] mean, float[] std) {
    for (int c = 0; c < 3; c++)
      for (int v = 0; v < 256; v++) table[c][v] = ((float) v / 255f - mean[c]) / std[c];
  }

  /**
   * Resizes the view (x0, y0, w, h) of {@code image} (8-bit, 3 channels, in {@code bgr} or RGB
   * order) to outW × outH and writes the window (cropX, cropY, cropW, cropH) of the result into
   * {@code out} at {@code offset} as three planes R, G, B of cropH rows × cropW, each value
   * {@code (v / 255 - mean[c]) / std[c]} in float32 as torchvision computes it.
   */
  void resize(Mat image, boolean bgr, int x0, int y0, int w, int h, int outW, int outH,
      int cropX, int cropY, int cropW, int cropH, FloatBuffer out, int offset) {
    if (x0 < 0 || y0 < 0 || w < 1 || h < 1 || x0 + w > image.cols() || y0 + h > image.rows())
      throw new IllegalArgumentException("view " + w + "x" + h + "+" + x0 + "+" + y0 + " outside the "
          + image.cols() + "x" + image.rows() + " image");
    if (cropX < 0 || cropY < 0 || cropW < 1 || cropH < 1 || cropX + cropW > outW || cropY + cropH > outH)
      throw new IllegalArgumentException("window " + cropW + "x" + cropH + "+" + cropX + "+" + cropY + " outside " + outW + "x" + outH);
    PilTaps tx = taps(w, outW, cropX, cropW), ty = taps(h, outH, cropY, cropH);
    int colFirst = tx.lowest(), nx = tx.highest() - colFirst;
    int rowFirst = ty.lowest(), nr = ty.highest() - rowFirst;
    transposeSource(image, x0 + colFirst, y0 + rowFirst, nx, nr);
    horizontal(tx, colFirst, cropW, nr);
    transposeBack(cropW, nr);
    vertical(ty, rowFirst, cropW, cropH, bgr, out, offset);
  }

  private PilTaps taps(int inSize, int outSize, int from, int count) {
    if (taps.size() >= MAX_TAPS) taps.clear();
    return taps.computeIfAbsent(new TapsKey(inSize, outSize, from, count),
        k -> inSize == outSize ? PilTaps.identity(from, count) : PilTaps.of(inSize, outSize, from, count));
  }

  /** cols[x][3r + c] = pixel (x0 + x, y0 + r), channel c, for x < nx, r < nr. */
  private void transposeSource(Mat image, int x0, int y0, int nx, int nr) {
    cols = grow(cols, nx, 3 * nr);
    try (Rect r = new Rect(x0, y0, nx, nr); Mat roi = image.apply(r)) {
      transpose(roi, transposed);
    }
    transposed.convertTo(wide, CV_32S);
    int n = 3 * nr;
    try (IntPointer p = new IntPointer(wide.data())) {
      for (int x = 0; x < nx; x++) p.position((long) x * n).get(cols[x], 0, n);
    }
  }

  /**
   * Window column i (all needed rows at once): the taps of tx over the source columns, clipped to
   * 8 bits, into row i of midColumns (cropW × nr pixels of three ints).
   */
  private void horizontal(PilTaps tx, int colFirst, int cropW, int nr) {
    int n = 3 * nr;
    if (acc.length < n) acc = new int[n];
    if (column.length < n) column = new int[n];
    midColumns.create(cropW, nr, CV_32SC3);
    int[] a = acc, first = tx.first(), count = tx.count(), weights = tx.weights();
    try (IntPointer out = new IntPointer(midColumns.data())) {
      for (int i = 0; i < cropW; i++) {
        for (int k = 0; k < n; k++) a[k] = PilTaps.HALF;
        int base = i * tx.ksize();
        for (int t = 0; t < count[i]; t++) macInto(a, cols[first[i] - colFirst + t], weights[base + t], n);
        clip8(a, column, n);
        out.position((long) i * n).put(column, 0, n);
      }
    }
  }

  /** midRows[r][3i + c] = midColumns pixel (r, i) channel c: OpenCV's transpose (a blocked copy). */
  private void transposeBack(int cropW, int nr) {
    int n = 3 * cropW;
    midRows = grow(midRows, nr, n);
    transpose(midColumns, midRowsMat);
    try (IntPointer p = new IntPointer(midRowsMat.data())) {
      for (int r = 0; r < nr; r++) p.position((long) r * n).get(midRows[r], 0, n);
    }
  }

  /** Output rows: the taps of ty over midRows, clipped, normalised, one plane row at a time into out. */
  private void vertical(PilTaps ty, int rowFirst, int cropW, int cropH, boolean bgr, FloatBuffer out, int offset) {
    int n = 3 * cropW, plane = cropW * cropH;
    if (acc.length < n) acc = new int[n];
    if (outRow.length < cropW) outRow = new float[cropW];
    int[] a = acc, first = ty.first(), count = ty.count(), weights = ty.weights();
    for (int j = 0; j < cropH; j++) {
      for (int k = 0; k < n; k++) a[k] = PilTaps.HALF;
      int base = j * ty.ksize();
      for (int t = 0; t < count[j]; t++) macInto(a, midRows[first[j] - rowFirst + t], weights[base + t], n);
      for (int c = 0; c < 3; c++) {   // c: RGB channel of the output
        int src = bgr ? 2 - c : c;
        normalise(a, src, outRow, cropW, table[c]);
        out.put(offset + c * plane + j * cropW, outRow, 0, cropW);
      }
    }
  }

  /** acc[k] += src[k] * w for k < n: same index on both arrays, so the JIT vectorises it. */
  private static void macInto(int[] acc, int[] src, int w, int n) {
    for (int k = 0; k < n; k++) acc[k] += src[k] * w;
  }

  /**
   * dst[k] = acc[k] >> 22 clamped to [0, 255], as Pillow's clip8. Written with shifts and masks
   * rather than Math.min/max, which JDK 17 does not vectorise (that loop was 15 times slower).
   */
  private static void clip8(int[] acc, int[] dst, int n) {
    for (int k = 0; k < n; k++) {
      int v = acc[k] >> PilTaps.PRECISION_BITS;
      v &= ~(v >> 31);                          // negative: 0
      dst[k] = (v | ((255 - v) >> 31)) & 255;   // above 255: all ones, masked to 255
    }
  }

  /**
   * dst[i] = table[v] for v = the clipped 8-bit value of channel c of pixel i, acc[3i + c]; the
   * table holds torchvision's ToTensor then Normalize, (v / 255 - mean) / std in float32.
   */
  private static void normalise(int[] acc, int c, float[] dst, int n, float[] table) {
    for (int i = 0; i < n; i++) {
      int v = acc[3 * i + c] >> PilTaps.PRECISION_BITS;
      v &= ~(v >> 31);
      dst[i] = table[(v | ((255 - v) >> 31)) & 255];
    }
  }

  /**
   * An empty Mat that belongs to this object, not to a PointerScope the first caller may have
   * open (closing that scope would free a buffer that later images still use).
   */
  private static Mat unscoped() {
    Mat m = new Mat();
    PointerScope scope = PointerScope.getInnerScope();
    if (scope != null) scope.detach(m.retainReference());
    return m;
  }

  /** rows × length ints, the old arrays kept where long enough. */
  private static int[][] grow(int[][] a, int rows, int length) {
    int[][] b = a.length >= rows ? a : Arrays.copyOf(a, rows);
    for (int r = 0; r < rows; r++) if (b[r] == null || b[r].length < length) b[r] = new int[length];
    return b;
  }
}
