package hspnet.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Arrays;

/**
 * Finds corrupt entropy-coded data in a whole JPEG (one that {@link ImageHeader} accepted), so that
 * the file can be named in a warning. libjpeg decodes such data with its recovery (as Pillow does,
 * and so do we: the image is still used) and only prints an anonymous line such as "Corrupt JPEG
 * data: premature end of data segment" on stderr, which cannot tell a user which of many files is
 * damaged.
 *
 * <p>Baseline and extended sequential Huffman JPEGs (SOF0, SOF1): every scan's bit stream is
 * decoded — Huffman symbols and extra bits only, no dequantisation or IDCT — with the tables (DHT),
 * sampling factors (SOF), scan components (SOS), restart interval (DRI) and restart markers the file
 * declares, and the first problem libjpeg-turbo would warn about is reported:
 * <ul>
 *   <li>a bad Huffman code (a bit pattern no code of up to 16 bits matches);</li>
 *   <li>a marker reached before all MCUs of the scan or restart interval were decoded
 *       ("premature end of data segment");</li>
 *   <li>whole bytes between the end of the MCUs and the next marker ("N extraneous bytes before
 *       marker 0xXX");</li>
 *   <li>another marker where the next restart marker (RSTn, in sequence) belongs.</li>
 * </ul>
 * An AC run past coefficient 63 is not reported: libjpeg-turbo does not warn about it (its
 * zig-zag table has spare entries that absorb the stray coefficient).
 *
 * <p>Two libjpeg-turbo details are reproduced so that this never reports what libjpeg accepts:
 * its bit reader works ahead of the decoded symbols (it fills a 64-bit register), and bytes already
 * pulled into that register when the last MCU of a scan ends are not counted as extraneous
 * (only restart markers count them); which bytes those are depends on whether an MCU took
 * libjpeg-turbo's fast path, which needs 512 bytes per block left in its 4096-byte stdio input
 * buffer (OpenCV's {@code imread} reads files through {@code jpeg_stdio_src}), so that is modelled
 * too. The fast path also replaces a bad Huffman code by 0 without a warning; such a code is still
 * reported here (the data are corrupt), with {@link Problem#libjpegWarns()} saying whether libjpeg
 * would print anything for the file.
 *
 * <p>Progressive (SOF2) and all other JPEG kinds (lossless, arithmetic coding): only a structural
 * check of the entropy-coded data — every 0xFF in it must be followed by 0x00, by 0xFF fill bytes,
 * by RST0–7, or start a real marker segment (one that may follow a scan, with a length that fits
 * in the file). Their bit streams are not decoded.
 *
 * <p>Stateless; the work is linear in the file size.
 */
public final class JpegScanCheck {
  private JpegScanCheck() {}

  /** libjpeg-turbo's stdio source reads the file in chunks of this size (jdatasrc.c INPUT_BUF_SIZE). */
  static final int STDIO_BUFFER = 4096;
  /** Its fast path needs this many bytes per block of the MCU left in that buffer (jdhuff.c BUFSIZE). */
  private static final int FAST_BYTES_PER_BLOCK = 512;
  /** Its bit reader fills the register up to at least this many bits (BIT_BUF_SIZE - 7 on 64-bit). */
  private static final int MIN_GET_BITS = 57;
  private static final int LOOKAHEAD = 8;

  /** What was found: the first problem, and whether libjpeg-turbo prints any warning for the file. */
  public record Problem(String description, boolean libjpegWarns) {}

  /** The first problem in the JPEG's entropy-coded data, as text; empty for sound data or a non-JPEG. */
  public static Optional<String> check(byte[] jpeg) {
    return inspect(jpeg).map(Problem::description);
  }

