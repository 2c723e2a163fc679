package hspnet.bench;

import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorArrayRefOptional;

/** {@code out.backward(gradient)}: the presets expose only the four-argument form. */
final class Backward {
  private Backward() {}

  static void of(Tensor out, Tensor gradient) {
    out.backward(gradient, new BoolOptional(), false, new TensorArrayRefOptional());
  }
}
