package hspnet.io;

import static org.bytedeco.pytorch.global.torch.empty;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.MemoryFormat;
import org.bytedeco.pytorch.global.torch.ScalarType;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Reads a {@code .safetensors} file: an 8-byte little-endian header length N, N bytes of JSON
 * ({@code name → {dtype, shape, data_offsets: [begin, end]}} plus an optional
 * {@code __metadata__}), then the raw little-endian data, offsets counted from its start. Only
 * F32, F16, BF16 and I64 are accepted (what CLIP checkpoints hold). Every entry is checked against
 * its dtype, shape and the file's length before any data is read, so a truncated or inconsistent
 * file ends in a message naming the file and the entry, not in a read past the end. As the format
 * requires, the entries' byte ranges must tile the data section: no gap, no overlap, nothing left
 * over, so the tensors together are exactly as large as the file's data.
 */
public final class SafetensorsReader {
  /** Bigger headers are not sane: the format's own reference implementation caps them at 100 MB. */
  private static final long MAX_HEADER = 100L << 20;
  private static final int CHUNK = 1 << 30;

  private enum DType {
    F32(ScalarType.Float, 4), F16(ScalarType.Half, 2), BF16(ScalarType.BFloat16, 2), I64(ScalarType.Long, 8);

    final ScalarType scalarType;
    final int size;

    DType(ScalarType scalarType, int size) {
      this.scalarType = scalarType;
      this.size = size;
    }
  }

  private record Entry(String name, DType dtype, long[] shape, long begin, long end) {}

  private SafetensorsReader() {}

  /** True when the file starts like a safetensors file (a plausible length, then '{'). */
  public static boolean looksLikeSafetensors(byte[] head, long fileSize) {
    if (head.length < 9 || fileSize < 9) return false;
    long n = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    return n > 0 && n <= MAX_HEADER && head[8] == '{';
  }

  /**
   * The file's tensors in header order, as CPU tensors in the file's dtype.
   *
   * @throws IllegalArgumentException naming the file (and the entry) when the content is not a valid
   *     safetensors file of the supported dtypes
   */
  public static LinkedHashMap<String, Tensor> read(Path file) throws IOException {
    try (StateDictFile f = open(file)) {
      return f.tensors();
    }
  }

