package hspnet.testutil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Tensor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import hspnet.nn.Tensors;

/** Writes safetensors files for tests (each tensor in its own dtype: F32, F16, BF16 or I64). */
public final class SafetensorsFiles {
  private SafetensorsFiles() {}

  public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode header = json.createObjectNode();
    header.putObject("__metadata__").put("format", "pt");
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      Tensor t = e.getValue().contiguous();
      byte[] bytes = new byte[(int) (t.numel() * t.element_size())];
      if (bytes.length > 0) new BytePointer(t.data_ptr()).capacity(bytes.length).get(bytes);
      ObjectNode entry = header.putObject(e.getKey());
      entry.put("dtype", dtype(t));
      ArrayNode shape = entry.putArray("shape");
      for (long d : Tensors.shape(t)) shape.add(d);
      entry.putArray("data_offsets").add(data.size()).add(data.size() + bytes.length);
      data.write(bytes);
    }
    byte[] head = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(8 + head.length + data.size()).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(head.length).put(head).put(data.toByteArray());
    Files.write(file, out.array());
  }

  /** A file with the given header text and data bytes, for malformed-file tests. */
  public static void writeRaw(Path file, String header, byte[] data) throws IOException {
    byte[] head = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(8 + head.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(head.length).put(head).put(data);
    Files.write(file, out.array());
  }

  private static String dtype(Tensor t) {
    String s = t.scalar_type().intern().toString();
    return switch (s) {
      case "Float" -> "F32";
      case "Half" -> "F16";
      case "BFloat16" -> "BF16";
      case "Long" -> "I64";
      default -> throw new IllegalArgumentException("no safetensors dtype for " + s);
    };
  }
}
