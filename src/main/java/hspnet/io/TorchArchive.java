package hspnet.io;

import static org.bytedeco.pytorch.global.torch.empty;
import static org.bytedeco.pytorch.global.torch.from_blob;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.MemoryFormat;

/**
 * A {@code torch.save} or TorchScript zip archive opened for reading: {@code <root>/data.pkl}
 * interpreted by {@link RestrictedUnpickler} into a tree whose tensors are {@link TensorRecord}s,
 * and the storages read on demand. Nothing but {@code data.pkl}, {@code byteorder} and the storage
 * records is read; a TorchScript archive's {@code code/} and {@code constants.pkl} are never opened.
 *
 * <p>Before any storage is read, every record the tensors need is checked: it exists, holds
 * exactly the bytes its storage declares, each view stays inside its storage, and all views
 * together are at most twice the storages' bytes (shared storages are legitimate; a thousand
 * views of one storage are not). Storage bytes themselves are bounded by the file
 * ({@link ZipArchive}), so a small file cannot make this reader allocate much more than its size.
 */
final class TorchArchive implements AutoCloseable {
  enum Kind { TORCH_SAVE, TORCHSCRIPT }

  /** data.pkl of the largest OpenAI CLIP is well under 1 MB; resume states are similar. */
  static final long MAX_PICKLE = 64L << 20;
  private static final long VIEW_SLACK = 1L << 20;

  private final ZipArchive zip;
  private final String root;
  private final Object tree;

  private TorchArchive(ZipArchive zip, String root, Object tree) {
    this.zip = zip;
    this.root = root;
    this.tree = tree;
  }

