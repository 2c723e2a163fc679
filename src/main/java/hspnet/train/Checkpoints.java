package hspnet.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

import hspnet.io.StateDictFile;
import hspnet.io.TorchZipReader;
import hspnet.io.TorchZipWriter;
import hspnet.nn.StateDicts;

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
    try (StateDictFile f = TorchZipReader.open(file)) {
      // shapes first: a crafted file is refused before its tensors are allocated
      StateDicts.checkFits(StateDicts.shapes(StateDicts.of(model)), f.shapes(), file.toString());
      StateDicts.loadStrict(model, f.tensors(), file.toString());
    }
  }
}
