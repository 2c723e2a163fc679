package hspnet.io;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.nio.charset.Charset;

/**
 * Reads the {@code data.pkl} of a {@code torch.save} archive without executing anything: only the
 * opcodes a state dict needs are understood, and GLOBAL may only name the handful of callables that
 * rebuild tensors and dicts. A Python pickle is a program; running an arbitrary one (as Python's
 * {@code pickle} would) is how malicious checkpoints execute code, so anything else is refused.
 *
 * <p>Tensors come out as {@link TensorRecord}s (where their elements are), not as tensors: the
 * caller reads the storage records afterwards.
 *
 * <p>TorchScript archives ({@link #loadScript}) pickle their modules as objects of classes
 * {@code __torch__.*} whose methods live in the archive's {@code code/} folder. Here such a class
 * is only a name: NEWOBJ makes a plain {@link ScriptObject} and BUILD fills its attribute dict.
 * No code of the archive is read or run; a class whose state is not an attribute dict (one that
 * restores itself through {@code __setstate__}) is refused.
 *
 * <p>Bounds: the result may nest at most {@value #MAX_DEPTH} containers deep and may not contain
 * itself; at most {@value #MAX_OBJECTS} objects are made; dict keys must be immutable values
 * (strings, numbers, tuples of them), as Python requires.
 */
final class RestrictedUnpickler {
  /** A Python tuple (kept apart from lists, which are mutable and take APPEND). */
  record Tuple(List<Object> items) {}

  /** A Python dict; {@code ordered} records whether it was a {@code collections.OrderedDict}. */
  static final class Dict extends LinkedHashMap<Object, Object> {
    final boolean ordered;

    Dict(boolean ordered) {
      this.ordered = ordered;
    }
  }

  /** A TorchScript class named by a GLOBAL {@code __torch__.*}: nothing but its qualified name. */
  record ScriptClass(String name) {}

  /** An object of a TorchScript class: its class name and the attributes BUILD gave it. */
  static final class ScriptObject {
    final String className;
    final Dict attributes = new Dict(false);

    ScriptObject(String className) {
      this.className = className;
    }
  }

  static final int MAX_DEPTH = 200;
  static final int MAX_OBJECTS = 4_000_000;

  /** What a storage's persistent id says: {@code ('storage', torch.XStorage, key, location, numel)}. */
  record StorageRef(String key, TorchStorageType type, String location, long numel) {}

  /** The callables GLOBAL may name (storage classes are {@link TorchStorageType} values). */
  enum Callable {
    ORDERED_DICT("collections", "OrderedDict"),
    REBUILD_TENSOR_V2("torch._utils", "_rebuild_tensor_v2"),
    REBUILD_PARAMETER("torch._utils", "_rebuild_parameter"),
    /** LibTorch's {@code pickle_save} wraps typed containers in it; it returns its first argument. */
    RESTORE_TYPE_TAG("torch.jit._pickle", "restore_type_tag");

    final String module;
    final String name;

    Callable(String module, String name) {
      this.module = module;
      this.name = name;
    }
  }

  private static final Object MARK_SENTINEL = new Object();

  private final byte[] data;
  private int pos;
  private final List<Object> stack = new ArrayList<>();
  private final List<Integer> marks = new ArrayList<>();
  private final Map<Long, Object> memo = new HashMap<>();
  private final boolean scriptObjects;
  private long made;

  private RestrictedUnpickler(byte[] data, boolean scriptObjects) {
    this.data = data;
    this.scriptObjects = scriptObjects;
  }

  /**
   * Runs the pickle and returns the object it builds; None is Java null, everywhere.
   *
   * @throws IllegalArgumentException for malformed pickles, unsupported opcodes and forbidden globals,
   *     with the byte offset of the offending opcode
   */
  static Object load(byte[] pickle) {
    return checked(new RestrictedUnpickler(pickle, false).run());
  }

  /** As {@link #load}, also accepting the {@code __torch__.*} objects of a TorchScript archive's data.pkl. */
  static Object loadScript(byte[] pickle) {
    return checked(new RestrictedUnpickler(pickle, true).run());
  }

