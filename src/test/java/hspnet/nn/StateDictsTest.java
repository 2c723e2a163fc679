package hspnet.nn;

import org.junit.jupiter.api.extension.ExtendWith;
import hspnet.testutil.NativeScope;
import static org.bytedeco.pytorch.global.torch.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

@ExtendWith(NativeScope.class)
class StateDictsTest {

  /** scale (own parameter), then a child "fc" with weight and bias, as a module with both. */
  private static Module model() {
    Module m = new Module();
    Registered.parameter(m, "scale", zeros(1));
    m.register_module("fc", Layers.linear(3, 2));
    return m;
  }

  private static Map<String, Tensor> fittingState() {
    Map<String, Tensor> s = new LinkedHashMap<>();
    s.put("scale", full(new long[] {1}, new Scalar(2.5)));
    s.put("fc.weight", arange(new Scalar(6)).to(ScalarType.Float).view(2, 3));
    s.put("fc.bias", ones(2));
    return s;
  }

  @Test
  void listsOwnParametersBeforeChildren() {
    assertEquals(List.of("scale", "fc.weight", "fc.bias"), List.copyOf(StateDicts.of(model()).keySet()));
  }

  @Test
  void loadStrictCopiesEveryEntry() {
    Module m = model();
    Map<String, Tensor> state = fittingState();
    StateDicts.loadStrict(m, state, "state.pt");
    StateDicts.of(m).forEach((k, v) -> assertTrue(v.equal(state.get(k)), k));
  }

  @Test
  void loadStrictNamesMissingUnexpectedAndMisshapenKeysAndCopiesNothing() {
    Module m = model();
    Map<String, Tensor> state = fittingState();
    state.remove("fc.bias");
    state.put("fc.extra", ones(1));
    state.put("scale", ones(3));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateDicts.loadStrict(m, state, "ckpt.pt"));
    String msg = e.getMessage();
    assertTrue(msg.startsWith("ckpt.pt: "), msg);
    assertTrue(msg.contains("1 missing key(s) [fc.bias]"), msg);
    assertTrue(msg.contains("1 unexpected key(s) [fc.extra]"), msg);
    assertTrue(msg.contains("'scale' is [3] but the model needs [1]"), msg);
    assertEquals(0.0, StateDicts.of(m).get("scale").item().toDouble(), "nothing copied");
  }
}
