package hspnet.testutil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Generators of crafted and damaged input files, written byte by byte so that every field a
 * reader trusts can be made to lie: zip archives whose directory declares any size, method or
 * offset; pickles of any opcode sequence; safetensors headers; image headers.
 */
public final class Crafted {
  private Crafted() {}

  // ------------------------------------------------------------------------------ zip

  /**
   * One zip record: {@code data} is what the file holds; the directory declares {@code method},
   * {@code declaredSize} (uncompressed) and points at the local header of record {@code pointAt}
   * (-1: its own).
   */
  public record Rec(String name, byte[] data, int method, long declaredSize, int pointAt) {
    public static Rec stored(String name, byte[] data) {
      return new Rec(name, data, 0, data.length, -1);
    }

    public static Rec text(String name, String text) {
      return stored(name, text.getBytes(StandardCharsets.UTF_8));
    }
  }

  public static byte[] zip(List<Rec> records) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<Long> offsets = new ArrayList<>();
    for (Rec r : records) {
      if (r.pointAt() >= 0) {
        offsets.add(offsets.get(r.pointAt()));
        continue;
      }
      offsets.add((long) out.size());
      byte[] name = r.name().getBytes(StandardCharsets.UTF_8);
      le32(out, 0x04034b50);
      le16(out, 20);
      le16(out, 0);
      le16(out, r.method());
      le16(out, 0);
      le16(out, 0x21);
      le32(out, crc(r.data()));
      le32(out, r.data().length);
      le32(out, r.declaredSize());
      le16(out, name.length);
      le16(out, 0);
      out.writeBytes(name);
      out.writeBytes(r.data());
    }
    long cd = out.size();
    for (int i = 0; i < records.size(); i++) {
      Rec r = records.get(i);
      Rec holder = r.pointAt() >= 0 ? records.get(r.pointAt()) : r;
      byte[] name = r.name().getBytes(StandardCharsets.UTF_8);
      le32(out, 0x02014b50);
      le16(out, 20);
      le16(out, 20);
      le16(out, 0);
      le16(out, r.method());
      le16(out, 0);
      le16(out, 0x21);
      le32(out, crc(holder.data()));
      le32(out, holder.data().length);
      le32(out, r.declaredSize());
      le16(out, name.length);
      le16(out, 0);
      le16(out, 0);
      le16(out, 0);
      le16(out, 0);
      le32(out, 0);
      le32(out, offsets.get(i));
      out.writeBytes(name);
    }
    long cdSize = out.size() - cd;
    le32(out, 0x06054b50);
    le16(out, 0);
    le16(out, 0);
    le16(out, records.size());
    le16(out, records.size());
    le32(out, cdSize);
    le32(out, cd);
    le16(out, 0);
    return out.toByteArray();
  }

  /** Raw deflate of {@code n} zero bytes, streamed (never holds them all). */
  public static byte[] deflatedZeros(long n) {
    Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
    byte[] zeros = new byte[1 << 20], buf = new byte[1 << 16];
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (long left = n; left > 0; left -= zeros.length) {
      d.setInput(zeros, 0, (int) Math.min(zeros.length, left));
      while (!d.needsInput()) out.write(buf, 0, d.deflate(buf));
    }
    d.finish();
    while (!d.finished()) out.write(buf, 0, d.deflate(buf));
    d.end();
    return out.toByteArray();
  }

  // ------------------------------------------------------------------------------ pickles

  /** A pickle protocol 2 program, op by op. */
  public static final class Pickle {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public Pickle() {
      op(0x80, 2);
    }

    public Pickle op(int... bytes) {
      for (int b : bytes) out.write(b);
      return this;
    }

    public Pickle global(String module, String name) {
      op('c');
      out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
      return this;
    }

    public Pickle str(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      op('X');
      le32(out, b.length);
      out.writeBytes(b);
      return this;
    }

    public Pickle integer(long v) {
      if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
        op('J');
        le32(out, v);
      } else {
        op(0x8a, 8);
        for (int i = 0; i < 8; i++) op((int) (v >>> (8 * i)) & 0xff);
      }
      return this;
    }

    public Pickle tuple(long... values) {
      op('(');
      for (long v : values) integer(v);
      return op('t');
    }

    /** {@code _rebuild_tensor_v2(('storage', torch.FloatStorage, key, 'cpu', numel), 0, size, stride, False, OrderedDict())}. */
    public Pickle tensor(String storageKey, long storageNumel, long[] size, long[] stride) {
      global("torch._utils", "_rebuild_tensor_v2");
      op('(').op('(').str("storage").global("torch", "FloatStorage").str(storageKey).str("cpu").integer(storageNumel).op('t', 'Q');
      integer(0).tuple(size).tuple(stride).op(0x89).global("collections", "OrderedDict").op(')', 'R');
      return op('t', 'R');
    }

    public byte[] bytes() {
      ByteArrayOutputStream copy = new ByteArrayOutputStream();
      copy.writeBytes(out.toByteArray());
      copy.write('.');
      return copy.toByteArray();
    }
  }

  /** A torch.save archive of a dict {name: tensor} whose records are those given. */
  public static byte[] torchSave(String root, byte[] pickle, List<Rec> storages) {
    List<Rec> recs = new ArrayList<>();
    recs.add(Rec.stored(root + "/data.pkl", pickle));
    recs.add(Rec.text(root + "/byteorder", "little"));
    recs.addAll(storages);
    recs.add(Rec.text(root + "/version", "3\n"));
    return zip(recs);
  }

  // ------------------------------------------------------------------------------ safetensors

  public static byte[] safetensors(String headerJson, long dataBytes) {
    byte[] h = headerJson.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate((int) (8 + h.length + dataBytes)).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    return b.array();
  }

  // ------------------------------------------------------------------------------ images

  /** A PNG signature and IHDR declaring {@code w x h} RGB pixels, then nothing (no image data). */
  public static byte[] pngHeader(int w, int h) {
    ByteBuffer b = ByteBuffer.allocate(8 + 25).order(ByteOrder.BIG_ENDIAN);
    b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    b.putInt(13).put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(w).putInt(h).put((byte) 8).put((byte) 2)
        .put((byte) 0).put((byte) 0).put((byte) 0);
    CRC32 crc = new CRC32();
    crc.update(b.array(), 12, 17);
    b.putInt((int) crc.getValue());
    return b.array();
  }

  public static Path write(Path file, byte[] content) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    return Files.write(file, content);
  }

  private static long crc(byte[] b) {
    CRC32 c = new CRC32();
    c.update(b);
    return c.getValue();
  }

  private static void le16(ByteArrayOutputStream o, int v) {
    o.write(v & 0xff);
    o.write((v >>> 8) & 0xff);
  }

  private static void le32(ByteArrayOutputStream o, long v) {
    for (int i = 0; i < 4; i++) o.write((int) (v >>> (8 * i)) & 0xff);
  }
}