  private Object run() {
    while (true) {
      if (pos >= data.length) throw new IllegalArgumentException("pickle ends without STOP (truncated?)");
      int at = pos;
      int op = u8();
      try {
        if (op == '.') {
          if (stack.size() != 1)
            throw new IllegalArgumentException("STOP with " + stack.size() + " objects on the stack");
          return stack.get(0);
        }
        step(op);
      } catch (IllegalArgumentException | ArithmeticException e) {
        throw new IllegalArgumentException(e.getMessage() + " (opcode 0x" + Integer.toHexString(op) + " at byte " + at
            + " of the pickle)", e);
      } catch (IndexOutOfBoundsException e) {
        throw new IllegalArgumentException("pickle ends inside opcode 0x" + Integer.toHexString(op) + " at byte " + at
            + " (truncated?)", e);
      }
    }
  }

  private void step(int op) {
    switch (op) {
      case 0x80 -> { // PROTO
        int proto = u8();
        if (proto > 5) throw new IllegalArgumentException("pickle protocol " + proto + " is not supported");
      }
      case 0x95 -> pos += 8; // FRAME (protocol 4): framing carries no objects
      case '(' -> { // MARK
        marks.add(stack.size());
        stack.add(MARK_SENTINEL);
      }
      case '0' -> pop(); // POP
      case '1' -> popMark(); // POP_MARK
      case 'N' -> push(null);
      case 0x88 -> push(Boolean.TRUE); // NEWTRUE
      case 0x89 -> push(Boolean.FALSE); // NEWFALSE
      case 'K' -> push((long) u8()); // BININT1
      case 'M' -> push((long) (u8() | u8() << 8)); // BININT2
      case 'J' -> push((long) i32()); // BININT
      case 0x8a -> push(long1(u8())); // LONG1
      case 'G' -> push(Double.longBitsToDouble(beLong())); // BINFLOAT (big-endian, unlike the rest)
      case 'X' -> push(string(len32(), StandardCharsets.UTF_8)); // BINUNICODE
      case 0x8c -> push(string(u8(), StandardCharsets.UTF_8)); // SHORT_BINUNICODE
      case 'T' -> push(string(len32(), StandardCharsets.ISO_8859_1)); // BINSTRING
      case 'U' -> push(string(u8(), StandardCharsets.ISO_8859_1)); // SHORT_BINSTRING
      case ')' -> push(new Tuple(List.of())); // EMPTY_TUPLE
      case 0x85 -> push(tupleOf(1)); // TUPLE1
      case 0x86 -> push(tupleOf(2)); // TUPLE2
      case 0x87 -> push(tupleOf(3)); // TUPLE3
      case 't' -> push(new Tuple(Collections.unmodifiableList(popMark()))); // TUPLE
      case ']' -> push(new ArrayList<>()); // EMPTY_LIST
      case '}' -> push(new Dict(false)); // EMPTY_DICT
      case 'a' -> { // APPEND
        Object item = pop();
        list(peek()).add(item);
      }
      case 'e' -> { // APPENDS
        List<Object> items = popMark();
        list(peek()).addAll(items);
      }
      case 's' -> { // SETITEM
        Object value = pop();
        Object key = pop();
        dict(peek()).put(key(key), value);
      }
      case 'u' -> { // SETITEMS
        List<Object> kv = popMark();
        if (kv.size() % 2 != 0) throw new IllegalArgumentException("SETITEMS with an odd number of objects");
        Dict d = dict(peek());
        for (int i = 0; i < kv.size(); i += 2) d.put(key(kv.get(i)), kv.get(i + 1));
      }
      case 'q' -> memo.put((long) u8(), peek()); // BINPUT
      case 'r' -> memo.put(len32(), peek()); // LONG_BINPUT
      case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
      case 'h' -> push(memoGet(u8())); // BINGET
      case 'j' -> push(memoGet(len32())); // LONG_BINGET
      case 'c' -> push(global(line(), line())); // GLOBAL
      case 0x93 -> { // STACK_GLOBAL (protocol 4)
        Object name = pop();
        Object module = pop();
        if (!(module instanceof String m) || !(name instanceof String n))
          throw new IllegalArgumentException("STACK_GLOBAL needs two strings");
        push(global(m, n));
      }
      case 'Q' -> push(persistentLoad(pop())); // BINPERSID
      case 'R' -> { // REDUCE
        Object args = pop();
        Object callable = pop();
        if (!(args instanceof Tuple t)) throw new IllegalArgumentException("REDUCE arguments are not a tuple");
        push(reduce(callable, t.items()));
      }
      case 'b' -> { // BUILD
        Object state = pop();
        build(peek(), state);
      }
      case 0x81 -> { // NEWOBJ: cls.__new__(cls, *args), for TorchScript classes only
        Object args = pop();
        Object cls = pop();
        if (!(cls instanceof ScriptClass c))
          throw new IllegalArgumentException("NEWOBJ of " + describe(cls) + ": only TorchScript classes are made this way");
        if (!(args instanceof Tuple t) || !t.items().isEmpty())
          throw new IllegalArgumentException("NEWOBJ of " + c.name() + " with arguments");
        push(new ScriptObject(c.name()));
      }
      default -> throw new IllegalArgumentException("unsupported pickle opcode 0x" + Integer.toHexString(op)
          + (op >= 0x20 && op < 0x7f ? " ('" + (char) op + "')" : "")
          + ": not something torch.save writes for a state dict");
    }
  }

