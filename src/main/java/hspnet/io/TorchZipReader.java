package hspnet.io;

import static org.bytedeco.pytorch.global.torch.empty;
import static org.bytedeco.pytorch.global.torch.from_blob;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.MemoryFormat;

/**
 * Reads a state dict saved by PyTorch's {@code torch.save} (the zip format of PyTorch >= 1.6):
 * {@code <root>/data.pkl} (a pickle of an {@code OrderedDict} or dict name -> tensor) plus one
 * {@code <root>/data/<key>} record of raw little-endian bytes per storage.
 *
 * <p>LibTorch's own {@code pickle_load} turns an {@code OrderedDict} into None (pytorch issue
 * #100741), and {@code torch.save(module.state_dict())} always writes one, hence this reader. The
 * pickle is interpreted by {@link RestrictedUnpickler}, which refuses every global that is not a
 * tensor, storage or dict constructor.
 */
public final class TorchZipReader {
  private static final int CHUNK = 1 << 20;

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
    checkSignature(file);
    try (ZipFile zip = openZip(file)) {
      String root = rootOf(zip, file);
      checkByteOrder(zip, root, file);
      byte[] pickle = readEntry(zip, zip.getEntry(root + "/data.pkl"), file);
      Object top;
      try {
        top = RestrictedUnpickler.load(pickle);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ": " + root + "/data.pkl: " + e.getMessage(), e);
      }
      return materialise(zip, root, tensorRecords(top, file), file);
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

  private static ZipFile openZip(Path file) throws IOException {
    try {
      return new ZipFile(file.toFile());
    } catch (ZipException e) {
      throw new IllegalArgumentException(file + ": truncated or corrupt zip archive (" + e.getMessage() + ")", e);
    }
  }

