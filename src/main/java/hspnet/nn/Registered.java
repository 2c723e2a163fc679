package hspnet.nn;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Registers parameters and buffers and returns a handle that stays valid. LibTorch's
 * {@code register_parameter} / {@code register_buffer} return a reference into the module's
 * parameter (buffer) list, and the presets hand that reference to Java as it is: the next
 * registration on the same module can move the list and leave the earlier handle pointing at freed
 * memory (seen: a crash registering {@code text_projection} after {@code positional_embedding}).
 * The handle returned here is the caller's own tensor, which shares its storage and autograd state
 * with the registered one.
 */
public final class Registered {
  private Registered() {}

  /** Registers {@code value} as a trainable parameter of {@code owner} and returns it. */
  public static Tensor parameter(Module owner, String name, Tensor value) {
    owner.register_parameter(name, value);
    return value;
  }

  /** Registers {@code value} as a buffer of {@code owner} and returns it. */
  public static Tensor buffer(Module owner, String name, Tensor value) {
    owner.register_buffer(name, value);
    return value;
  }
}