  /** Same, with whether libjpeg-turbo itself would warn (it misses some bad Huffman codes). */
  public static Optional<Problem> inspect(byte[] jpeg) {
    if (jpeg.length < 4 || (jpeg[0] & 0xff) != 0xff || (jpeg[1] & 0xff) != 0xd8) return Optional.empty();
    Walker w = new Walker(jpeg);
    try {
      w.run();
    } catch (Unsupported | ArrayIndexOutOfBoundsException e) {
      // what follows is not ours to judge (libjpeg will raise its own error, or decode it); a
      // problem found before it stands
    }
    return w.first == null ? Optional.empty() : Optional.of(new Problem(w.first, w.warns));
  }

  /** A file this check does not understand well enough to judge: it says nothing about it. */
  private static final class Unsupported extends Exception {
    Unsupported() {
      super(null, null, false, false);
    }
  }

  /** One Huffman table in the form libjpeg decodes with (ITU T.81 Figure F.15, plus an 8-bit lookahead). */
  private static final class Table {
    final int[] maxCode = new int[18];
    final int[] valOffset = new int[18];
    final int[] values;
    /** (length << 8 | symbol) for each 8-bit prefix, or 9 << 8 when the code is longer (or invalid). */
    final int[] lookup = new int[1 << LOOKAHEAD];

    Table(int[] counts, int[] values) throws Unsupported {
      this.values = values;
      int[] codes = new int[values.length];
      int[] sizes = new int[values.length];
      int p = 0;
      for (int l = 1; l <= 16; l++) for (int i = 0; i < counts[l]; i++) sizes[p++] = l;
      int code = 0, size = p > 0 ? sizes[0] : 0;
      for (int i = 0; i < p; ) {
        while (i < p && sizes[i] == size) codes[i++] = code++;
        if (code >= (1 << size)) throw new Unsupported();   // libjpeg refuses such a table (an error, not ours)
        code <<= 1;
        size++;
      }
      p = 0;
      for (int l = 1; l <= 16; l++) {
        if (counts[l] > 0) {
          valOffset[l] = p - codes[p];
          p += counts[l];
          maxCode[l] = codes[p - 1];
        } else {
          maxCode[l] = -1;
        }
      }
      maxCode[17] = 0xFFFFF;   // stops the bit-by-bit search after 17 bits
      Arrays.fill(lookup, (LOOKAHEAD + 1) << LOOKAHEAD);
      p = 0;
      for (int l = 1; l <= LOOKAHEAD; l++)
        for (int i = 0; i < counts[l]; i++, p++) {
          int first = codes[p] << (LOOKAHEAD - l);
          for (int c = 0; c < 1 << (LOOKAHEAD - l); c++) lookup[first + c] = (l << LOOKAHEAD) | values[p];
        }
    }
  }

  private static final class Component {
    int id, h, v, dcTable, acTable;
  }

  /** Walks the marker segments and decodes each scan. */
  private static final class Walker {
    final byte[] d;
    final Table[] dc = new Table[4], ac = new Table[4];
    Component[] frame;
    int width, height, hMax, vMax, frameMarker = -1;
    int restartInterval;
    int scanNumber;
    /** The first problem found; later ones only matter for {@link #warns}. */
    String first;
    boolean warns;
    /** Bytes a scan's restart handling counted but libjpeg has not reported yet. */
    long pending;
    /** The last scan's bit reader already met the marker after it (libjpeg reads it without a search). */
    boolean endedOnMarker;

    Walker(byte[] d) {
      this.d = d;
    }

    int u8(int i) {
      return d[i] & 0xff;
    }

    int u16(int i) throws Unsupported {
      if (i + 1 >= d.length) throw new Unsupported();
      return (u8(i) << 8) | u8(i + 1);
    }

    void problem(String what, boolean libjpegWarns) {
      if (first == null) first = "corrupt JPEG data: " + what;
      warns |= libjpegWarns;
    }

