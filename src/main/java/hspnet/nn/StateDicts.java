package hspnet.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.StringSharedModuleDict;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;
import java.util.HashSet;
import java.util.Set;

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
    Set<String> names = new HashSet<>();
    for (long i = 0; i < params.size(); i++) names.add(params.get(i).key().getString());
    of(module).forEach((k, v) -> {
      if (names.contains(k) && v.requires_grad()) out.put(k, v);
    });
    return out;
  }

  /**
   * Copies a state dict into the module, strictly: every key of the module must be present with
   * the module's shape, and no key may be extra (a partial load would run a model nobody trained).
   * Everything that does not fit is reported at once, then nothing is copied. Floating values are
   * converted to the module's dtype (fp16 release weights load into float32 modules).
   *
   * @param sourceName where the state comes from (a file name), for the error message
   * @throws IllegalArgumentException naming the missing and unexpected keys and the shape mismatches
   */
  public static void loadStrict(Module module, Map<String, Tensor> state, String sourceName) {
    Map<String, Tensor> own = of(module);
    Map<String, long[]> stored = new LinkedHashMap<>();
    state.forEach((k, t) -> stored.put(k, t == null ? null : Tensors.shape(t)));
    checkFits(shapes(own), stored, sourceName);
    try (NoGradGuard g = new NoGradGuard()) {
      for (Map.Entry<String, Tensor> e : own.entrySet()) e.getValue().copy_(state.get(e.getKey()));
    }
  }

  /** Every entry's shape. */
  public static LinkedHashMap<String, long[]> shapes(Map<String, Tensor> state) {
    LinkedHashMap<String, long[]> out = new LinkedHashMap<>();
    state.forEach((k, t) -> out.put(k, Tensors.shape(t)));
    return out;
  }

  /**
   * The check of {@link #loadStrict} on shapes alone, so that a file's declared shapes can be
   * checked before its tensors are read: every key of {@code want} present with its shape, no
   * other key; everything that does not fit is reported at once.
   *
   * @throws IllegalArgumentException naming the missing and unexpected keys and the shape mismatches
   */
  public static void checkFits(Map<String, long[]> want, Map<String, long[]> got, String sourceName) {
    List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), misshapen = new ArrayList<>();
    for (Map.Entry<String, long[]> e : want.entrySet()) {
      long[] stored = got.get(e.getKey());
      if (stored == null) {
        missing.add(e.getKey());
        continue;
      }
      if (!Arrays.equals(e.getValue(), stored))
        misshapen.add("'" + e.getKey() + "' is " + Arrays.toString(stored) + " but the model needs " + Arrays.toString(e.getValue()));
    }
    for (String k : got.keySet()) if (!want.containsKey(k)) unexpected.add(k);
    if (!missing.isEmpty() || !unexpected.isEmpty() || !misshapen.isEmpty()) {
      List<String> problems = new ArrayList<>();
      if (!missing.isEmpty()) problems.add(missing.size() + " missing key(s) " + abbreviate(missing));
      if (!unexpected.isEmpty()) problems.add(unexpected.size() + " unexpected key(s) " + abbreviate(unexpected));
      if (!misshapen.isEmpty()) problems.add(misshapen.size() + " shape mismatch(es): " + abbreviate(misshapen));
      throw new IllegalArgumentException(sourceName + ": state does not fit the model: " + String.join("; ", problems));
    }
  }

  private static String abbreviate(List<String> items) {
    return items.size() <= 5 ? items.toString() : items.subList(0, 5) + " …";
  }
}
