package hspnet.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.charset.StandardCharsets;

/**
 * Checks an image file before it is decoded, from its header alone:
 * <ul>
 *   <li>a decompression-bomb limit as Pillow's: more than {@value #MAX_PIXELS} pixels (twice
 *       {@code PIL.Image.MAX_IMAGE_PIXELS}, where Pillow raises {@code DecompressionBombError}) is
 *       refused for PNG, JPEG, GIF, BMP and WebP, whose headers say their size; other formats
 *       meet OpenCV's own limit of 2^30 pixels;</li>
 *   <li>a JPEG must be whole: the segments up to the first scan must be well formed and an
 *       end-of-image marker must follow it. libjpeg decodes a truncated file with a grey bottom
 *       and only prints "Premature end of JPEG file"; Pillow raises, and so does this.</li>
 * </ul>
 */
public final class ImageHeader {
  /** Pillow's DecompressionBombError threshold: 2 × MAX_IMAGE_PIXELS (89,478,485). */
  public static final long MAX_PIXELS = 2L * 89_478_485;

  private ImageHeader() {}

  /** @throws IllegalArgumentException naming the file when it is refused */
  public static void check(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      ByteBuffer head = ByteBuffer.allocate((int) Math.min(size, 64));
      read(ch, head, 0);
      head.flip();
      byte[] h = new byte[head.remaining()];
      head.get(h);
      if (starts(h, 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n') && h.length >= 24) {
        limit(file, "PNG", be32(h, 16), be32(h, 20));
      } else if (starts(h, 'G', 'I', 'F', '8') && h.length >= 10) {
        limit(file, "GIF", le16(h, 6), le16(h, 8));
      } else if (starts(h, 'B', 'M') && h.length >= 26) {
        limit(file, "BMP", Math.abs((long) le32(h, 18)), Math.abs((long) le32(h, 22)));
      } else if (starts(h, 'R', 'I', 'F', 'F') && h.length >= 30 && h[8] == 'W' && h[9] == 'E' && h[10] == 'B' && h[11] == 'P') {
        webp(file, h);
      } else if (starts(h, 0xff, 0xd8, 0xff)) {
        jpeg(file, ch, size);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read the image file (" + e.getMessage() + ")");
    }
  }

  private static void webp(Path file, byte[] h) {
    String chunk = new String(h, 12, 4, StandardCharsets.US_ASCII);
    switch (chunk) {
      case "VP8X" -> limit(file, "WebP", 1 + (le24(h, 24)), 1 + (le24(h, 27)));
      case "VP8L" -> {
        long bits = le32(h, 21) & 0xffffffffL;
        limit(file, "WebP", 1 + (bits & 0x3fff), 1 + ((bits >>> 14) & 0x3fff));
      }
      case "VP8 " -> limit(file, "WebP", le16(h, 26) & 0x3fff, le16(h, 28) & 0x3fff);
      default -> { }
    }
  }

  /** Walks the JPEG's marker segments to its first frame header and scan, then looks for EOI. */
  private static void jpeg(Path file, FileChannel ch, long size) throws IOException {
    long pos = 2;
    boolean sized = false;
    ByteBuffer seg = ByteBuffer.allocate(9).order(ByteOrder.BIG_ENDIAN);
    while (true) {
      if (pos + 4 > size) throw truncated(file);
      seg.clear().limit(4);
      read(ch, seg, pos);
      int marker0 = seg.get(0) & 0xff, marker = seg.get(1) & 0xff;
      if (marker0 != 0xff) throw new IllegalArgumentException(file + ": cannot decode image (corrupt JPEG: no marker at byte " + pos + ")");
      if (marker == 0xff) { // fill byte
        pos++;
        continue;
      }
      if (marker == 0xd9) throw truncated(file);
      if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { // markers without a length
        pos += 2;
        continue;
      }
      int length = seg.getShort(2) & 0xffff;
      if (length < 2) throw new IllegalArgumentException(file + ": cannot decode image (corrupt JPEG: segment length " + length + " at byte " + pos + ")");
      boolean frame = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
      if (frame && !sized) {
        if (pos + 9 > size) throw truncated(file);
        seg.clear().limit(9);
        read(ch, seg, pos);
        limit(file, "JPEG", seg.getShort(7) & 0xffff, seg.getShort(5) & 0xffff);
        sized = true;
      }
      if (marker == 0xda) break; // start of scan: entropy-coded data follows the header
      pos += 2 + length;
    }
    // The entropy-coded data never holds FF D9 (an FF in it is stuffed as FF 00), so the last
    // end-of-image marker in the file proves the scans ran to their end. Trailing bytes after it
    // (some cameras add them) are allowed, as Pillow allows them.
    if (!endsWithEoi(ch, pos, size)) throw truncated(file);
  }

  private static boolean endsWithEoi(FileChannel ch, long from, long size) throws IOException {
    int window = 1 << 16;
    for (long end = size; end > from; end -= window - 1) {
      long start = Math.max(from, end - window);
      ByteBuffer b = ByteBuffer.allocate((int) (end - start));
      read(ch, b, start);
      byte[] a = b.array();
      for (int i = a.length - 2; i >= 0; i--)
        if ((a[i] & 0xff) == 0xff && (a[i + 1] & 0xff) == 0xd9) return true;
      if (start == from) break;
    }
    return false;
  }

  private static IllegalArgumentException truncated(Path file) {
    return new IllegalArgumentException(file + ": cannot decode image (truncated or corrupt JPEG: no end-of-image marker"
        + " after the scan; libjpeg would print 'Premature end of JPEG file' and decode a grey remainder)");
  }

  private static void limit(Path file, String format, long width, long height) {
    if (width <= 0 || height <= 0)
      throw new IllegalArgumentException(file + ": cannot decode image (corrupt " + format + " header: " + width + "x" + height + " pixels)");
    if (width * height > MAX_PIXELS)
      throw new IllegalArgumentException(file + ": " + format + " header declares " + width + "x" + height + " = "
          + width * height + " pixels, more than the " + MAX_PIXELS + " allowed (a decompression bomb, as Pillow's"
          + " MAX_IMAGE_PIXELS limit calls it)");
  }

  private static void read(FileChannel ch, ByteBuffer b, long pos) throws IOException {
    while (b.hasRemaining()) {
      int n = ch.read(b, pos);
      if (n < 0) break;
      pos += n;
    }
  }

  private static boolean starts(byte[] h, int... magic) {
    if (h.length < magic.length) return false;
    for (int i = 0; i < magic.length; i++) if ((h[i] & 0xff) != magic[i]) return false;
    return true;
  }

  private static long be32(byte[] h, int i) {
    return ((h[i] & 0xffL) << 24) | ((h[i + 1] & 0xff) << 16) | ((h[i + 2] & 0xff) << 8) | (h[i + 3] & 0xff);
  }

  private static int le32(byte[] h, int i) {
    return (h[i] & 0xff) | (h[i + 1] & 0xff) << 8 | (h[i + 2] & 0xff) << 16 | (h[i + 3] & 0xff) << 24;
  }

  private static int le24(byte[] h, int i) {
    return (h[i] & 0xff) | (h[i + 1] & 0xff) << 8 | (h[i + 2] & 0xff) << 16;
  }

  private static int le16(byte[] h, int i) {
    return (h[i] & 0xff) | (h[i + 1] & 0xff) << 8;
  }
}