  private Object global(String module, String name) {
    if (scriptObjects && (module.equals("__torch__") || module.startsWith("__torch__.")))
      return new ScriptClass(module + "." + name);
    for (Callable c : Callable.values())
      if (c.module.equals(module) && c.name.equals(name)) return c;
    if (module.equals("torch")) {
      TorchStorageType t = TorchStorageType.ofClassName(name);
      if (t != null) return t;
    }
    throw new IllegalArgumentException("forbidden global '" + module + "." + name
        + "': only tensors, storages and (Ordered)dicts may be unpickled");
  }

  private static Object persistentLoad(Object pid) {
    if (!(pid instanceof Tuple t) || t.items().size() != 5 || !"storage".equals(t.items().get(0)))
      throw new IllegalArgumentException("persistent id " + describe(pid)
          + " is not ('storage', torch.<X>Storage, key, location, numel)");
    List<Object> f = t.items();
    if (!(f.get(1) instanceof TorchStorageType type))
      throw new IllegalArgumentException("persistent id names storage type " + describe(f.get(1))
          + ", not one of torch." + Arrays.stream(TorchStorageType.values()).map(s -> s.className).toList());
    if (!(f.get(2) instanceof String key) || !(f.get(3) instanceof String location))
      throw new IllegalArgumentException("persistent id " + describe(pid) + " has no string key and location");
    return new StorageRef(key, type, location, asLong(f.get(4), "storage numel"));
  }

  private static Object reduce(Object callable, List<Object> args) {
    if (!(callable instanceof Callable c))
      throw new IllegalArgumentException("REDUCE calls " + describe(callable) + ", which is not callable here");
    return switch (c) {
      case ORDERED_DICT -> {
        if (!args.isEmpty()) throw new IllegalArgumentException("OrderedDict called with arguments " + args);
        yield new Dict(true);
      }
      case RESTORE_TYPE_TAG -> {
        if (args.isEmpty()) throw new IllegalArgumentException("restore_type_tag called without arguments");
        yield args.get(0);
      }
      case REBUILD_PARAMETER -> {
        // (data, requires_grad, backward_hooks): a Parameter is its data for loading purposes
        if (args.size() < 1 || !(args.get(0) instanceof TensorRecord r))
          throw new IllegalArgumentException("_rebuild_parameter without a tensor argument");
        yield r.withRequiresGrad(args.size() < 2 || Boolean.TRUE.equals(args.get(1)));
      }
      case REBUILD_TENSOR_V2 -> rebuildTensor(args);
    };
  }