  /** The file's entries, checked; their tensors are read by {@link StateDictFile#tensors()}. */
  public static StateDictFile open(Path file) throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(file + ": no such file");
    }
    try {
      long size = ch.size();
      if (size < 8) throw new IllegalArgumentException(file + ": " + size + " bytes, too short for a safetensors header");
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, lenBuf, 0, file);
      long headerLen = lenBuf.flip().getLong();
      if (headerLen < 2 || headerLen > MAX_HEADER || headerLen > size - 8)
        throw new IllegalArgumentException(file + ": safetensors header length " + Long.toUnsignedString(headerLen)
            + " does not fit a file of " + size + " bytes (truncated, or not a safetensors file)");
      ByteBuffer header = ByteBuffer.allocate((int) headerLen);
      readFully(ch, header, 8, file);
      long dataStart = 8 + headerLen, dataLen = size - dataStart;
      List<Entry> entries = parseHeader(header.array(), dataLen, file);
      checkTiling(entries, dataLen, file);
      return new Opened(file, ch, entries, dataStart);
    } catch (RuntimeException | IOException e) {
      ch.close();
      throw e;
    }
  }

  private record Opened(Path file, FileChannel ch, List<Entry> entries, long dataStart) implements StateDictFile {
    @Override
    public LinkedHashMap<String, long[]> shapes() {
      LinkedHashMap<String, long[]> out = new LinkedHashMap<>();
      for (Entry e : entries) out.put(e.name(), e.shape().clone());
      return out;
    }

    @Override
    public LinkedHashMap<String, Tensor> tensors() throws IOException {
      LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
      try {
        for (Entry e : entries) out.put(e.name(), readTensor(ch, e, dataStart, file));
      } catch (RuntimeException | IOException ex) {
        out.values().forEach(Tensor::close);
        throw ex;
      }
      return out;
    }

    @Override
    public void close() throws IOException {
      ch.close();
    }
  }

  /** Sorted by offset, the entries must cover [0, dataLen) exactly once (the format's rule). */
  private static void checkTiling(List<Entry> entries, long dataLen, Path file) {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    long at = 0;
    for (Entry e : sorted) {
      if (e.begin() < at)
        throw new IllegalArgumentException(file + ": entry '" + e.name() + "' starts at byte " + e.begin()
            + " of the data section, inside the bytes of another entry (overlapping data_offsets; the format requires"
            + " entries to tile the data without overlap)");
      if (e.begin() > at)
        throw new IllegalArgumentException(file + ": bytes " + at + ".." + (e.begin() - 1) + " of the data section belong to"
            + " no entry (the format requires entries to tile the data without gaps)");
      at = e.end();
    }
    if (at != dataLen)
      throw new IllegalArgumentException(file + ": the entries cover " + at + " of the data section's " + dataLen
          + " bytes (the format requires them to tile it)");
  }

  private static List<Entry> parseHeader(byte[] json, long dataLen, Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(file + ": the safetensors header is not valid JSON ("
          + e.getOriginalMessage() + ")");
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot parse the safetensors header: " + e.getMessage());
    }
    if (root == null || !root.isObject())
      throw new IllegalArgumentException(file + ": the safetensors header is not a JSON object");
    List<Entry> entries = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (f.getKey().equals("__metadata__")) continue;
      entries.add(entry(f.getKey(), f.getValue(), dataLen, file));
    }
    return entries;
  }

  private static Entry entry(String name, JsonNode n, long dataLen, Path file) {
    String where = file + ": entry '" + name + "'";
    if (!n.isObject() || !n.path("dtype").isTextual() || !n.path("shape").isArray() || !n.path("data_offsets").isArray()
        || n.get("data_offsets").size() != 2)
      throw new IllegalArgumentException(where + " lacks dtype, shape or data_offsets [begin, end]: " + n);
    DType dtype;
    try {
      dtype = DType.valueOf(n.get("dtype").asText());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + " has dtype " + n.get("dtype").asText()
          + "; only F32, F16, BF16 and I64 are supported");
    }
    long[] shape = new long[n.get("shape").size()];
    if (shape.length > 64) throw new IllegalArgumentException(where + " has " + shape.length + " dimensions");
    long numel = 1;
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = n.get("shape").get(i);
      if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0)
        throw new IllegalArgumentException(where + " has an invalid shape " + n.get("shape"));
      shape[i] = d.asLong();
      numel = multiply(numel, shape[i], where, n);
    }
    JsonNode b = n.get("data_offsets").get(0), e = n.get("data_offsets").get(1);
    if (!b.isIntegralNumber() || !e.isIntegralNumber() || !b.canConvertToLong() || !e.canConvertToLong() || b.asLong() < 0
        || e.asLong() < b.asLong())
      throw new IllegalArgumentException(where + " has invalid data_offsets " + n.get("data_offsets"));
    long begin = b.asLong(), end = e.asLong();
    long bytes = multiply(numel, dtype.size, where, n);
    if (end - begin != bytes)
      throw new IllegalArgumentException(where + ": " + dtype + " " + Arrays.toString(shape) + " needs " + bytes
          + " bytes but data_offsets " + n.get("data_offsets") + " span " + (end - begin));
    if (end > dataLen)
      throw new IllegalArgumentException(where + " needs bytes up to " + end + " of the data section, which holds only "
          + dataLen + " (truncated file)");
    return new Entry(name, dtype, shape, begin, end);
  }

  private static long multiply(long a, long b, String where, JsonNode n) {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(where + ": shape " + n.get("shape") + " overflows 64-bit sizes");
    }
  }

  /** Reads an entry's bytes straight into a new tensor's memory. */
  private static Tensor readTensor(FileChannel ch, Entry e, long dataStart, Path file) throws IOException {
    try (TensorOptions options = new TensorOptions().dtype(new ScalarTypeOptional(e.dtype().scalarType));
        MemoryFormatOptional contiguous = new MemoryFormatOptional(MemoryFormat.Contiguous)) {
      Tensor t = empty(e.shape(), options, contiguous);
      long bytes = e.end() - e.begin();
      if (bytes == 0) return t;
      BytePointer dst = new BytePointer(t.data_ptr()).capacity(bytes);
      for (long done = 0; done < bytes; ) {
        int n = (int) Math.min(CHUNK, bytes - done);
        ByteBuffer buf = dst.position(done).limit(done + n).asByteBuffer();
        readFully(ch, buf, dataStart + e.begin() + done, file);
        done += n;
      }
      return t;
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long position, Path file) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) throw new IllegalArgumentException(file + ": unexpected end of file at byte " + pos + " (truncated)");
      pos += n;
    }
  }
}
