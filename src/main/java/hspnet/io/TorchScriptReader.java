package hspnet.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import java.util.List;

/**
 * The state dict of a TorchScript archive ({@code torch.jit.save}, the format of OpenAI's released
 * CLIP files), read without LibTorch's JIT loader: that loader compiles and runs the archive's
 * code (a class's {@code __setstate__} runs at load), so an untrusted archive could read and write
 * files. Here only {@code data.pkl} is read, by {@link RestrictedUnpickler}: the modules it pickles
 * as objects of {@code __torch__.*} classes become plain containers of attributes, and their
 * tensors are taken by dotted name. {@code code/} and {@code constants.pkl} are never opened.
 *
 * <p>Names and order follow LibTorch's {@code named_parameters} then {@code named_buffers}: each
 * module's own tensors before its submodules', depth first. Which attributes are parameters is
 * written in the code; the pickle's requires_grad flag stands for it (parameters first, then the
 * tensors that do not require gradients).
 */
public final class TorchScriptReader {
  private TorchScriptReader() {}

  /**
   * Every tensor attribute of the archive's modules, each a CPU tensor of its own in the file's dtype.
   *
   * @throws IllegalArgumentException naming the file when it is not a readable TorchScript archive
   */
  public static LinkedHashMap<String, Tensor> readStateDict(Path file) throws IOException {
    try (StateDictFile f = open(file)) {
      return f.tensors();
    }
  }

  /** The archive's tensor names and shapes; the tensors are read by {@link StateDictFile#tensors()}. */
  public static StateDictFile open(Path file) throws IOException {
    if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": no such file");
    TorchArchive archive = TorchArchive.open(file, TorchArchive.Kind.TORCHSCRIPT);
    try {
      if (!(archive.tree() instanceof RestrictedUnpickler.ScriptObject module))
        throw new IllegalArgumentException(file + ": data.pkl holds " + RestrictedUnpickler.describe(archive.tree())
            + ", not a TorchScript module");
      LinkedHashMap<String, TensorRecord> params = new LinkedHashMap<>(), others = new LinkedHashMap<>();
      collect(module, "", params, others, new IdentityHashMap<>());
      params.putAll(others);
      return new TorchZipReader.RecordsFile(archive, params);
    } catch (RuntimeException e) {
      archive.close();
      throw e;
    }
  }

  /**
   * The archive's data.pkl as plain Java values (TorchScript objects as the maps of their
   * attributes, tensors read), as {@link TorchZipReader#readTree} gives a torch.save archive's.
   */
  public static Object readTree(Path file) throws IOException {
    try (TorchArchive archive = TorchArchive.open(file, TorchArchive.Kind.TORCHSCRIPT)) {
      return archive.plainTree();
    }
  }

  /**
   * True when the zip archive holds a TorchScript archive's constants.pkl or code/ beside its
   * data.pkl (read from the directory only, by the same checked zip reader).
   *
   * @throws IllegalArgumentException naming the file when it is no readable zip archive
   */
  public static boolean isTorchScript(Path file) throws IOException {
    try (ZipArchive zip = ZipArchive.open(file)) {
      for (List<String> inner : zip.byRoot().values())
        for (String n : inner) if (n.equals("constants.pkl") || n.startsWith("code/")) return true;
      return false;
    }
  }

  private static void collect(RestrictedUnpickler.ScriptObject m, String prefix, Map<String, TensorRecord> params,
      Map<String, TensorRecord> others, IdentityHashMap<Object, Boolean> seen) {
    if (seen.put(m, Boolean.TRUE) != null) return; // a submodule shared by two parents is listed once, as LibTorch does
    for (Map.Entry<Object, Object> e : m.attributes.entrySet())
      if (e.getValue() instanceof TensorRecord r) (r.requiresGrad() ? params : others).put(prefix + e.getKey(), r);
    for (Map.Entry<Object, Object> e : m.attributes.entrySet())
      if (e.getValue() instanceof RestrictedUnpickler.ScriptObject child) collect(child, prefix + e.getKey() + ".", params, others, seen);
  }
}
