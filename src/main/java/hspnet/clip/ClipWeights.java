package hspnet.clip;

import java.nio.file.Path;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;

import hspnet.nn.StateDicts;

/**
 * CLIP weights read from a file, checked against the architecture inferred from them: float32,
 * rounded through float16 as the original's loader does. Makes as many models as a run needs
 * (HSPNet's model and its EMA copy) without reading the file again.
 */
public final class ClipWeights {
  private final Path file;
  private final WeightFormat format;
  private final ClipArch arch;
  private final Map<String, Tensor> state;
  private ClipModel first;

  ClipWeights(Path file, WeightFormat format, ClipArch arch, Map<String, Tensor> state, ClipModel first) {
    this.file = file;
    this.format = format;
    this.arch = arch;
    this.state = Map.copyOf(state);
    this.first = first;
  }

  public Path file() { return file; }

  public WeightFormat format() { return format; }

  public ClipArch arch() { return arch; }

  /**
   * A CLIP model holding these weights, in eval mode as build_model returns it. The first call hands
   * out the model that validated the weights; later calls build fresh ones.
   */
  public synchronized ClipModel newModel() {
    ClipModel m = first;
    first = null;
    if (m == null) {
      m = new ClipModel(arch);
      StateDicts.loadStrict(m, state, file.toString());
    }
    m.eval();
    return m;
  }
}
