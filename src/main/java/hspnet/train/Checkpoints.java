package hspnet.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

import hspnet.io.TorchZipReader;
import hspnet.io.TorchZipWriter;
import hspnet.nn.StateDicts;
import hspnet.nn.Tensors;

/**
 * Model checkpoints in PyTorch's state-dict format ({@code torch.save(model.state_dict())}: a zip
 * that Python's torch.load reads) with the original's key names, so checkpoints move between the
 * two implementations. Writes go to a temporary file that is then renamed; loading is strict.
 */
public final class Checkpoints {
  private Checkpoints() {}

  public static void save(Path file, Module model) throws IOException {
    LinkedHashMap<String, Tensor> cpu = new LinkedHashMap<>();
    StateDicts.of(model).forEach((k, v) -> cpu.put(k, v.detach().cpu()));
    TorchZipWriter.writeStateDict(file, cpu);
  }

  /**
   * Copies a checkpoint into the model. Every key must be present with the model's shape and no
   * key may be extra: a partial load would evaluate a model nobody trained.
   */
  public static void load(Path file, Module model) throws IOException {
    Map<String, Tensor> stored = TorchZipReader.readStateDict(file);
    Map<String, Tensor> own = StateDicts.of(model);
    List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>();
    for (String k : own.keySet()) if (!stored.containsKey(k)) missing.add(k);
    for (String k : stored.keySet()) if (!own.containsKey(k)) unexpected.add(k);
    if (!missing.isEmpty() || !unexpected.isEmpty())
      throw new IllegalArgumentException(file + ": checkpoint does not fit the model: "
          + (missing.isEmpty() ? "" : missing.size() + " missing key(s) " + abbreviate(missing))
          + (!missing.isEmpty() && !unexpected.isEmpty() ? "; " : "")
          + (unexpected.isEmpty() ? "" : unexpected.size() + " unexpected key(s) " + abbreviate(unexpected)));
    for (Map.Entry<String, Tensor> e : own.entrySet()) {
      long[] want = Tensors.shape(e.getValue()), got = Tensors.shape(stored.get(e.getKey()));
      if (!Arrays.equals(want, got))
        throw new IllegalArgumentException(file + ": checkpoint entry '" + e.getKey() + "' has shape " + Arrays.toString(got)
            + " but the model (from the config) needs " + Arrays.toString(want));
    }
    try (NoGradGuard g = new NoGradGuard()) {
      for (Map.Entry<String, Tensor> e : own.entrySet()) e.getValue().copy_(stored.get(e.getKey()));
    }
  }

  private static String abbreviate(List<String> keys) {
    return keys.size() <= 5 ? keys.toString() : keys.subList(0, 5) + " …";
  }
}
