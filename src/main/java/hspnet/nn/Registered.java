package hspnet.nn;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Registers parameters and buffers and returns handles that stay valid. LibTorch's
 * register_parameter/register_buffer return a reference into the module's ordered dict, which
 * dangles as soon as a later registration grows that dict (seen: a SIGSEGV in normal_ on the first
 * parameter of a module). The handle returned here is a new tensor sharing the same storage.
 */
public final class Registered {
  private Registered() {}

  public static Tensor parameter(Module m, String name, Tensor value) {
    return new Tensor(m.register_parameter(name, value));
  }

  public static Tensor buffer(Module m, String name, Tensor value) {
    return new Tensor(m.register_buffer(name, value));
  }
}
