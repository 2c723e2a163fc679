package hspnet.io;

import static org.bytedeco.pytorch.global.torch.arange;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import hspnet.nn.Tensors;
import hspnet.testutil.NativeScope;
import hspnet.testutil.SafetensorsFiles;

/** The safetensors reader: every supported dtype round-trips; malformed files name the problem. */
@ExtendWith(NativeScope.class)
class SafetensorsReaderTest {
  @TempDir Path dir;

  @Test
  void everySupportedDtypeRoundTrips() throws Exception {
    Tensor base = arange(new Scalar(-3.0), new Scalar(3.0), new Scalar(0.37)).narrow(0, 0, 16).reshape(2, 8);
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put("f32", base);
    tensors.put("f16", base.to(ScalarType.Half));
    tensors.put("bf16", base.to(ScalarType.BFloat16));
    tensors.put("i64", base.mul(new Scalar(100.0)).to(ScalarType.Long));
    tensors.put("scalar", base.sum());
    tensors.put("empty", base.narrow(1, 0, 0).contiguous());
    Path file = dir.resolve("t.safetensors");
    SafetensorsFiles.write(file, tensors);
    Map<String, Tensor> read = SafetensorsReader.read(file);
    assertEquals(List.copyOf(tensors.keySet()), List.copyOf(read.keySet()), "header order");
    for (String k : tensors.keySet()) {
      Tensor want = tensors.get(k), got = read.get(k);
      assertEquals(want.scalar_type().intern(), got.scalar_type().intern(), k);
      assertArrayEquals(Tensors.shape(want), Tensors.shape(got), k);
      assertTrue(want.equal(got), k);
    }
  }

  @Test
  void malformedFilesAreRefusedWithTheReason() throws Exception {
    fails(Files.write(dir.resolve("short"), new byte[] {1, 2, 3}), "too short for a safetensors header");
    ByteBuffer huge = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).put("{}      ".getBytes());
    fails(Files.write(dir.resolve("huge"), huge.array()), "header length 1000 does not fit a file of 16 bytes");
    Path notJson = dir.resolve("notjson");
    SafetensorsFiles.writeRaw(notJson, "{\"a\": [1, 2", new byte[0]);
    fails(notJson, "header is not valid JSON");
    Path array = dir.resolve("array");
    SafetensorsFiles.writeRaw(array, "[1, 2]", new byte[0]);
    fails(array, "not a JSON object");
    Path span = dir.resolve("span");
    SafetensorsFiles.writeRaw(span, "{\"w\": {\"dtype\": \"F32\", \"shape\": [2, 3], \"data_offsets\": [0, 20]}}", new byte[24]);
    fails(span, "entry 'w': F32 [2, 3] needs 24 bytes but data_offsets [0,20] span 20");
    Path partial = dir.resolve("partial");
    SafetensorsFiles.writeRaw(partial, "{\"w\": {\"dtype\": \"F16\", \"shape\": [4]}}", new byte[8]);
    fails(partial, "entry 'w' lacks dtype, shape or data_offsets");
    Path negative = dir.resolve("negative");
    SafetensorsFiles.writeRaw(negative, "{\"w\": {\"dtype\": \"I64\", \"shape\": [-1], \"data_offsets\": [0, 8]}}", new byte[8]);
    fails(negative, "entry 'w' has an invalid shape [-1]");
  }

  private static void fails(Path file, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafetensorsReader.read(file));
    assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains(expected),
        "expected '" + expected + "' in: " + e.getMessage());
  }
}