  private static TensorRecord rebuildTensor(List<Object> args) {
    // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
    if (args.size() < 4 || args.size() > 7)
      throw new IllegalArgumentException("_rebuild_tensor_v2 called with " + args.size() + " arguments");
    if (!(args.get(0) instanceof StorageRef s))
      throw new IllegalArgumentException("_rebuild_tensor_v2 without a storage (got " + describe(args.get(0)) + ")");
    return new TensorRecord(s.key(), s.type(), s.numel(), asLong(args.get(1), "storage offset"),
        longs(args.get(2), "size"), longs(args.get(3), "stride"), args.size() > 4 && Boolean.TRUE.equals(args.get(4)));
  }

  private static void build(Object target, Object state) {
    // torch.save(module.state_dict()) sets the OrderedDict's _metadata attribute (module versions)
    // through BUILD. Attributes are not entries, and loading needs none of them.
    if (target instanceof Dict d && d.ordered && (state instanceof Dict || state == null)) return;
    if (target instanceof ScriptObject o) {
      if (!(state instanceof Dict attributes))
        throw new IllegalArgumentException("TorchScript class " + o.className + " restores its state from "
            + describe(state) + " through __setstate__ code, which this reader does not run");
      for (Map.Entry<Object, Object> e : attributes.entrySet()) {
        if (!(e.getKey() instanceof String name))
          throw new IllegalArgumentException("attribute name " + describe(e.getKey()) + " of " + o.className + " is not a string");
        o.attributes.put(name, e.getValue());
      }
      return;
    }
    throw new IllegalArgumentException("BUILD on " + describe(target) + " is not supported");
  }

  private static long[] longs(Object o, String what) {
    if (!(o instanceof Tuple t)) throw new IllegalArgumentException(what + " is not a tuple: " + describe(o));
    long[] r = new long[t.items().size()];
    for (int i = 0; i < r.length; i++) r[i] = asLong(t.items().get(i), what);
    return r;
  }

  private static long asLong(Object o, String what) {
    if (o instanceof Long l) return l;
    throw new IllegalArgumentException(what + " is not an int: " + describe(o));
  }

  static String describe(Object o) {
    if (o == null) return "None";
    if (o instanceof Callable c) return c.module + "." + c.name;
    if (o instanceof ScriptClass c) return "class " + c.name();
    if (o instanceof ScriptObject so) return "a " + so.className + " object";
    if (o instanceof TorchStorageType t) return "torch." + t.className;
    if (o instanceof String s) return "'" + s + "'";
    if (o instanceof Long || o instanceof Double || o instanceof Boolean || o instanceof BigInteger) return o.toString();
    return o.getClass().getSimpleName();
  }

  private Tuple tupleOf(int n) {
    if (stack.size() - n < (marks.isEmpty() ? 0 : marks.get(marks.size() - 1) + 1))
      throw new IllegalArgumentException("stack underflow");
    List<Object> top = stack.subList(stack.size() - n, stack.size());
    Tuple t = new Tuple(Collections.unmodifiableList(new ArrayList<>(top)));
    top.clear();
    return t;
  }

  private List<Object> popMark() {
    if (marks.isEmpty()) throw new IllegalArgumentException("no MARK on the stack");
    int m = marks.remove(marks.size() - 1);
    List<Object> top = stack.subList(m + 1, stack.size());
    List<Object> items = new ArrayList<>(top);
    stack.subList(m, stack.size()).clear();
    return items;
  }

  private void push(Object o) {
    if (++made > MAX_OBJECTS)
      throw new IllegalArgumentException("the pickle makes more than " + MAX_OBJECTS + " objects; refused");
    stack.add(o);
  }

  /** A dict key: an immutable value, as Python's dicts require (tuples nest at most a few levels). */
  private static Object key(Object k) {
    checkKey(k, 0);
    return k;
  }

  private static void checkKey(Object k, int depth) {
    if (depth > 8) throw new IllegalArgumentException("dict key nests tuples more than 8 deep");
    if (k == null || k instanceof String || k instanceof Long || k instanceof Double || k instanceof Boolean
        || k instanceof BigInteger) return;
    if (k instanceof Tuple t) {
      for (Object item : t.items()) checkKey(item, depth + 1);
      return;
    }
    throw new IllegalArgumentException("dict key " + describe(k) + " is not an immutable value");
  }

