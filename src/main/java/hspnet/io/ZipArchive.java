package hspnet.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import org.bytedeco.javacpp.BytePointer;

/**
 * A zip archive read for untrusted input (torch.save and TorchScript archives): the central
 * directory is parsed here, not by {@code java.util.zip}, so that every size the archive declares
 * is checked before anything is allocated. Each record's data must lie inside the file, before the
 * central directory, and no two records may share bytes (a crafted directory that points many
 * names at one record would otherwise multiply the memory a small file costs). Records are stored
 * (PyTorch's writers) or deflated; a deflated record inflates to exactly its declared size, and
 * the declared sizes of everything read are bounded by a budget tied to the file's size, so a few
 * megabytes of deflated zeros cannot claim gigabytes. ZIP64 sizes and offsets are understood.
 */
final class ZipArchive implements AutoCloseable {
  /** One record: where its data starts in the file, and its sizes as the directory declares them. */
  record Entry(String name, int method, long compressedSize, long size, long dataOffset) {
    boolean stored() {
      return method == STORED;
    }
  }

  static final int STORED = 0, DEFLATED = 8;
  private static final int EOCD = 0x06054b50, EOCD64 = 0x06064b50, LOCATOR64 = 0x07064b50, CENTRAL = 0x02014b50,
      LOCAL = 0x04034b50;
  private static final int MAX_ENTRIES = 1 << 20;
  /** Inflated bytes allowed beyond twice the file's size (small deflated metadata of a tiny file). */
  private static final long INFLATE_SLACK = 64L << 20;

  private final Path file;
  private final FileChannel channel;
  private final long fileSize;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
  private long inflateBudget;

  private ZipArchive(Path file, FileChannel channel) throws IOException {
    this.file = file;
    this.channel = channel;
    this.fileSize = channel.size();
    this.inflateBudget = 2 * fileSize + INFLATE_SLACK;
  }