  /** The archive's root folder: torch names it after the file, LibTorch's pickle_save "archive". */
  private static String rootOf(ZipFile zip, Path file) {
    List<String> roots = new ArrayList<>();
    boolean torchScript = false;
    for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
      String name = e.nextElement().getName();
      int slash = name.indexOf('/');
      if (slash > 0 && name.substring(slash).equals("/data.pkl")) roots.add(name.substring(0, slash));
      if (slash > 0 && (name.substring(slash).equals("/constants.pkl") || name.startsWith("/code/", slash)))
        torchScript = true;
    }
    if (torchScript)
      throw new IllegalArgumentException(file + ": a TorchScript archive (torch.jit.save), not a torch.save state dict;"
          + " load it with torch.jit / LibTorch's load");
    if (roots.isEmpty()) throw new IllegalArgumentException(file + ": zip archive without a <root>/data.pkl record");
    if (roots.size() > 1) throw new IllegalArgumentException(file + ": several data.pkl records " + roots);
    return roots.get(0);
  }

  private static void checkByteOrder(ZipFile zip, String root, Path file) throws IOException {
    ZipEntry e = zip.getEntry(root + "/byteorder");
    if (e == null) return; // archives before PyTorch 2.1 have none, and are little-endian
    String order = new String(readEntry(zip, e, file), StandardCharsets.US_ASCII).trim();
    if (!order.equals("little"))
      throw new IllegalArgumentException(file + ": " + root + "/byteorder says '" + order + "'; only little-endian"
          + " archives are supported");
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

  private static LinkedHashMap<String, Tensor> materialise(ZipFile zip, String root,
      LinkedHashMap<String, TensorRecord> records, Path file) throws IOException {
    // Group the entries by storage so that a storage shared by several views is read once.
    LinkedHashMap<String, List<String>> byStorage = new LinkedHashMap<>();
    records.forEach((name, r) -> byStorage.computeIfAbsent(r.storageKey(), k -> new ArrayList<>()).add(name));

    Map<String, Tensor> built = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> group : byStorage.entrySet()) {
      String recordName = root + "/data/" + group.getKey();
      TensorRecord first = records.get(group.getValue().get(0));
      for (String name : group.getValue()) {
        TensorRecord r = records.get(name);
        if (r.type() != first.type() || r.storageNumel() != first.storageNumel())
          throw new IllegalArgumentException(file + ": entries '" + group.getValue().get(0) + "' and '" + name
              + "' describe storage '" + group.getKey() + "' differently");
        if (r.extent() > r.storageNumel())
          throw new IllegalArgumentException(file + ": entry '" + name + "' reaches element " + (r.extent() - 1)
              + " of a storage of " + r.storageNumel() + " elements (" + r + ")");
      }
      ZipEntry entry = zip.getEntry(recordName);
      if (entry == null)
        throw new IllegalArgumentException(file + ": missing storage record '" + recordName + "' (needed by entry '"
            + group.getValue().get(0) + "')");
      long bytes = Math.multiplyExact(first.storageNumel(), first.type().elementSize);
      try (BytePointer storage = readStorage(zip, entry, bytes, first, file)) {
        for (String name : group.getValue()) built.put(name, tensorOf(storage, records.get(name)));
      }
    }
    LinkedHashMap<String, Tensor> result = new LinkedHashMap<>();
    for (String name : records.keySet()) result.put(name, built.get(name));
    return result;
  }

  /** Copies a storage record straight into native memory (no heap copy of the whole record). */
  private static BytePointer readStorage(ZipFile zip, ZipEntry entry, long bytes, TensorRecord r, Path file)
      throws IOException {
    BytePointer storage = new BytePointer(Math.max(bytes, 1));
    try (InputStream in = zip.getInputStream(entry)) {
      byte[] chunk = new byte[(int) Math.min(CHUNK, Math.max(bytes, 1))];
      long filled = 0;
      while (filled < bytes) {
        int n = in.read(chunk, 0, (int) Math.min(chunk.length, bytes - filled));
        if (n < 0) break;
        storage.position(filled).put(chunk, 0, n);
        filled += n;
      }
      storage.position(0);
      if (filled < bytes)
        throw new IllegalArgumentException(file + ": storage record '" + entry.getName() + "' holds " + filled
            + " bytes, but torch." + r.type().className + " of " + r.storageNumel() + " elements needs " + bytes
            + " (truncated storage)");
      return storage;
    } catch (ZipException | java.io.EOFException e) {
      storage.close();
      throw new IllegalArgumentException(file + ": cannot read storage record '" + entry.getName()
          + "' (truncated or corrupt archive: " + e.getMessage() + ")", e);
    } catch (RuntimeException e) {
      storage.close();
      throw e;
    }
  }

  /** The view the record describes, copied into memory of its own (the storage is freed after). */
  private static Tensor tensorOf(BytePointer storage, TensorRecord r) {
    try (TensorOptions options = new TensorOptions().dtype(new ScalarTypeOptional(r.type().scalarType));
        MemoryFormatOptional contiguous = new MemoryFormatOptional(MemoryFormat.Contiguous)) {
      if (r.numel() == 0) return empty(r.size(), options, contiguous);
      try (Tensor flat = from_blob(storage, new long[] {r.storageNumel()}, options);
          LongOptional offset = new LongOptional(r.offset());
          Tensor view = flat.as_strided(r.size(), r.stride(), offset)) {
        // as_strided + clone rather than reshape: the record may be any strided view (a transpose,
        // a slice in the middle of a shared buffer), and clone gives the result its own memory.
        return view.clone(contiguous);
      }
    }
  }

  private static byte[] readEntry(ZipFile zip, ZipEntry entry, Path file) throws IOException {
    try (InputStream in = zip.getInputStream(entry)) {
      return in.readAllBytes();
    } catch (ZipException | java.io.EOFException e) {
      throw new IllegalArgumentException(file + ": cannot read '" + entry.getName() + "' (truncated or corrupt"
          + " archive: " + e.getMessage() + ")", e);
    }
  }
}