    void run() throws Unsupported {
      int pos = 2;
      while (true) {
        Marker m = nextMarker(pos);
        if (m == null) throw new Unsupported();   // no EOI: ImageHeader refuses such files
        long discarded = m.discarded;
        if (!endedOnMarker) {
          discarded += pending;
          pending = 0;
        }
        endedOnMarker = false;
        if (discarded > 0) problem(discarded + " extraneous bytes before marker 0x" + hex(m.code), true);
        pos = m.next;
        int code = m.code;
        if (code == 0xd9) break;
        if (code < 0xc0 && code != 0x01 && (code < 0xd0 || code > 0xd7)) break;   // libjpeg stops: "Unsupported marker type"
        if (code == 0xd8 || code == 0x01 || (code >= 0xd0 && code <= 0xd7)) {
          if (code == 0xd8) throw new Unsupported();
          continue;   // a stray RST between segments: libjpeg traces it and goes on
        }
        int length = u16(pos);
        if (length < 2 || pos + length > d.length) throw new Unsupported();
        int body = pos + 2, end = pos + length;
        switch (code) {
          case 0xc4 -> defineTables(body, end);
          case 0xdd -> restartInterval = u16(body);
          case 0xda -> pos = scan(body, end);
          default -> {
            if (code >= 0xc0 && code <= 0xcf && code != 0xc8 && code != 0xcc) frame(code, body, end);
          }
        }
        if (code != 0xda) pos = end;
      }
    }

    void defineTables(int i, int end) throws Unsupported {
      while (i < end) {
        int tc = u8(i) >> 4, th = u8(i) & 15;
        if (tc > 1 || th > 3 || i + 17 > end) throw new Unsupported();
        int[] counts = new int[17];
        int n = 0;
        for (int l = 1; l <= 16; l++) n += counts[l] = u8(i + l);
        if (n > 256 || i + 17 + n > end) throw new Unsupported();
        int[] values = new int[n];
        for (int k = 0; k < n; k++) values[k] = u8(i + 17 + k);
        if (tc == 0) for (int v : values) if (v > 15) throw new Unsupported();
        (tc == 0 ? dc : ac)[th] = new Table(counts, values);
        i += 17 + n;
      }
    }

    void frame(int code, int i, int end) throws Unsupported {
      if (frameMarker >= 0 || i + 6 > end) throw new Unsupported();
      frameMarker = code;
      height = u16(i + 1);
      width = u16(i + 3);
      int n = u8(i + 5);
      if (height == 0 || width == 0 || n == 0 || i + 6 + 3 * n > end) throw new Unsupported();
      frame = new Component[n];
      for (int c = 0; c < n; c++) {
        Component k = new Component();
        k.id = u8(i + 6 + 3 * c);
        k.h = u8(i + 7 + 3 * c) >> 4;
        k.v = u8(i + 7 + 3 * c) & 15;
        if (k.h < 1 || k.h > 4 || k.v < 1 || k.v > 4) throw new Unsupported();
        hMax = Math.max(hMax, k.h);
        vMax = Math.max(vMax, k.v);
        frame[c] = k;
      }
    }

    /** Checks the scan whose header is [i, end); returns the position after its entropy-coded data. */
    int scan(int i, int end) throws Unsupported {
      if (frame == null) throw new Unsupported();
      scanNumber++;
      boolean huffmanSequential = frameMarker == 0xc0 || frameMarker == 0xc1;
      if (!huffmanSequential) return structural(end);
      int n = u8(i);
      if (n < 1 || n > 4 || i + 1 + 2 * n + 3 > end) throw new Unsupported();
      Component[] comps = new Component[n];
      Table[] dcOf = new Table[n], acOf = new Table[n];
      for (int c = 0; c < n; c++) {
        int id = u8(i + 1 + 2 * c), tables = u8(i + 2 + 2 * c);
        for (Component k : frame) if (k.id == id) comps[c] = k;
        if (comps[c] == null || (tables >> 4) > 3 || (tables & 15) > 3) throw new Unsupported();
        dcOf[c] = dc[tables >> 4];
        acOf[c] = ac[tables & 15];
        if (dcOf[c] == null || acOf[c] == null) throw new Unsupported();   // libjpeg's default tables: rare, not judged
      }
      // MCU layout (T.81 A.2): one block per MCU in a single-component scan, h×v blocks per component otherwise
      List<Table> blockDc = new ArrayList<>(), blockAc = new ArrayList<>();
      long mcus;
      if (n == 1) {
        long w = ceilDiv((long) width * comps[0].h, hMax), h = ceilDiv((long) height * comps[0].v, vMax);
        mcus = ceilDiv(w, 8) * ceilDiv(h, 8);
        blockDc.add(dcOf[0]);
        blockAc.add(acOf[0]);
      } else {
        mcus = ceilDiv(width, 8L * hMax) * ceilDiv(height, 8L * vMax);
        for (int c = 0; c < n; c++)
          for (int b = 0; b < comps[c].h * comps[c].v; b++) {
            blockDc.add(dcOf[c]);
            blockAc.add(acOf[c]);
          }
        if (blockDc.size() > 10) throw new Unsupported();   // libjpeg refuses (JERR_BAD_MCU_SIZE)
      }
      return new ScanDecoder(this, end, blockDc.toArray(Table[]::new), blockAc.toArray(Table[]::new), mcus).run();
    }