  /** @throws IllegalArgumentException naming the file when it is not a readable archive of that kind */
  static TorchArchive open(Path file, Kind kind) throws IOException {
    ZipArchive zip = ZipArchive.open(file);
    try {
      String root = rootOf(zip, kind);
      checkByteOrder(zip, root);
      byte[] pickle = zip.read(zip.entry(root + "/data.pkl"), MAX_PICKLE);
      Object tree;
      try {
        tree = kind == Kind.TORCHSCRIPT ? RestrictedUnpickler.loadScript(pickle) : RestrictedUnpickler.load(pickle);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ": " + root + "/data.pkl: " + e.getMessage(), e);
      }
      return new TorchArchive(zip, root, tree);
    } catch (RuntimeException | IOException e) {
      zip.close();
      throw e;
    }
  }

  Path file() {
    return zip.file();
  }

  Object tree() {
    return tree;
  }

  private static String rootOf(ZipArchive zip, Kind kind) {
    Path file = zip.file();
    List<String> roots = new ArrayList<>();
    boolean torchScript = false;
    for (Map.Entry<String, List<String>> r : zip.byRoot().entrySet()) {
      if (r.getValue().contains("data.pkl")) roots.add(r.getKey());
      for (String inner : r.getValue()) if (inner.equals("constants.pkl") || inner.startsWith("code/")) torchScript = true;
    }
    if (torchScript && kind == Kind.TORCH_SAVE)
      throw new IllegalArgumentException(file + ": a TorchScript archive (torch.jit.save), not a torch.save state dict");
    if (!torchScript && kind == Kind.TORCHSCRIPT)
      throw new IllegalArgumentException(file + ": not a TorchScript archive (no constants.pkl or code/ record)");
    if (roots.isEmpty()) throw new IllegalArgumentException(file + ": zip archive without a <root>/data.pkl record");
    if (roots.size() > 1) throw new IllegalArgumentException(file + ": several data.pkl records " + roots);
    return roots.get(0);
  }

  private static void checkByteOrder(ZipArchive zip, String root) throws IOException {
    ZipArchive.Entry e = zip.entry(root + "/byteorder");
    if (e == null) return; // archives before PyTorch 2.1 have none, and are little-endian
    String order = new String(zip.read(e, 64), StandardCharsets.US_ASCII).trim();
    if (!order.equals("little"))
      throw new IllegalArgumentException(zip.file() + ": " + root + "/byteorder says '" + order + "'; only little-endian"
          + " archives are supported");
  }

  /**
   * The tensors of {@code records} (each its own contiguous CPU copy, in the file's dtype), with
   * {@code names} saying which entry each record is for in messages. Every record is checked
   * before the first storage is read; a storage shared by several records is read once.
   */
  IdentityHashMap<TensorRecord, Tensor> materialise(Map<String, TensorRecord> named) throws IOException {
    Path file = zip.file();
    LinkedHashMap<String, List<String>> byStorage = new LinkedHashMap<>();
    named.forEach((name, r) -> byStorage.computeIfAbsent(r.storageKey(), k -> new ArrayList<>()).add(name));
    long storageBytes = 0, viewBytes = 0;
    Map<String, ZipArchive.Entry> entries = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> group : byStorage.entrySet()) {
      String recordName = root + "/data/" + group.getKey();
      TensorRecord first = named.get(group.getValue().get(0));
      for (String name : group.getValue()) {
        TensorRecord r = named.get(name);
        if (r.type() != first.type() || r.storageNumel() != first.storageNumel())
          throw new IllegalArgumentException(file + ": entries '" + group.getValue().get(0) + "' and '" + name
              + "' describe storage '" + group.getKey() + "' differently");
        if (r.extent() > r.storageNumel())
          throw new IllegalArgumentException(file + ": entry '" + name + "' reaches element " + (r.extent() - 1)
              + " of a storage of " + r.storageNumel() + " elements (" + r + ")");
        viewBytes = addBytes(viewBytes, r.nbytes(), file);
      }
      ZipArchive.Entry entry = zip.entry(recordName);
      if (entry == null)
        throw new IllegalArgumentException(file + ": missing storage record '" + recordName + "' (needed by entry '"
            + group.getValue().get(0) + "')");
      long bytes = first.storageNumel() * first.type().elementSize;
      if (entry.size() != bytes)
        throw new IllegalArgumentException(file + ": storage record '" + recordName + "' holds " + entry.size()
            + " bytes, but torch." + first.type().className + " of " + first.storageNumel() + " elements (entry '"
            + group.getValue().get(0) + "') needs " + bytes + (entry.size() < bytes ? " (truncated storage)" : ""));
      storageBytes = addBytes(storageBytes, bytes, file);
      entries.put(group.getKey(), entry);
    }
    if (viewBytes > 2 * storageBytes + VIEW_SLACK)
      throw new IllegalArgumentException(file + ": its tensors would take " + viewBytes + " bytes as views of "
          + storageBytes + " bytes of storage; refused (more than twice: views repeating one storage)");

    IdentityHashMap<TensorRecord, Tensor> out = new IdentityHashMap<>();
    try {
      for (Map.Entry<String, List<String>> group : byStorage.entrySet()) {
        ZipArchive.Entry entry = entries.get(group.getKey());
        try (BytePointer storage = zip.readNative(entry)) {
          for (String name : group.getValue()) {
            TensorRecord r = named.get(name);
            if (!out.containsKey(r)) out.put(r, tensorOf(storage, r));
          }
        }
      }
    } catch (RuntimeException | IOException | Error e) {
      out.values().forEach(Tensor::close);
      throw e;
    }
    return out;
  }

  private static long addBytes(long a, long b, Path file) {
    try {
      return Math.addExact(a, b);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(file + ": its tensors together overflow 64-bit sizes");
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

  /**
   * The tree as plain Java values, its tensors read: dicts become {@code Map<String, Object>}
   * (keys must be strings), lists and tuples {@code List<Object>}, TorchScript objects the map of
   * their attributes; strings, Long, BigInteger, Double, Boolean and null stay as they are.
   */
  Object plainTree() throws IOException {
    LinkedHashMap<String, TensorRecord> records = new LinkedHashMap<>();
    collect(tree, "", records, new IdentityHashMap<>());
    IdentityHashMap<TensorRecord, Tensor> tensors = materialise(records);
    return plain(tree, tensors, new IdentityHashMap<>());
  }

  private static void collect(Object o, String path, Map<String, TensorRecord> out, IdentityHashMap<Object, Boolean> seen) {
    if (o instanceof TensorRecord r) {
      out.putIfAbsent(path.isEmpty() ? "<root>" : path, r);
      return;
    }
    if (o == null || seen.put(o, Boolean.TRUE) != null) return;
    if (o instanceof RestrictedUnpickler.Dict d) d.forEach((k, v) -> collect(v, join(path, String.valueOf(k)), out, seen));
    else if (o instanceof RestrictedUnpickler.ScriptObject so) so.attributes.forEach((k, v) -> collect(v, join(path, (String) k), out, seen));
    else if (o instanceof RestrictedUnpickler.Tuple t) for (int i = 0; i < t.items().size(); i++) collect(t.items().get(i), join(path, "" + i), out, seen);
    else if (o instanceof List<?> l) for (int i = 0; i < l.size(); i++) collect(l.get(i), join(path, "" + i), out, seen);
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private Object plain(Object o, IdentityHashMap<TensorRecord, Tensor> tensors, IdentityHashMap<Object, Object> done) {
    if (o instanceof TensorRecord r) return tensors.get(r);
    if (o == null || o instanceof String || o instanceof Long || o instanceof Double || o instanceof Boolean
        || o instanceof java.math.BigInteger) return o;
    Object made = done.get(o);
    if (made != null) return made;
    if (o instanceof RestrictedUnpickler.Dict || o instanceof RestrictedUnpickler.ScriptObject) {
      Map<?, ?> source = o instanceof RestrictedUnpickler.Dict d ? d : ((RestrictedUnpickler.ScriptObject) o).attributes;
      LinkedHashMap<String, Object> m = new LinkedHashMap<>();
      done.put(o, m);
      for (Map.Entry<?, ?> e : source.entrySet()) {
        if (!(e.getKey() instanceof String k))
          throw new IllegalArgumentException(zip.file() + ": dict key " + RestrictedUnpickler.describe(e.getKey()) + " is not a string");
        m.put(k, plain(e.getValue(), tensors, done));
      }
      return m;
    }
    Collection<?> items = o instanceof RestrictedUnpickler.Tuple t ? t.items() : o instanceof List<?> l ? l : null;
    if (items != null) {
      List<Object> list = new ArrayList<>(items.size());
      done.put(o, list);
      for (Object item : items) list.add(plain(item, tensors, done));
      return list;
    }
    throw new IllegalArgumentException(zip.file() + ": data.pkl holds " + RestrictedUnpickler.describe(o)
        + ", which is not plain data");
  }

  @Override
  public void close() throws IOException {
    zip.close();
  }
}