  /**
   * The result, after checking that it nests at most {@value #MAX_DEPTH} deep and contains no
   * cycle (a list or dict that holds itself): the readers walk it recursively.
   */
  private static Object checked(Object root) {
    height(root, 0, new IdentityHashMap<>(), new IdentityHashMap<>());
    return root;
  }

  /** Containers below {@code o} on its longest path; {@code onPath} marks the current ancestors. */
  private static int height(Object o, int depth, IdentityHashMap<Object, Integer> known, IdentityHashMap<Object, Boolean> onPath) {
    List<?> children = children(o);
    if (children == null) return 0;
    Integer h = known.get(o);
    if (h == null) {
      if (onPath.containsKey(o))
        throw new IllegalArgumentException("the pickle builds " + (o instanceof ScriptObject ? describe(o) : "a " + describe(o))
            + " that contains itself; refused");
      if (depth >= MAX_DEPTH)
        throw new IllegalArgumentException("the pickle nests containers more than " + MAX_DEPTH + " deep; refused");
      onPath.put(o, Boolean.TRUE);
      int max = 0;
      for (Object c : children) max = Math.max(max, height(c, depth + 1, known, onPath));
      onPath.remove(o);
      h = max + 1;
      known.put(o, h);
    }
    if (depth + h > MAX_DEPTH)
      throw new IllegalArgumentException("the pickle nests containers more than " + MAX_DEPTH + " deep; refused");
    return h;
  }

  private static List<?> children(Object o) {
    if (o instanceof Tuple t) return t.items();
    if (o instanceof List<?> l) return l;
    if (o instanceof Dict d) {
      List<Object> c = new ArrayList<>(d.keySet());
      c.addAll(d.values());
      return c;
    }
    if (o instanceof ScriptObject so) return new ArrayList<>(so.attributes.values());
    return null;
  }

  private Object pop() {
    Object o = peek();
    stack.remove(stack.size() - 1);
    return o;
  }

  private Object peek() {
    if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK_SENTINEL)
      throw new IllegalArgumentException("stack underflow");
    return stack.get(stack.size() - 1);
  }

  private Object memoGet(long index) {
    if (!memo.containsKey(index)) throw new IllegalArgumentException("memo entry " + index + " was never stored");
    return memo.get(index);
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    if (o instanceof ArrayList<?> l) return (List<Object>) l;
    throw new IllegalArgumentException("APPEND to " + describe(o) + ", not a list");
  }

  private static Dict dict(Object o) {
    if (o instanceof Dict d) return d;
    throw new IllegalArgumentException("SETITEM on " + describe(o) + ", not a dict");
  }

  private int u8() {
    return data[pos++] & 0xff;
  }

  private int i32() {
    return u8() | u8() << 8 | u8() << 16 | u8() << 24;
  }

  private long len32() {
    return i32() & 0xffffffffL;
  }

  private long beLong() {
    long v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | u8();
    return v;
  }

  /** LONG1: n bytes of little-endian two's complement; a long when it fits (every size and offset). */
  private Object long1(int n) {
    if (n > data.length - pos) throw new IndexOutOfBoundsException();
    byte[] be = new byte[Math.max(n, 1)];
    for (int i = 0; i < n; i++) be[n - 1 - i] = data[pos + i];
    pos += n;
    BigInteger v = n == 0 ? BigInteger.ZERO : new BigInteger(be);
    return v.bitLength() < 64 ? (Object) v.longValue() : v;
  }

  private String string(long length, Charset charset) {
    if (length > data.length - pos) throw new IndexOutOfBoundsException();
    String s = new String(data, pos, (int) length, charset);
    pos += (int) length;
    return s;
  }

  private String line() {
    int end = pos;
    while (data[end] != '\n') end++;
    String s = new String(data, pos, end - pos, StandardCharsets.UTF_8);
    pos = end + 1;
    return s;
  }
}
