package hspnet.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

import hspnet.io.StateDictFile;
import hspnet.io.TorchZipReader;
import hspnet.io.TorchZipWriter;
import hspnet.nn.NumericalFault;
import hspnet.nn.StateDicts;

/**
 * Model checkpoints in PyTorch's state-dict format ({@code torch.save(model.state_dict())}: a zip
 * that Python's torch.load reads) with the original's key names, so checkpoints move between the
 * two implementations. Writes go to a temporary file that is then renamed; loading is strict.
 */
public final class Checkpoints {
  private Checkpoints() {}

  /**
   * Writes the model's state dict. A model that holds inf or NaN is refused (a {@link NumericalFault}
   * naming the file and the first such entry) and nothing is written: a checkpoint is something
   * to evaluate or fine-tune, and a non-finite one is neither.
   */
  public static void save(Path file, Module model) throws IOException {
    LinkedHashMap<String, Tensor> cpu = new LinkedHashMap<>();
    StateDicts.of(model).forEach((k, v) -> cpu.put(k, v.detach().cpu()));
    for (Map.Entry<String, Tensor> e : cpu.entrySet()) {
      Tensor t = e.getValue();
      if (!t.is_floating_point()) continue;
      long bad = t.isfinite().logical_not().sum().item_long();
      if (bad > 0)
        throw new NumericalFault(file + ": not written, the model holds " + bad + " non-finite value(s) in " + e.getKey());
    }
    TorchZipWriter.writeStateDict(file, cpu);
  }

  /**
   * Copies a checkpoint into the model. Every key must be present with the model's shape and no
   * key may be extra: a partial load would evaluate a model nobody trained.
   */
  public static void load(Path file, Module model) throws IOException {
    try (StateDictFile f = TorchZipReader.open(file)) {
      // shapes first: a crafted file is refused before its tensors are allocated
      StateDicts.checkFits(StateDicts.shapes(StateDicts.of(model)), f.shapes(), file.toString());
      StateDicts.loadStrict(model, f.tensors(), file.toString());
    }
  }
}
