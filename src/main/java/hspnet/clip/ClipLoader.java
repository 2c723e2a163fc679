package hspnet.clip;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import hspnet.io.SafetensorsReader;
import hspnet.io.StateDictFile;
import hspnet.io.TorchScriptReader;
import hspnet.io.TorchZipReader;
import hspnet.nn.StateDicts;

/**
 * Loads CLIP weights the way OpenAI's {@code clip.load(..., jit=False)} does: read the state dict
 * (TorchScript archive, torch.save zip or safetensors, recognised by content), drop the archive's
 * {@code input_resolution}, {@code context_length} and {@code vocab_size}, infer the architecture
 * (build_model), round the tensors build_model keeps in float16, and load the rest as float32,
 * strictly. Every mismatch ends in one IllegalArgumentException naming the file and the key.
 */
public final class ClipLoader {
  /** Keys every CLIP state dict has: if none is there, the file holds some other model. */
  private static final List<String> CORE_KEYS = List.of("text_projection", "token_embedding.weight", "ln_final.weight",
      "positional_embedding");

  private ClipLoader() {}

  /** A CLIP model in eval mode holding the file's weights. */
  public static ClipModel load(Path file, ClipHeads heads) throws IOException {
    return read(file, heads).newModel();
  }

  /**
   * Reads and checks the weights; {@link ClipWeights#newModel()} makes models of them.
   *
   * @throws IllegalArgumentException naming the file (and key) when it is not a loadable CLIP
   * @throws HeadCountException when a head count does not fit (see {@link ClipHeads})
   */
  public static ClipWeights read(Path file, ClipHeads heads) throws IOException {
    WeightFormat format = WeightFormat.detect(file);
    String source = file.toString();
    LinkedHashMap<String, Tensor> raw;
    ClipArch arch;
    // names and shapes are checked against the architecture they describe before any tensor is
    // read or any model allocated: a small file cannot make this allocate more than it holds
    try (StateDictFile f = switch (format) {
      case TORCHSCRIPT -> TorchScriptReader.open(file);
      case TORCH_SAVE -> TorchZipReader.open(file);
      case SAFETENSORS -> SafetensorsReader.open(file);
    }) {
      LinkedHashMap<String, long[]> shapes = f.shapes();
      ClipArchInference.TORCHSCRIPT_EXTRAS.forEach(shapes::remove);
      if (CORE_KEYS.stream().noneMatch(shapes::containsKey))
        throw new IllegalArgumentException(source + ": not a CLIP model: none of CLIP's keys " + CORE_KEYS
            + " is there; it holds " + shapes.size() + " entries" + (shapes.isEmpty() ? "" : " such as "
            + shapes.keySet().stream().limit(3).toList()));
      arch = ClipArchInference.infer(shapes, heads, source);
      LinkedHashMap<String, long[]> expected;
      try {
        expected = ClipShapes.of(arch);
        ClipShapes.numel(expected);
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException(source + ": the weights describe a CLIP whose size overflows 64 bits");
      }
      StateDicts.checkFits(expected, shapes, source);
      raw = f.tensors();
    }
    ClipArchInference.TORCHSCRIPT_EXTRAS.forEach(raw::remove);

    ClipModel model = new ClipModel(arch);
    Map<String, Tensor> state = asFloat32(raw, Fp16Rounding.keys(model));
    StateDicts.loadStrict(model, state, source);
    return new ClipWeights(file, format, arch, state, model);
  }

  /**
   * Floating tensors to float32; those build_model holds in float16 go through float16 first, so a
   * float32 checkpoint gives the numbers the original computes with (a no-op for float16 weights).
   */
  static Map<String, Tensor> asFloat32(Map<String, Tensor> raw, Set<String> fp16Keys) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    raw.forEach((k, t) -> {
      if (t.is_floating_point()) t = fp16Keys.contains(k) ? t.to(ScalarType.Half).to(ScalarType.Float) : t.to(ScalarType.Float);
      out.put(k, t);
    });
    return out;
  }
}
