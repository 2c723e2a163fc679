package hspnet.testutil;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;

import hspnet.io.Npy;
import hspnet.io.NpyArray;
import hspnet.nn.Tensors;
import java.util.Arrays;

/**
 * Comparisons of our tensors with the reference implementation's golden outputs, with the
 * fixtures' tolerance rules. Every comparison prints the max difference it saw, so a parity run
 * documents how close we are, not only that we are within bounds.
 */
public final class Parity {
  /** The fixtures' bound for forward outputs: max abs diff <= 5e-5 * max(1, max abs ref). */
  public static final double FORWARD_REL = 5e-5;

  private Parity() {}

  /** Asserts a forward output against a reference .npy with the forward-output bound. */
  public static double assertForward(String name, Tensor actual, Path reference) throws IOException {
    NpyArray ref = Npy.read(reference);
    float[] want = ref.floats();
    double scale = Math.max(1.0, maxAbs(want));
    return assertWithin(name, actual, ref.shape(), want, FORWARD_REL * scale);
  }

  /** Asserts max |actual - reference| <= bound (absolute) and the same shape; prints the difference. */
  public static double assertWithin(String name, Tensor actual, long[] shape, float[] want, double bound) {
    assertArrayEquals(shape, Tensors.shape(actual), name + ": shape");
    float[] got = Tensors.toFloats(actual);
    double max = 0;
    for (int i = 0; i < want.length; i++) {
      double d = Math.abs((double) got[i] - want[i]);
      if (!(d <= max)) max = d; // NaN propagates as a failure below
    }
    System.out.printf("parity %-40s max abs diff %.3e (bound %.3e, max abs ref %.3e)%n", name, max, bound, maxAbs(want));
    final double observed = max;
    assertTrue(observed <= bound, () -> name + ": max abs diff " + observed + " exceeds " + bound);
    return max;
  }

  /** Asserts that every entry of {@code actual} equals the stored tensor bit for bit. */
  public static void assertLoadedExactly(Map<String, Tensor> actual, Map<String, Tensor> stored) {
    assertEquals(stored.keySet(), actual.keySet(), "state keys");
    int mismatches = 0;
    StringBuilder names = new StringBuilder();
    for (Map.Entry<String, Tensor> e : stored.entrySet()) {
      Tensor mine = actual.get(e.getKey());
      Tensor theirs = e.getValue();
      // JavaCPP returns a fresh enum object: intern() before comparing identities
      boolean same = mine.scalar_type().intern() == theirs.scalar_type().intern()
          && Arrays.equals(Tensors.shape(mine), Tensors.shape(theirs)) && mine.equal(theirs);
      if (!same) {
        mismatches++;
        if (mismatches <= 10) names.append(' ').append(e.getKey());
      }
    }
    System.out.printf("parity loaded %d tensors, %d not bit-identical%n", stored.size(), mismatches);
    assertEquals(0, mismatches, "tensors that differ from the stored state:" + names);
  }

  private static double maxAbs(float[] v) {
    double m = 0;
    for (float x : v) m = Math.max(m, Math.abs(x));
    return m;
  }
}
