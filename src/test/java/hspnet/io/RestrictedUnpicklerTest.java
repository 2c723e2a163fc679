package hspnet.io;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import java.io.ByteArrayOutputStream;

/** The opcodes that the fixtures do not exercise, on pickles written by CPython's own pickler. */
class RestrictedUnpicklerTest {
  // Written by CPython 3.11:
  //   obj = {'ints': [0, 255, 256, 65535, 65536, -1, -2**31, 2**31, 2**40, -2**40, 2**63-1],
  //          'more': (1.5, -0.25, True, False, None, 'café'), 't4': (1, 2, 3, 4)}
  //   pickle.dumps(collections.OrderedDict(obj), protocol=P).hex()
  private static final String PROTOCOL_2 = "800263636f6c6c656374696f6e730a4f726465726564446963740a7100295271012858040000"
      + "00696e747371025d7103284b004bff4d00014dffff4a000001004affffffff4a000000808a0500000080008a060000000000018a060000"
      + "000000ff8a08ffffffffffffff7f6558040000006d6f7265710428473ff800000000000047bfd000000000000088894e58050000006361"
      + "66c3a97105747106580200000074347107284b014b024b034b04747108752e";
  private static final String PROTOCOL_4 = "800495a0000000000000008c0b636f6c6c656374696f6e73948c0b4f726465726564446963"
      + "74949394295294288c04696e7473945d94284b004bff4d00014dffff4a000001004affffffff4a000000808a0500000080008a06000000"
      + "0000018a060000000000ff8a08ffffffffffffff7f658c046d6f72659428473ff800000000000047bfd000000000000088894e8c056361"
      + "66c3a99474948c02743494284b014b024b034b047494752e";

  @Test
  void decodesCPythonPicklesOfProtocols2And4() {
    for (String hex : List.of(PROTOCOL_2, PROTOCOL_4)) {
      Object top = RestrictedUnpickler.load(HexFormat.of().parseHex(hex));
      RestrictedUnpickler.Dict d = assertInstanceOf(RestrictedUnpickler.Dict.class, top);
      assertTrue(d.ordered);
      assertEquals(List.of("ints", "more", "t4"), new ArrayList<>(d.keySet()));
      assertEquals(List.of(0L, 255L, 256L, 65535L, 65536L, -1L, -(1L << 31), 1L << 31, 1L << 40, -(1L << 40),
          Long.MAX_VALUE), d.get("ints"));
      assertEquals(Arrays.asList(1.5, -0.25, true, false, null, "café"),
          ((RestrictedUnpickler.Tuple) d.get("more")).items());
      assertEquals(List.of(1L, 2L, 3L, 4L), ((RestrictedUnpickler.Tuple) d.get("t4")).items());
    }
  }

  @Test
  void decodesHandWrittenOpcodes() {
    // {'a': 'xyz' (SHORT_BINSTRING), 'b': 'ok' (BINSTRING), 'c': [('xyz',)] via memo, TUPLE2/3, APPEND}
    byte[] p = bytes(0x80, 2, '}', 'r', 7, 0, 0, 0, // EMPTY_DICT, LONG_BINPUT 7
        'X', 1, 0, 0, 0, 'a', 'U', 3, 'x', 'y', 'z', 'q', 1, 's', // SETITEM a -> 'xyz', memo 1
        'X', 1, 0, 0, 0, 'b', 'T', 2, 0, 0, 0, 'o', 'k', 's',
        'X', 1, 0, 0, 0, 'c', ']', 'h', 1, 0x85, 'a', 's', // [('xyz',)]
        'X', 1, 0, 0, 0, 'd', 'K', 1, 'K', 2, 0x86, 'K', 1, 'K', 2, 'K', 3, 0x87, 0x86, 's',
        'j', 7, 0, 0, 0, '0', // LONG_BINGET 7 then POP: memo holds the dict itself
        '.');
    RestrictedUnpickler.Dict d = (RestrictedUnpickler.Dict) RestrictedUnpickler.load(p);
    assertFalse(d.ordered);
    assertEquals("xyz", d.get("a"));
    assertEquals("ok", d.get("b"));
    assertEquals(List.of(new RestrictedUnpickler.Tuple(List.of("xyz"))), d.get("c"));
    RestrictedUnpickler.Tuple pair = (RestrictedUnpickler.Tuple) d.get("d");
    assertEquals(List.of(1L, 2L), ((RestrictedUnpickler.Tuple) pair.items().get(0)).items());
    assertEquals(List.of(1L, 2L, 3L), ((RestrictedUnpickler.Tuple) pair.items().get(1)).items());
  }

  @Test
  void reportsMalformedPicklesWithTheirPosition() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RestrictedUnpickler.load(bytes(0x80, 2, 'X', 9, 0, 0, 0, 'a')));
    assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("byte 2"), e.getMessage());

    e = assertThrows(IllegalArgumentException.class, () -> RestrictedUnpickler.load(bytes(0x80, 2, 'N')));
    assertTrue(e.getMessage().contains("without STOP"), e.getMessage());

    e = assertThrows(IllegalArgumentException.class, () -> RestrictedUnpickler.load(bytes(0x80, 2, 'I', '1', '\n', '.')));
    assertTrue(e.getMessage().contains("unsupported pickle opcode 0x49"), e.getMessage());

    // BUILD may only set the attributes of an OrderedDict (the _metadata of a state dict)
    e = assertThrows(IllegalArgumentException.class, () -> RestrictedUnpickler.load(bytes(0x80, 2, ']', '}', 'b', '.')));
    assertTrue(e.getMessage().contains("BUILD on ArrayList"), e.getMessage());

    // a REDUCE of a storage class (only persistent ids may name storages)
    byte[] storageCall = concat(bytes(0x80, 2, 'c'), "torch\nFloatStorage\n".getBytes(), bytes(')', 'R', '.'));
    e = assertThrows(IllegalArgumentException.class, () -> RestrictedUnpickler.load(storageCall));
    assertTrue(e.getMessage().contains("REDUCE calls torch.FloatStorage"), e.getMessage());
  }

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < b.length; i++) b[i] = (byte) values[i];
    return b;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
  }
}