    /**
     * The structural check for scans whose bit stream is not decoded: the data run to the first
     * marker that is neither a stuffed 0xFF nor RST0–7, and that marker must be one that can
     * follow a scan, with a segment that fits in the file.
     */
    int structural(int i) throws Unsupported {
      while (true) {
        while (i < d.length && u8(i) != 0xff) i++;
        int j = i + 1;
        while (j < d.length && u8(j) == 0xff) j++;
        if (j >= d.length) throw new Unsupported();
        int c = u8(j);
        if (c == 0 || (c >= 0xd0 && c <= 0xd7)) {
          i = j + 1;
          continue;
        }
        boolean known = c == 0xd9 || c == 0xc4 || c == 0xcc || c == 0xda || c == 0xdb || c == 0xdc || c == 0xdd
            || c == 0xfe || (c >= 0xe0 && c <= 0xef);
        if (!known) problem("marker 0x" + hex(c) + " inside the data of scan " + scanNumber + " at byte " + i, true);
        else if (c != 0xd9 && (j + 2 >= d.length || u16(j + 1) < 2 || j + 1 + u16(j + 1) > d.length))
          problem("broken marker segment 0x" + hex(c) + " after scan " + scanNumber + " at byte " + i, true);
        return i;
      }
    }

    /** A marker found the way libjpeg's next_marker finds one, with the bytes it discarded first. */
    record Marker(int code, int next, int discarded) {}

    /** From {@code i}: skips non-marker bytes (counted as libjpeg counts them) up to the next marker. */
    Marker nextMarker(int i) {
      int discarded = 0;
      while (true) {
        while (i < d.length && u8(i) != 0xff) {
          discarded++;
          i++;
        }
        if (i >= d.length) return null;
        while (i < d.length && u8(i) == 0xff) i++;
        if (i >= d.length) return null;
        int c = u8(i++);
        if (c != 0) return new Marker(c, i, discarded);
        discarded += 2;   // a stuffed FF 00 outside a scan
      }
    }
  }

  /**
   * Decodes one sequential Huffman scan the way libjpeg-turbo's jdhuff.c reads it: the same bit
   * register, fills, fast and slow paths, zero bits after a marker, and restart handling, so that
   * the warnings match libjpeg's.
   */
  private static final class ScanDecoder {
    final Walker w;
    final byte[] d;
    final Table[] blockDc, blockAc;
    final long mcus;
    final int restartInterval;

    int pos;              // next byte libjpeg's source would hand to the bit reader
    long bits;            // the bit register
    int bitsLeft;
    int unreadMarker;     // the marker the bit reader ran into (0: none yet)
    int markerAt;         // where that marker's 0xFF is
    boolean insufficient; // libjpeg's insufficient_data: the segment ran out, the rest is grey
    int nextRestart;
    long discarded;       // libjpeg's marker->discarded_bytes

