package hspnet.nn;

import java.util.LinkedHashMap;
import java.util.Map;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.StringSharedModuleDict;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;

/**
 * A module's state in PyTorch's {@code state_dict()} order: for every module, its own parameters,
 * then its own buffers, then its children, depth first. LibTorch lists parameters and buffers
 * separately; checkpoints and the EMA need the one order the original uses.
 */
public final class StateDicts {
  private StateDicts() {}

  public static LinkedHashMap<String, Tensor> of(Module module) {
    LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
    collect(module, "", out);
    return out;
  }

  private static void collect(Module m, String prefix, Map<String, Tensor> out) {
    addAll(m.named_parameters(false), prefix, out);
    addAll(m.named_buffers(false), prefix, out);
    StringSharedModuleDict children = m.named_children();
    for (long i = 0; i < children.size(); i++) {
      var item = children.get(i);
      collect(item.value(), prefix + item.key().getString() + ".", out);
    }
  }

  private static void addAll(StringTensorDict dict, String prefix, Map<String, Tensor> out) {
    for (long i = 0; i < dict.size(); i++) {
      var item = dict.get(i);
      // a new handle: item.value() points into the dict, which LibTorch returned as a temporary copy
      out.putIfAbsent(prefix + item.key().getString(), new Tensor(item.value()));
    }
  }

  /** Trainable parameters (requires_grad) by name, in state-dict order. */
  public static LinkedHashMap<String, Tensor> trainable(Module module) {
    LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
    StringTensorDict params = module.named_parameters(true);
    java.util.Set<String> names = new java.util.HashSet<>();
    for (long i = 0; i < params.size(); i++) names.add(params.get(i).key().getString());
    of(module).forEach((k, v) -> {
      if (names.contains(k) && v.requires_grad()) out.put(k, v);
    });
    return out;
  }
}
