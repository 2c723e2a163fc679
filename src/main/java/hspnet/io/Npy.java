package hspnet.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.nio.BufferUnderflowException;
import java.nio.file.NoSuchFileException;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1–3) holding little-endian, C-order
 * float32, float64, int64 or int32 arrays. Anything else (Fortran order, big-endian, object
 * arrays, other dtypes) is refused with a message naming the file, because silently reinterpreting
 * such data would corrupt a relation matrix or a label index.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  /** Java arrays stop at 2^31 bytes; nothing the project reads as .npy comes close. */
  static final long MAX_BYTES = Integer.MAX_VALUE - 64;

  private Npy() {}

  public static NpyArray read(Path file) throws IOException {
    byte[] all;
    try {
      long size = Files.size(file);
      if (size > MAX_BYTES)
        throw new IllegalArgumentException(file + ": " + size + " bytes, more than the " + MAX_BYTES + " a .npy array may have here");
      all = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(file + ": no such .npy file");
    }
    try {
      return parse(all);
    } catch (IllegalArgumentException | IndexOutOfBoundsException | BufferUnderflowException e) {
      throw new IllegalArgumentException(file + ": not a readable .npy array: "
          + (e.getMessage() == null ? "truncated header" : e.getMessage()), e);
    }
  }

  static NpyArray parse(byte[] all) {
    ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    for (byte m : MAGIC)
      if (b.get() != m) throw new IllegalArgumentException("missing the \\x93NUMPY magic");
    int major = b.get() & 0xff;
    b.get();
    int headerLen = switch (major) {
      case 1 -> b.getShort() & 0xffff;
      case 2, 3 -> b.getInt();
      default -> throw new IllegalArgumentException("unsupported .npy format version " + major);
    };
    if (headerLen < 0 || headerLen > b.remaining())
      throw new IllegalArgumentException("header length " + Integer.toUnsignedString(headerLen) + " beyond the end of the file");
    String header = new String(all, b.position(), headerLen,
        major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    b.position(b.position() + headerLen);

    Matcher d = DESCR.matcher(header);
    if (!d.find()) throw new IllegalArgumentException("header has no 'descr': " + header.trim());
    String descr = d.group(1);
    if (descr.equals("|i1") || descr.equals("|u1") || descr.equals("|b1"))
      throw new IllegalArgumentException("dtype " + descr + " is not supported (use float32, float64, int64 or int32)");
    NpyArray.DType dtype = NpyArray.DType.of(descr);
    if (dtype == null)
      throw new IllegalArgumentException("dtype " + descr
          + " is not supported (need little-endian float32 <f4, float64 <f8, int64 <i8 or int32 <i4)");
    Matcher f = FORTRAN.matcher(header);
    if (f.find() && f.group(1).equals("True"))
      throw new IllegalArgumentException("Fortran-ordered arrays are not supported (save with C order)");
    Matcher s = SHAPE.matcher(header);
    if (!s.find()) throw new IllegalArgumentException("header has no 'shape': " + header.trim());
    List<Long> dims = new ArrayList<>();
    for (String part : s.group(1).split(",")) {
      String t = part.trim();
      if (t.isEmpty()) continue;
      long dim;
      try {
        dim = Long.parseLong(t);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("shape (" + s.group(1) + ") is not a tuple of integers");
      }
      if (dim < 0) throw new IllegalArgumentException("negative dimension in shape (" + s.group(1) + ")");
      dims.add(dim);
    }
    if (dims.size() > 64) throw new IllegalArgumentException("shape of " + dims.size() + " dimensions");
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    long need;
    try {
      long numel = 1;
      for (long x : shape) numel = Math.multiplyExact(numel, x);
      need = Math.multiplyExact(numel, (long) dtype.size);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("shape (" + s.group(1) + ") overflows 64-bit sizes");
    }
    if (b.remaining() < need)
      throw new IllegalArgumentException("truncated: data holds " + b.remaining() + " bytes, shape needs " + need);
    ByteBuffer data = ByteBuffer.allocate((int) need);
    data.put(all, b.position(), (int) need).flip();
    return new NpyArray(dtype, shape, data);
  }

  /** Writes a version-1 .npy file atomically (temp file in the same folder, then rename). */
  public static void write(Path file, NpyArray array) throws IOException {
    StringBuilder shape = new StringBuilder("(");
    long[] dims = array.shape();
    for (int i = 0; i < dims.length; i++) shape.append(dims[i]).append(dims.length == 1 || i < dims.length - 1 ? "," : "");
    shape.append(")");
    String dict = "{'descr': '" + array.dtype().descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
    int pad = (64 - unpadded % 64) % 64;
    String header = dict + " ".repeat(pad) + "\n";
    ByteBuffer data = array.bytes();
    ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 4 + header.length() + data.remaining()).order(ByteOrder.LITTLE_ENDIAN);
    out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
    out.put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data);
    AtomicFiles.write(file, out.array());
  }
}