    ScanDecoder(Walker w, int dataStart, Table[] blockDc, Table[] blockAc, long mcus) {
      this.w = w;
      this.d = w.d;
      this.pos = dataStart;
      this.blockDc = blockDc;
      this.blockAc = blockAc;
      this.mcus = mcus;
      this.restartInterval = w.restartInterval;
    }

    String where() {
      return "in scan " + w.scanNumber + " near byte " + Math.max(0, pos - bitsLeft / 8);
    }

    /** Decodes all MCUs; returns the position from which libjpeg looks for the next marker. */
    int run() throws Unsupported {
      long toGo = restartInterval;
      for (long m = 0; m < mcus; m++) {
        boolean fast = true;
        if (restartInterval > 0) {
          if (toGo == 0) {
            restart();
            toGo = restartInterval;
          }
          fast = false;
        }
        if (available() < FAST_BYTES_PER_BLOCK * blockDc.length || unreadMarker != 0) fast = false;
        if (!insufficient) {
          boolean done = false;
          if (fast) {
            int savePos = pos, saveLeft = bitsLeft;
            long saveBits = bits;
            done = mcuFast();
            if (!done) {   // ran into a marker: libjpeg redoes the MCU on the slow path
              pos = savePos;
              bits = saveBits;
              bitsLeft = saveLeft;
              unreadMarker = 0;
            }
          }
          if (!done) mcuSlow();
        }
        if (restartInterval > 0) toGo--;
      }
      // End of scan: libjpeg's read_markers continues from its source position, or from the
      // marker its bit reader already met. Bytes still in the bit register are dropped uncounted.
      w.pending = discarded;   // counted by libjpeg at its next marker search, if any
      w.endedOnMarker = unreadMarker != 0;
      if (unreadMarker != 0) return markerAt;
      return pos;
    }

    /** Bytes left in libjpeg's stdio buffer when the source is at {@code pos} (refilled only when empty and read). */
    int available() {
      if (pos % STDIO_BUFFER == 0) return 0;
      int chunkEnd = (int) Math.min((long) (pos / STDIO_BUFFER + 1) * STDIO_BUFFER, d.length);
      return chunkEnd - pos;
    }

    /** libjpeg's process_restart and read_restart_marker. */
    void restart() throws Unsupported {
      discarded += bitsLeft / 8;
      bitsLeft = 0;
      if (unreadMarker == 0) {
        Walker.Marker m = w.nextMarker(pos);
        if (m == null) throw new Unsupported();
        discarded += m.discarded();
        if (discarded > 0)
          w.problem(discarded + " extraneous bytes before marker 0x" + hex(m.code()) + " in scan " + w.scanNumber, true);
        discarded = 0;
        unreadMarker = m.code();
        markerAt = m.next() - 2;
        pos = m.next();
      }
      if (unreadMarker == 0xd0 + nextRestart) {
        unreadMarker = 0;
      } else {
        w.problem("found marker 0x" + hex(unreadMarker) + " instead of RST" + nextRestart + " in scan " + w.scanNumber
            + " at byte " + markerAt, true);
        resync();
      }
      nextRestart = (nextRestart + 1) & 7;
      if (unreadMarker == 0) insufficient = false;
    }

