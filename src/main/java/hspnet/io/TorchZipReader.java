package hspnet.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;

/**
 * Reads a state dict saved by PyTorch's {@code torch.save} (the zip format of PyTorch >= 1.6):
 * {@code <root>/data.pkl} (a pickle of an {@code OrderedDict} or dict name -> tensor) plus one
 * {@code <root>/data/<key>} record of raw little-endian bytes per storage.
 *
 * <p>LibTorch's own {@code pickle_load} turns an {@code OrderedDict} into None (pytorch issue
 * #100741), and {@code torch.save(module.state_dict())} always writes one, hence this reader. The
 * pickle is interpreted by {@link RestrictedUnpickler}, which refuses every global that is not a
 * tensor, storage or dict constructor; the archive is read by {@link TorchArchive}, which checks
 * every declared size against the file before allocating.
 */
public final class TorchZipReader {
  private TorchZipReader() {}

  /**
   * The file's tensors in the file's key order, each a contiguous CPU tensor that owns its memory
   * and keeps the file's dtype (float16 stays float16). Entries that were views sharing one storage
   * in Python come back as independent copies with the same values.
   *
   * @throws IllegalArgumentException naming the file and the problem when it is not a readable
   *     {@code torch.save} zip archive of a dict of tensors
   * @throws IOException when the file system fails (not for bad content)
   */
  public static LinkedHashMap<String, Tensor> readStateDict(Path file) throws IOException {
    try (StateDictFile f = open(file)) {
      return f.tensors();
    }
  }

  /** The state dict's names and shapes; its tensors are read by {@link StateDictFile#tensors()}. */
  public static StateDictFile open(Path file) throws IOException {
    checkSignature(file);
    TorchArchive archive = TorchArchive.open(file, TorchArchive.Kind.TORCH_SAVE);
    try {
      return new RecordsFile(archive, tensorRecords(archive.tree(), file));
    } catch (RuntimeException e) {
      archive.close();
      throw e;
    }
  }

  /**
   * Any plain data a {@code torch.save} archive holds (dicts with string keys, lists, tuples,
   * strings, numbers, booleans, None, tensors), as {@code Map<String, Object>}, {@code List<Object>},
   * String, Long, Double, Boolean, null and Tensor.
   */
  public static Object readTree(Path file) throws IOException {
    checkSignature(file);
    try (TorchArchive archive = TorchArchive.open(file, TorchArchive.Kind.TORCH_SAVE)) {
      return archive.plainTree();
    }
  }

  /** A state dict whose tensors are records of an open archive. */
  static final class RecordsFile implements StateDictFile {
    private final TorchArchive archive;
    private final LinkedHashMap<String, TensorRecord> records;

    RecordsFile(TorchArchive archive, LinkedHashMap<String, TensorRecord> records) {
      this.archive = archive;
      this.records = records;
    }

    @Override
    public Path file() {
      return archive.file();
    }

    @Override
    public LinkedHashMap<String, long[]> shapes() {
      LinkedHashMap<String, long[]> out = new LinkedHashMap<>();
      records.forEach((k, r) -> out.put(k, r.size().clone()));
      return out;
    }

    @Override
    public LinkedHashMap<String, Tensor> tensors() throws IOException {
      IdentityHashMap<TensorRecord, Tensor> read = archive.materialise(records);
      LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
      IdentityHashMap<TensorRecord, Boolean> handed = new IdentityHashMap<>();
      // a record named twice gets its own copy the second time (callers own each tensor)
      records.forEach((k, r) -> out.put(k, handed.put(r, Boolean.TRUE) == null ? read.get(r) : read.get(r).clone()));
      return out;
    }

    @Override
    public void close() throws IOException {
      archive.close();
    }
  }

  private static void checkSignature(Path file) throws IOException {
    byte[] head = new byte[4];
    int n;
    try (InputStream in = Files.newInputStream(file)) {
      n = in.readNBytes(head, 0, 4);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(file + ": no such file");
    }
    if (n == 0) throw new IllegalArgumentException(file + ": empty file, not a torch.save zip archive");
    if ((head[0] & 0xff) == 0x80)
      throw new IllegalArgumentException(file + ": a bare pickle, i.e. the legacy (non-zip) torch.save format of"
          + " PyTorch < 1.6 or _use_new_zipfile_serialization=False; re-save it with a current torch.save");
    boolean zipMagic = n == 4 && head[0] == 'P' && head[1] == 'K'
        && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6));
    if (!zipMagic) throw new IllegalArgumentException(file + ": not a zip archive, so not a torch.save file");
  }

  /** Checks that the pickle built a dict of tensors, and returns it keyed by name. */
  private static LinkedHashMap<String, TensorRecord> tensorRecords(Object top, Path file) {
    if (!(top instanceof RestrictedUnpickler.Dict dict))
      throw new IllegalArgumentException(file + ": data.pkl holds " + RestrictedUnpickler.describe(top)
          + ", not a dict of tensors");
    LinkedHashMap<String, TensorRecord> records = new LinkedHashMap<>();
    for (Map.Entry<Object, Object> e : dict.entrySet()) {
      if (!(e.getKey() instanceof String name))
        throw new IllegalArgumentException(file + ": state dict key " + RestrictedUnpickler.describe(e.getKey())
            + " is not a string");
      if (!(e.getValue() instanceof TensorRecord r))
        throw new IllegalArgumentException(file + ": entry '" + name + "' is "
            + RestrictedUnpickler.describe(e.getValue()) + ", not a tensor");
      records.put(name, r);
    }
    return records;
  }
}
