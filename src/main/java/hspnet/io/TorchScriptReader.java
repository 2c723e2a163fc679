package hspnet.io;

import static org.bytedeco.pytorch.global.torch.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.NamedTensor;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.named_buffer_iterator;
import org.bytedeco.pytorch.named_buffer_list;
import org.bytedeco.pytorch.named_parameter_iterator;
import org.bytedeco.pytorch.named_parameter_list;

/**
 * The state dict of a TorchScript archive ({@code torch.jit.save}, the format of OpenAI's released
 * CLIP files): LibTorch's JIT loader opens it on the CPU, then every parameter and buffer is copied
 * out under its dotted name. The archive's code is compiled by the loader but never run: only the
 * weights are used.
 */
public final class TorchScriptReader {
  private TorchScriptReader() {}

  /**
   * Parameters then buffers, each a CPU tensor of its own (detached, the file's dtype).
   *
   * @throws IllegalArgumentException naming the file when LibTorch cannot load it
   */
  public static LinkedHashMap<String, Tensor> readStateDict(Path file) {
    if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": no such file");
    JitModule module;
    try {
      // map to the CPU: archives saved from a GPU would otherwise need one to load
      module = load(file.toString(), new DeviceOptional(new Device("cpu")), false);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(file + ": LibTorch cannot load this TorchScript archive: " + firstLine(e), e);
    }
    LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
    named_parameter_list params = module.named_parameters(true);
    // iterators are compared with notEquals (C++ !=): Pointer.equals compares Java-side addresses
    for (named_parameter_iterator it = params.begin(); it.notEquals(params.end()); it = it.increment())
      put(out, it.multiply());
    named_buffer_list buffers = module.named_buffers(true);
    for (named_buffer_iterator it = buffers.begin(); it.notEquals(buffers.end()); it = it.increment())
      put(out, it.multiply());
    return out;
  }

  private static void put(LinkedHashMap<String, Tensor> out, NamedTensor named) {
    // a handle of our own (shares the storage, which it keeps alive after the module is freed)
    out.put(named.name().getString(), new Tensor(named.value()).detach());
  }

  private static String firstLine(RuntimeException e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