    /**
     * libjpeg's jpeg_resync_to_restart: a marker that is not RSTn or RSTn±1, 2 (mod 8) ends the
     * scan's data for it (left unread; the rest of the scan is grey); RSTn+1 or +2 is left unread
     * too (the data before it are treated as missing); an earlier RST is skipped and the next
     * marker examined.
     */
    void resync() throws Unsupported {
      while (true) {
        int marker = unreadMarker, desired = nextRestart;
        int action;
        if (marker < 0xc0) action = 2;   // not a valid marker at all: skip it
        else if (marker < 0xd0 || marker > 0xd7) action = 3;
        else if (marker == 0xd0 + ((desired + 1) & 7) || marker == 0xd0 + ((desired + 2) & 7)) action = 3;
        else if (marker == 0xd0 + ((desired - 1) & 7) || marker == 0xd0 + ((desired - 2) & 7)) action = 2;
        else action = 1;
        if (action == 1) {          // discard it and go on as if it were the right one
          unreadMarker = 0;
          return;
        }
        if (action == 3) return;    // leave it: the next segments look empty
        Walker.Marker m = w.nextMarker(pos);   // action 2: skip it, look at the next one
        if (m == null) throw new Unsupported();
        discarded += m.discarded();
        if (discarded > 0)
          w.problem(discarded + " extraneous bytes before marker 0x" + hex(m.code()) + " in scan " + w.scanNumber, true);
        discarded = 0;
        unreadMarker = m.code();
        markerAt = m.next() - 2;
        pos = m.next();
      }
    }

    /**
     * One MCU on libjpeg-turbo's fast path (decode_mcu_fast with HUFF_DECODE_FAST and the 64-bit
     * FILL_BIT_BUFFER_FAST: six bytes whenever 16 bits or fewer are left). A bad code becomes 0
     * without a warning there. Returns false when a fill ran into a marker: libjpeg then redoes
     * the MCU on the slow path. The bit register lives in locals here: this is the hot loop.
     */
    boolean mcuFast() {
      final byte[] d = this.d;
      long bits = this.bits;
      int left = this.bitsLeft, p = this.pos, marker = 0, at = 0;
      String bad = null;
      for (int b = 0; b < blockDc.length; b++) {
        Table t = blockDc[b];
        for (int k = 0; k < 64; k++) {   // k = 0: the DC difference, then the AC coefficients
          if (left <= 16) {
            for (int n = 0; n < 6; n++) {
              int c0 = d[p++] & 0xff;
              bits = (bits << 8) | c0;
              left += 8;
              if (c0 == 0xff) {
                int c1 = d[p++] & 0xff;
                if (c1 != 0) {   // a marker: zero bits instead, and the MCU is redone slowly
                  if (marker == 0) at = p - 2;
                  marker = c1;
                  p -= 2;
                  bits &= ~0xffL;
                }
              }
            }
          }
          int e = t.lookup[(int) (bits >>> (left - LOOKAHEAD)) & 0xff];
          int nb = e >> LOOKAHEAD, s = e & 0xff;
          left -= nb;
          if (nb > LOOKAHEAD) {
            s = (int) (bits >>> left) & ((1 << nb) - 1);
            while (s > t.maxCode[nb]) {
              left--;
              s = (s << 1) | (int) ((bits >>> left) & 1);
              nb++;
            }
            if (nb > 16) {
              if (bad == null) bad = "bad Huffman code in scan " + w.scanNumber + " near byte " + Math.max(0, p - left / 8);
              s = 0;
            } else {
              s = t.values[(s + t.valOffset[nb]) & 0xff];
            }
          }
          int size;
          if (k == 0) {
            size = s;
            t = blockAc[b];
          } else {
            int r = s >> 4;
            size = s & 15;
            if (size == 0) {
              if (r != 15) break;
              k += 15;
              continue;
            }
            k += r;
          }
          if (size != 0) {
            if (left <= 16) {
              for (int n = 0; n < 6; n++) {
                int c0 = d[p++] & 0xff;
                bits = (bits << 8) | c0;
                left += 8;
                if (c0 == 0xff) {
                  int c1 = d[p++] & 0xff;
                  if (c1 != 0) {
                    if (marker == 0) at = p - 2;
                    marker = c1;
                    p -= 2;
                    bits &= ~0xffL;
                  }
                }
              }
            }
            left -= size;
          }
        }
      }
      if (marker != 0) return false;   // the caller restores the state of the MCU's start
      this.bits = bits;
      this.bitsLeft = left;
      this.pos = p;
      if (bad != null) w.problem(bad, false);   // libjpeg-turbo is silent about it here
      return true;
    }

