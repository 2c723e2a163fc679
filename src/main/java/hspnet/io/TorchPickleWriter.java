package hspnet.io;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes the {@code data.pkl} of a state dict the way Python's {@code torch.save} does (pickle
 * protocol 2): an {@code OrderedDict} (or plain dict) name ->
 * {@code _rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict())}, where
 * storage {@code i} is the archive's record {@code data/<i>}.
 */
final class TorchPickleWriter {
  /** One tensor, stored contiguously in its own storage whose key is its position in the list. */
  record Entry(String name, TorchStorageType type, long[] size) {
    long numel() {
      long n = 1;
      for (long s : size) n = Math.multiplyExact(n, s);
      return n;
    }

    long[] contiguousStride() {
      long[] stride = new long[size.length];
      long step = 1;
      for (int i = size.length - 1; i >= 0; i--) {
        stride[i] = step;
        step *= Math.max(size[i], 1);
      }
      return stride;
    }
  }

  /** SETITEMS batch size of Python's pickler (any size loads; this keeps the output familiar). */
  private static final int BATCH = 1000;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final Map<String, Integer> memo = new HashMap<>();

  private TorchPickleWriter() {}

  static byte[] stateDict(List<Entry> entries, boolean orderedDict) {
    TorchPickleWriter w = new TorchPickleWriter();
    w.op(0x80).op(2); // PROTO 2
    if (orderedDict) {
      w.global("collections", "OrderedDict");
      w.op(')').op('R'); // OrderedDict()
    } else {
      w.op('}'); // EMPTY_DICT
    }
    for (int start = 0; start < entries.size(); start += BATCH) {
      w.op('(');
      for (int i = start; i < Math.min(entries.size(), start + BATCH); i++) {
        w.unicode(entries.get(i).name());
        w.tensor(entries.get(i), Integer.toString(i));
      }
      w.op('u'); // SETITEMS
    }
    w.op('.');
    return w.out.toByteArray();
  }

  /**
   * A tree of plain data: {@code Map} with string keys (a dict, in the map's order), {@code List}
   * (a list), String, Long / Integer, Double, Boolean, null, and tensors, each described by
   * {@code tensorEntry} (storage key = its index in {@code entries}, which it appends to).
   */
  static byte[] tree(Object root, Function<Object, Entry> tensorEntry, List<Entry> entries) {
    TorchPickleWriter w = new TorchPickleWriter();
    w.op(0x80).op(2);
    w.value(root, tensorEntry, entries, 0);
    w.op('.');
    return w.out.toByteArray();
  }

  private void value(Object v, Function<Object, Entry> tensorEntry, List<Entry> entries, int depth) {
    if (depth > 64) throw new IllegalArgumentException("data nested more than 64 levels deep");
    if (v == null) {
      op('N');
    } else if (v instanceof Boolean b) {
      op(b ? 0x88 : 0x89);
    } else if (v instanceof Long || v instanceof Integer) {
      integer(((Number) v).longValue());
    } else if (v instanceof Double d) {
      op('G');
      long bits = Double.doubleToRawLongBits(d);
      for (int i = 7; i >= 0; i--) op((int) (bits >>> (8 * i)) & 0xff);
    } else if (v instanceof String str) {
      unicode(str);
    } else if (v instanceof Map<?, ?> m) {
      op('}');
      if (!m.isEmpty()) {
        op('(');
        for (Map.Entry<?, ?> e : m.entrySet()) {
          if (!(e.getKey() instanceof String k)) throw new IllegalArgumentException("dict key " + e.getKey() + " is not a string");
          unicode(k);
          value(e.getValue(), tensorEntry, entries, depth + 1);
        }
        op('u');
      }
    } else if (v instanceof List<?> l) {
      op(']');
      if (!l.isEmpty()) {
        op('(');
        for (Object item : l) value(item, tensorEntry, entries, depth + 1);
        op('e');
      }
    } else {
      Entry e = tensorEntry.apply(v);
      if (e == null) throw new IllegalArgumentException("cannot pickle a " + v.getClass().getSimpleName());
      tensor(e, Integer.toString(entries.size()));
      entries.add(e);
    }
  }

  private void tensor(Entry e, String storageKey) {
    global("torch._utils", "_rebuild_tensor_v2");
    op('(');
    op('('); // persistent id
    memoised("storage");
    global("torch", e.type().className);
    unicode(storageKey);
    memoised("cpu");
    integer(e.numel());
    op('t');
    op('Q'); // BINPERSID
    integer(0); // storage offset
    tuple(e.size());
    tuple(e.contiguousStride());
    op(0x89); // requires_grad False
    global("collections", "OrderedDict");
    op(')').op('R'); // backward_hooks = OrderedDict()
    op('t').op('R');
  }

  private void tuple(long[] values) {
    if (values.length > 3) op('(');
    for (long v : values) integer(v);
    op(switch (values.length) {
      case 0 -> ')';
      case 1 -> 0x85;
      case 2 -> 0x86;
      case 3 -> 0x87;
      default -> 't';
    });
  }

  /** The smallest of BININT1 / BININT2 / BININT / LONG1, as Python's pickler chooses. */
  private void integer(long v) {
    if (v >= 0 && v < 0x100) {
      op('K').op((int) v);
    } else if (v >= 0 && v < 0x10000) {
      op('M').op((int) (v & 0xff)).op((int) (v >>> 8));
    } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
      op('J');
      le32(v);
    } else {
      byte[] be = java.math.BigInteger.valueOf(v).toByteArray(); // minimal two's complement
      op(0x8a).op(be.length);
      for (int i = be.length - 1; i >= 0; i--) op(be[i] & 0xff);
    }
  }

  /** GLOBAL, memoised so that repeated uses are a BINGET as in Python's output. */
  private void global(String module, String name) {
    String key = "c" + module + "\n" + name;
    if (get(key)) return;
    op('c');
    out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    put(key);
  }

  private void memoised(String s) {
    if (get("s" + s)) return;
    unicode(s);
    put("s" + s);
  }

  private void unicode(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    op('X');
    le32(b.length);
    out.writeBytes(b);
  }

  private boolean get(String key) {
    Integer index = memo.get(key);
    if (index == null) return false;
    if (index < 0x100) {
      op('h').op(index);
    } else {
      op('j');
      le32(index);
    }
    return true;
  }

  private void put(String key) {
    int index = memo.size();
    memo.put(key, index);
    if (index < 0x100) {
      op('q').op(index);
    } else {
      op('r');
      le32(index);
    }
  }

  private void le32(long v) {
    for (int i = 0; i < 4; i++) op((int) (v >>> (8 * i)) & 0xff);
  }

  private TorchPickleWriter op(int b) {
    out.write(b);
    return this;
  }
}
