package hspnet.io;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Tensor;

/**
 * Writes a state dict as a {@code torch.save} zip archive that Python's {@code torch.load} reads
 * back as the {@code OrderedDict} {@code torch.save(model.state_dict())} would have written:
 * {@code <root>/data.pkl}, {@code <root>/byteorder}, one {@code <root>/data/<i>} per tensor and
 * {@code <root>/version}, with {@code <root>} the file name without its extension. Records are
 * uncompressed and 64-byte aligned as PyTorch writes them, so {@code torch.load(f, mmap=True)} works.
 *
 * <p>Every tensor gets its own contiguous CPU storage (views sharing memory are written as separate
 * copies). The file appears atomically: it is written to a temporary file that is then renamed.
 */
public final class TorchZipWriter {
  private static final int CHUNK = 1 << 20;

  private TorchZipWriter() {}

  /** Writes {@code state} as an {@code OrderedDict}, keeping the map's iteration order. */
  public static void writeStateDict(Path file, Map<String, Tensor> state) throws IOException {
    writeStateDict(file, state, true);
  }

  /**
   * As {@link #writeStateDict(Path, Map)}; with {@code orderedDict} false the pickle holds a plain
   * dict instead, which LibTorch's C++ {@code torch::pickle_load} can read (it turns an
   * {@code OrderedDict} into None). Python's {@code torch.load} reads both.
   *
   * @throws IllegalArgumentException naming the key of a null, undefined or unsupported tensor
   *     (supported: float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, bool)
   */
  public static void writeStateDict(Path file, Map<String, Tensor> state, boolean orderedDict) throws IOException {
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN)
      throw new IllegalStateException("torch.save archives are little-endian; this writer copies native bytes and"
          + " only runs on little-endian hosts");
    List<TorchPickleWriter.Entry> entries = new ArrayList<>();
    List<Tensor> dense = new ArrayList<>();
    try {
      for (Map.Entry<String, Tensor> e : state.entrySet()) {
        TorchPickleWriter.Entry entry = describe(file, e.getKey(), e.getValue());
        entries.add(entry);
        dense.add(contiguousCpu(e.getValue()));
      }
      byte[] pickle = TorchPickleWriter.stateDict(entries, orderedDict);
      writeArchive(file, pickle, dense);
    } finally {
      for (Tensor t : dense) t.close();
    }
  }

  /** The archive torch.save writes: data.pkl, byteorder, one record per storage, version; atomically. */
  private static void writeArchive(Path file, byte[] pickle, List<Tensor> dense) throws IOException {
    String root = rootName(file);
    AtomicFiles.write(file, out -> {
      AlignedZipWriter zip = new AlignedZipWriter(out);
      zip.add(root + "/data.pkl", pickle);
      zip.add(root + "/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
      for (int i = 0; i < dense.size(); i++) {
        Tensor t = dense.get(i);
        zip.add(root + "/data/" + i, t.nbytes(), sink -> stream(t, sink));
      }
      zip.add(root + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
      zip.finish();
    });
  }

  /**
   * Writes a tree of plain data (maps with string keys, lists, strings, numbers, booleans, null and
   * tensors) as a {@code torch.save} archive: what {@link TorchZipReader#readTree} reads back, and
   * what Python's {@code torch.load(f, weights_only=True)} reads too.
   */
  public static void writeTree(Path file, Map<String, ?> tree) throws IOException {
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN)
      throw new IllegalStateException("torch.save archives are little-endian; this writer only runs on little-endian hosts");
    List<TorchPickleWriter.Entry> entries = new ArrayList<>();
    List<Tensor> dense = new ArrayList<>();
    try {
      byte[] pickle = TorchPickleWriter.tree(tree, v -> {
        if (!(v instanceof Tensor t)) return null;
        TorchPickleWriter.Entry e = describe(file, "tensor " + (dense.size()), t);
        dense.add(contiguousCpu(t));
        return e;
      }, entries);
      writeArchive(file, pickle, dense);
    } finally {
      for (Tensor t : dense) t.close();
    }
  }

  private static TorchPickleWriter.Entry describe(Path file, String key, Tensor t) {
    if (key == null) throw new IllegalArgumentException(file + ": state dict has a null key");
    if (t == null || t.isNull() || !t.defined())
      throw new IllegalArgumentException(file + ": entry '" + key + "' is not a defined tensor");
    TorchStorageType type = TorchStorageType.of(t.scalar_type());
    if (type == null)
      throw new IllegalArgumentException(file + ": entry '" + key + "' has dtype " + t.scalar_type()
          + ", which torch.save archives written here do not support");
    return new TorchPickleWriter.Entry(key, type, t.sizes().vec().get());
  }

  /** A contiguous CPU tensor with the values of {@code t}, as a new handle the writer may close. */
  private static Tensor contiguousCpu(Tensor t) {
    try (Tensor detached = t.detach(); Tensor cpu = detached.cpu()) {
      return cpu.contiguous();
    }
  }

  private static void stream(Tensor t, AlignedZipWriter.ChunkSink sink) throws IOException {
    long bytes = t.nbytes();
    if (bytes == 0) return;
    try (BytePointer data = new BytePointer(t.data_ptr())) {
      data.capacity(bytes).limit(bytes);
      byte[] chunk = new byte[(int) Math.min(CHUNK, bytes)];
      for (long done = 0; done < bytes; ) {
        int n = (int) Math.min(chunk.length, bytes - done);
        data.position(done).get(chunk, 0, n);
        sink.accept(chunk, n);
        done += n;
      }
    }
  }

  /** torch names the root folder after the file: its name up to the last dot. */
  static String rootName(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String root = dot > 0 ? name.substring(0, dot) : name;
    return root.isEmpty() ? "archive" : root;
  }
}