  /**
   * @throws IllegalArgumentException naming the file when it is no zip archive or its directory is
   *     inconsistent (truncated, overlapping or out-of-file records, encrypted records)
   */
  static ZipArchive open(Path file) throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(file + ": no such file");
    }
    ZipArchive zip = new ZipArchive(file, ch);
    try {
      zip.readDirectory();
      return zip;
    } catch (RuntimeException | IOException e) {
      ch.close();
      throw e;
    }
  }

  Path file() {
    return file;
  }

  long fileSize() {
    return fileSize;
  }

  /** Record names in directory order. */
  List<String> names() {
    return List.copyOf(entries.keySet());
  }

  Entry entry(String name) {
    return entries.get(name);
  }

  /** A whole (small) record on the Java heap, refused when it declares more than {@code maxBytes}. */
  byte[] read(Entry e, long maxBytes) throws IOException {
    if (e.size() > maxBytes)
      throw bad("record '" + e.name() + "' declares " + e.size() + " bytes, more than the " + maxBytes
          + " this reader accepts for it");
    byte[] out = new byte[(int) e.size()];
    if (e.stored()) {
      readFully(ByteBuffer.wrap(out), e.dataOffset(), e.name());
    } else {
      try (BytePointer p = readNative(e)) {
        p.get(out);
      }
    }
    return out;
  }

  /** A record's {@code size} bytes copied straight into native memory of its own. */
  BytePointer readNative(Entry e) throws IOException {
    BytePointer p = new BytePointer(Math.max(e.size(), 1));
    try {
      long done = 0;
      if (e.stored()) {
        while (done < e.size()) {
          int n = (int) Math.min(1 << 30, e.size() - done);
          ByteBuffer buf = p.position(done).limit(done + n).asByteBuffer();
          readFully(buf, e.dataOffset() + done, e.name());
          done += n;
        }
      } else {
        charge(e);
        inflateInto(e, p);
      }
      p.position(0).limit(0);
      return p;
    } catch (RuntimeException | IOException ex) {
      p.close();
      throw ex;
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  // ------------------------------------------------------------------------------ directory

  private void readDirectory() throws IOException {
    if (fileSize < 22) throw bad("truncated or corrupt zip archive (" + fileSize + " bytes, no end-of-directory record)");
    int tail = (int) Math.min(fileSize, 22 + 0xffff);
    ByteBuffer end = le(ByteBuffer.allocate(tail));
    readFully(end, fileSize - tail, "end of central directory");
    int at = -1;
    for (int i = tail - 22; i >= 0; i--)
      if (end.getInt(i) == EOCD && i + 22 + (end.getShort(i + 20) & 0xffff) == tail) {
        at = i;
        break;
      }
    if (at < 0)
      for (int i = tail - 22; i >= 0; i--)
        if (end.getInt(i) == EOCD) {
          at = i;
          break;
        }
    if (at < 0) throw bad("truncated or corrupt zip archive (no end-of-central-directory record)");
    long eocdPos = fileSize - tail + at;
    long count = end.getShort(at + 10) & 0xffff;
    long cdSize = end.getInt(at + 12) & 0xffffffffL;
    long cdStart = end.getInt(at + 16) & 0xffffffffL;
    if (count == 0xffff || cdSize == 0xffffffffL || cdStart == 0xffffffffL) {
      // ZIP64: the locator sits just before the end record and points at the 64-bit end record
      if (eocdPos < 20) throw bad("truncated or corrupt zip archive (ZIP64 locator missing)");
      ByteBuffer loc = le(ByteBuffer.allocate(20));
      readFully(loc, eocdPos - 20, "ZIP64 locator");
      if (loc.getInt(0) != LOCATOR64) throw bad("truncated or corrupt zip archive (ZIP64 locator missing)");
      long eocd64 = loc.getLong(8);
      if (eocd64 < 0 || eocd64 > eocdPos - 20 - 56) throw bad("corrupt zip archive (ZIP64 end record outside the file)");
      ByteBuffer r = le(ByteBuffer.allocate(56));
      readFully(r, eocd64, "ZIP64 end record");
      if (r.getInt(0) != EOCD64) throw bad("corrupt zip archive (bad ZIP64 end record)");
      count = r.getLong(32);
      cdSize = r.getLong(40);
      cdStart = r.getLong(48);
      eocdPos = eocd64;
    }
    if (cdStart < 0 || cdSize < 0 || cdStart > eocdPos || cdSize > eocdPos - cdStart)
      throw bad("truncated or corrupt zip archive (central directory at " + cdStart + "+" + cdSize + " outside the file of "
          + fileSize + " bytes)");
    if (count < 0 || count > MAX_ENTRIES || count * 46 > cdSize)
      throw bad("corrupt zip archive (" + count + " records declared in a directory of " + cdSize + " bytes)");
    if (cdSize > Integer.MAX_VALUE) throw bad("corrupt zip archive (central directory of " + cdSize + " bytes)");
    ByteBuffer cd = le(ByteBuffer.allocate((int) cdSize));
    readFully(cd, cdStart, "central directory");
    List<long[]> ranges = new ArrayList<>();
    int p = 0;
    for (long i = 0; i < count; i++) {
      if (p + 46 > cd.limit() || cd.getInt(p) != CENTRAL)
        throw bad("truncated or corrupt zip archive (central directory record " + i + " is damaged)");
      int flags = cd.getShort(p + 8) & 0xffff;
      int method = cd.getShort(p + 10) & 0xffff;
      long csize = cd.getInt(p + 20) & 0xffffffffL, usize = cd.getInt(p + 24) & 0xffffffffL;
      int nameLen = cd.getShort(p + 28) & 0xffff, extraLen = cd.getShort(p + 30) & 0xffff,
          commentLen = cd.getShort(p + 32) & 0xffff;
      long local = cd.getInt(p + 42) & 0xffffffffL;
      if (p + 46L + nameLen + extraLen + commentLen > cd.limit())
        throw bad("truncated or corrupt zip archive (central directory record " + i + " is damaged)");
      byte[] nameBytes = new byte[nameLen];
      cd.get(p + 46, nameBytes);
      String name = new String(nameBytes, (flags & (1 << 11)) != 0 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
      // ZIP64 extra field: the 64-bit values of the fields that read 0xffffffff, in this order
      int x = p + 46 + nameLen, xEnd = x + extraLen;
      while (x + 4 <= xEnd) {
        int id = cd.getShort(x) & 0xffff, len = cd.getShort(x + 2) & 0xffff;
        if (id == 1) {
          int q = x + 4, qEnd = Math.min(x + 4 + len, xEnd);
          if (usize == 0xffffffffL && q + 8 <= qEnd) { usize = cd.getLong(q); q += 8; }
          if (csize == 0xffffffffL && q + 8 <= qEnd) { csize = cd.getLong(q); q += 8; }
          if (local == 0xffffffffL && q + 8 <= qEnd) { local = cd.getLong(q); }
        }
        x += 4 + len;
      }
      p += 46 + nameLen + extraLen + commentLen;
      if ((flags & 1) != 0) throw bad("record '" + name + "' is encrypted");
      if (method != STORED && method != DEFLATED)
        throw bad("record '" + name + "' uses compression method " + method + " (only stored and deflated records are read)");
      if (csize < 0 || usize < 0 || local < 0) throw bad("record '" + name + "' declares a size or offset beyond 2^63");
      if (method == STORED && csize != usize)
        throw bad("record '" + name + "' is stored but declares " + csize + " bytes in the file and " + usize + " uncompressed");
      if (local > cdStart - 30) throw bad("record '" + name + "' starts at byte " + local + ", outside the archive's data");
      ByteBuffer lh = le(ByteBuffer.allocate(30));
      readFully(lh, local, name);
      if (lh.getInt(0) != LOCAL) throw bad("truncated or corrupt zip archive (no local header for record '" + name + "')");
      long data = local + 30 + (lh.getShort(26) & 0xffff) + (lh.getShort(28) & 0xffff);
      if (data > cdStart || csize > cdStart - data)
        throw bad("truncated or corrupt zip archive: record '" + name + "' declares " + csize + " bytes at byte " + data
            + ", beyond the archive's data (" + cdStart + " bytes)");
      if (entries.containsKey(name)) throw bad("the archive holds two records named '" + name + "'");
      entries.put(name, new Entry(name, method, csize, usize, data));
      ranges.add(new long[] {local, data + csize});
    }
    ranges.sort(Comparator.comparingLong(r -> r[0]));
    for (int i = 1; i < ranges.size(); i++)
      if (ranges.get(i)[0] < ranges.get(i - 1)[1])
        throw bad("corrupt zip archive: two records share the bytes " + ranges.get(i)[0] + ".." + (ranges.get(i - 1)[1] - 1)
            + " (a crafted directory)");
  }

  // ------------------------------------------------------------------------------ data

  private void charge(Entry e) {
    if (e.size() > inflateBudget)
      throw bad("record '" + e.name() + "' declares " + e.size() + " bytes once inflated from " + e.compressedSize()
          + " in a file of " + fileSize + " bytes; refused (PyTorch stores records uncompressed, and a record this"
          + " compressed is a decompression bomb)");
    inflateBudget -= e.size();
  }

  /** True when the stream would still produce bytes past the declared size. */
  private static boolean probeMore(Inflater inf) throws DataFormatException {
    byte[] one = new byte[1];
    return inf.inflate(one) > 0;
  }

  private void inflateInto(Entry e, BytePointer p) throws IOException {
    // Inflate into 1 GiB windows of the native buffer, one Inflater across them.
    Inflater inf = new Inflater(true);
    try {
      ByteBuffer in = ByteBuffer.allocate((int) Math.min(1 << 16, Math.max(e.compressedSize(), 1)));
      long read = 0, done = 0;
      while (done < e.size()) {
        int window = (int) Math.min(1 << 30, e.size() - done);
        ByteBuffer out = p.position(done).limit(done + window).asByteBuffer();
        while (out.hasRemaining()) {
          if (inf.needsInput()) {
            if (read >= e.compressedSize()) break;
            in.clear().limit((int) Math.min(in.capacity(), e.compressedSize() - read));
            readFully(in, e.dataOffset() + read, e.name());
            read += in.limit();
            in.flip();
            inf.setInput(in);
          }
          int n = inf.inflate(out);
          if (n == 0 && (inf.finished() || inf.needsDictionary())) break;
        }
        if (out.hasRemaining()) break;
        done += window;
      }
      if (done < e.size() || !inf.finished() && probeMore(inf))
        throw bad("record '" + e.name() + "' does not inflate to the " + e.size() + " bytes it declares (truncated or"
            + " corrupt archive)");
    } catch (DataFormatException ex) {
      throw bad("record '" + e.name() + "' is corrupt (" + ex.getMessage() + ")");
    } finally {
      inf.end();
    }
  }

  private void readFully(ByteBuffer buf, long position, String what) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int n = channel.read(buf, pos);
      if (n < 0) throw bad("truncated or corrupt zip archive (end of file inside " + what + ")");
      pos += n;
    }
  }

  private static ByteBuffer le(ByteBuffer b) {
    return b.order(ByteOrder.LITTLE_ENDIAN);
  }

  private IllegalArgumentException bad(String what) {
    return new IllegalArgumentException(file + ": " + what);
  }

  /** Names grouped by their first path component (an archive's root folder). */
  Map<String, List<String>> byRoot() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (String n : entries.keySet()) {
      int slash = n.indexOf('/');
      if (slash > 0) out.computeIfAbsent(n.substring(0, slash), k -> new ArrayList<>()).add(n.substring(slash + 1));
    }
    out.replaceAll((k, v) -> Collections.unmodifiableList(v));
    return out;
  }
}