    /**
     * One MCU on libjpeg's slow path (decode_mcu_slow with HUFF_DECODE and jpeg_huff_decode):
     * fills up to {@value #MIN_GET_BITS} bits when a symbol needs more than are left, zero bits
     * after a marker with the "premature end" warning, and a warned bad Huffman code.
     */
    void mcuSlow() {
      long bits = this.bits;
      int left = this.bitsLeft;
      for (int b = 0; b < blockDc.length; b++) {
        Table t = blockDc[b];
        for (int k = 0; k < 64; k++) {
          int s;
          if (left < LOOKAHEAD) {
            this.bits = bits;
            this.bitsLeft = left;
            fill(0);
            bits = this.bits;
            left = this.bitsLeft;
          }
          int e = left < LOOKAHEAD ? 0 : t.lookup[(int) (bits >>> (left - LOOKAHEAD)) & 0xff];
          int nb = e >> LOOKAHEAD;
          if (left >= LOOKAHEAD && nb <= LOOKAHEAD) {
            left -= nb;
            s = e & 0xff;
          } else {   // near a marker, or a code longer than 8 bits (or a bad one): bit by bit
            this.bits = bits;
            this.bitsLeft = left;
            s = huffBits(t, left < LOOKAHEAD ? 1 : nb);
            bits = this.bits;
            left = this.bitsLeft;
          }
          int size;
          if (k == 0) {
            size = s;
            t = blockAc[b];
          } else {
            int r = s >> 4;
            size = s & 15;
            if (size == 0) {
              if (r != 15) break;
              k += 15;
              continue;
            }
            k += r;
          }
          if (size != 0) {
            if (left < size) {
              this.bits = bits;
              this.bitsLeft = left;
              fill(size);
              bits = this.bits;
              left = this.bitsLeft;
            }
            left -= size;
          }
        }
      }
      this.bits = bits;
      this.bitsLeft = left;
    }

    int get(int n) {
      bitsLeft -= n;
      return (int) (bits >>> bitsLeft) & ((1 << n) - 1);
    }

    /** jpeg_huff_decode: the code bit by bit from {@code l} bits on; a bad code is warned about and read as 0. */
    int huffBits(Table t, int l) {
      if (bitsLeft < l) fill(l);
      int code = get(l);
      while (code > t.maxCode[l]) {
        if (bitsLeft < 1) fill(1);
        code = (code << 1) | get(1);
        l++;
      }
      if (l > 16) {
        w.problem("bad Huffman code " + where(), true);
        return 0;
      }
      return t.values[(code + t.valOffset[l]) & 0xff];
    }

    int u8(int i) {
      return d[i] & 0xff;
    }

    /** libjpeg's jpeg_fill_bit_buffer: up to {@value #MIN_GET_BITS} bits, zero bits after a marker. */
    void fill(int nbits) {
      if (unreadMarker == 0) {
        while (bitsLeft < MIN_GET_BITS) {
          if (pos >= d.length) {   // the stdio source inserts an EOI at the end of the file
            unreadMarker = 0xd9;
            markerAt = d.length;
            break;
          }
          int at = pos, c = u8(pos++);
          if (c == 0xff) {
            while (pos < d.length && u8(pos) == 0xff) pos++;
            int next = pos < d.length ? u8(pos++) : 0xd9;
            if (next != 0) {
              unreadMarker = next;
              markerAt = at;
              break;
            }
          }
          bits = (bits << 8) | c;
          bitsLeft += 8;
        }
        if (unreadMarker == 0) return;
      }
      if (nbits > bitsLeft) {
        if (!insufficient) {
          w.problem("premature end of data segment " + where() + " (marker 0x" + hex(unreadMarker) + " at byte "
              + markerAt + ")", true);
          insufficient = true;
        }
        bits <<= MIN_GET_BITS - bitsLeft;
        bitsLeft = MIN_GET_BITS;
      }
    }
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  private static String hex(int b) {
    return String.format("%02x", b);
  }
}
