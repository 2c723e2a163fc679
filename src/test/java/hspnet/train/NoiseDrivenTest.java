package hspnet.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The noise_driven list of cases.json: whole tensors (ResNet) and K slices of in_proj_bias (ViT). */
class NoiseDrivenTest {
  private static NoiseDriven of(String json) throws Exception {
    return new NoiseDriven(new ObjectMapper().readTree(json));
  }

  @Test
  void wholeTensorsAndLeadingDimensionSlices() throws Exception {
    NoiseDriven n = of("[{\"name\": \"a\", \"slice\": null}, {\"name\": \"b\", \"slice\": [2, 4]},"
        + " {\"name\": \"c\", \"slice\": {\"start\": 1, \"stop\": 2}}, {\"name\": \"d\", \"slice\": \"[0:1]\"}]");
    assertArrayEquals(new boolean[] {true, true, true}, n.mask("a", new long[] {3}));
    assertTrue(n.whole("a"));
    // in_proj_bias of width W = 2: the K third is [W:2W]
    assertArrayEquals(new boolean[] {false, false, true, true, false, false}, n.mask("b", new long[] {6}));
    assertFalse(n.whole("b"));
    // a slice of a matrix covers whole rows
    assertArrayEquals(new boolean[] {false, false, true, true, false, false}, n.mask("c", new long[] {3, 2}));
    assertArrayEquals(new boolean[] {true, false}, n.mask("d", new long[] {2}));
    assertArrayEquals(new boolean[4], n.mask("other", new long[] {2, 2}));
    assertFalse(n.contains("other"));
  }

  @Test
  void refusesWhatItCannotRead() throws Exception {
    assertThrows(IllegalArgumentException.class, () -> of("[{\"name\": \"a\", \"slice\": [1, 2, 3]}]"));
    assertThrows(IllegalArgumentException.class, () -> of("[{\"name\": \"a\", \"slice\": 7}]"));
    NoiseDriven n = of("[{\"name\": \"b\", \"slice\": [2, 9]}]");
    assertThrows(IllegalArgumentException.class, () -> n.mask("b", new long[] {6}));
  }
}
