package hspnet.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.Arrays;

/**
 * Writes a zip archive of uncompressed (STORED) records whose data start at multiples of 64 bytes,
 * like PyTorch's {@code PyTorchStreamWriter}: the padding goes into the local header's extra field
 * (id "FB", filled with 'Z'). Aligned, uncompressed storages are what lets {@code torch.load(...,
 * mmap=True)} map tensors straight from the file. No ZIP64: archives stop at 4 GiB and 65535 records.
 */
final class AlignedZipWriter {
  static final int ALIGNMENT = 64;
  private static final int LOCAL_HEADER = 30;
  private static final long MAX_32 = 0xffffffffL;

  /** Content that can be streamed more than once (once for the CRC, once to write it). */
  @FunctionalInterface
  interface Content {
    void writeTo(ChunkSink sink) throws IOException;
  }

  @FunctionalInterface
  interface ChunkSink {
    void accept(byte[] chunk, int length) throws IOException;
  }

  private record Written(byte[] name, long crc, long size, long headerOffset) {}

  private final OutputStream out;
  private final List<Written> records = new ArrayList<>();
  private long offset;

  AlignedZipWriter(OutputStream out) {
    this.out = out;
  }

  void add(String name, byte[] data) throws IOException {
    add(name, data.length, sink -> sink.accept(data, data.length));
  }

  void add(String name, long size, Content content) throws IOException {
    CRC32 crc = new CRC32();
    long[] seen = {0};
    content.writeTo((chunk, n) -> {
      crc.update(chunk, 0, n);
      seen[0] += n;
    });
    if (seen[0] != size) throw new IllegalStateException(name + ": content gave " + seen[0] + " bytes, not " + size);

    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    long dataStart = offset + LOCAL_HEADER + nameBytes.length + 4; // 4: the extra field's id and length
    int padding = (int) ((ALIGNMENT - dataStart % ALIGNMENT) % ALIGNMENT);
    if (offset + LOCAL_HEADER + nameBytes.length + 4 + padding + size > MAX_32 || records.size() == 0xfffe)
      throw new IllegalArgumentException("archive would exceed 4 GiB or 65535 records, which needs ZIP64"
          + " (not supported by this writer); at record " + name);

    long headerOffset = offset;
    le32(0x04034b50);
    le16(20); // version needed: 2.0
    le16(flags(name));
    le16(0); // STORED
    le16(0); // time 00:00
    le16(0x21); // date 1980-01-01
    le32(crc.getValue());
    le32(size);
    le32(size);
    le16(nameBytes.length);
    le16(4 + padding);
    write(nameBytes, nameBytes.length);
    le16('F' | 'B' << 8);
    le16(padding);
    byte[] pad = new byte[padding];
    Arrays.fill(pad, (byte) 'Z');
    write(pad, padding);
    content.writeTo(this::write);
    records.add(new Written(nameBytes, crc.getValue(), size, headerOffset));
  }

  /** Writes the central directory; the archive is complete after this. */
  void finish() throws IOException {
    long directoryStart = offset;
    for (Written r : records) {
      le32(0x02014b50);
      le16(20); // made by: 2.0
      le16(20);
      le16(flags(new String(r.name(), StandardCharsets.UTF_8)));
      le16(0);
      le16(0);
      le16(0x21);
      le32(r.crc());
      le32(r.size());
      le32(r.size());
      le16(r.name().length);
      le16(0); // no extra field here: PyTorch's writer only pads the local header
      le16(0); // comment
      le16(0); // disk
      le16(0); // internal attributes
      le32(0); // external attributes
      le32(r.headerOffset());
      write(r.name(), r.name().length);
    }
    long directorySize = offset - directoryStart;
    if (offset > MAX_32) throw new IllegalArgumentException("archive exceeds 4 GiB, which needs ZIP64");
    le32(0x06054b50);
    le16(0);
    le16(0);
    le16(records.size());
    le16(records.size());
    le32(directorySize);
    le32(directoryStart);
    le16(0);
  }

  /** Bit 11 declares UTF-8 names; PyTorch names its root after the file, which may be non-ASCII. */
  private static int flags(String name) {
    return name.chars().allMatch(c -> c < 0x80) ? 0 : 1 << 11;
  }

  private void le16(int v) throws IOException {
    out.write(v & 0xff);
    out.write((v >>> 8) & 0xff);
    offset += 2;
  }

  private void le32(long v) throws IOException {
    for (int i = 0; i < 4; i++) out.write((int) (v >>> (8 * i)) & 0xff);
    offset += 4;
  }

  private void write(byte[] b, int n) throws IOException {
    out.write(b, 0, n);
    offset += n;
  }
}
