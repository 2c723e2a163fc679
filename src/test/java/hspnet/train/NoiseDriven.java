package hspnet.train;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;

/**
 * cases.json → train.&lt;variant&gt;.noise_driven: state entries (or parts of them) whose
 * analytically zero gradient is pure float32 rounding noise, so that after training they cannot be
 * compared (fixture README, gotcha 13). An entry names a whole tensor ({@code "slice": null}, the
 * ResNet's attnpool.k_proj.bias) or a slice of its leading dimension (the K third {@code [W:2W]}
 * of a ViT's in_proj_bias); a slice may be written as {@code [start, stop]}, {@code {"start",
 * "stop"}} or {@code "start:stop"}. Anything else is refused rather than silently compared.
 */
final class NoiseDriven {
  /** Leading-dimension range [start, stop) of one entry; stop = -1 means the whole tensor. */
  private record Range(long start, long stop) {}

  private final Map<String, Range> entries = new LinkedHashMap<>();

  NoiseDriven(JsonNode list) {
    for (JsonNode e : list) entries.put(e.get("name").asText(), range(e.path("slice"), e.get("name").asText()));
  }

  boolean contains(String name) {
    return entries.containsKey(name);
  }

  /** True when the whole tensor is noise-driven (nothing left to compare at the usual bound). */
  boolean whole(String name) {
    Range r = entries.get(name);
    return r != null && r.stop() < 0;
  }

  /**
   * Which elements of the flattened tensor are noise-driven.
   *
   * @param shape the tensor's shape (the slice runs over its leading dimension)
   */
  boolean[] mask(String name, long[] shape) {
    long numel = 1;
    for (long s : shape) numel *= s;
    boolean[] out = new boolean[Math.toIntExact(numel)];
    Range r = entries.get(name);
    if (r == null) return out;
    if (r.stop() < 0) {
      Arrays.fill(out, true);
      return out;
    }
    if (shape.length == 0 || r.stop() > shape[0] || r.start() < 0 || r.start() >= r.stop())
      throw new IllegalArgumentException("noise_driven slice [" + r.start() + ":" + r.stop() + "] does not fit "
          + name + " of shape " + Arrays.toString(shape));
    long row = numel / shape[0];
    Arrays.fill(out, (int) (r.start() * row), (int) (r.stop() * row), true);
    return out;
  }

  private static Range range(JsonNode slice, String name) {
    if (slice.isMissingNode() || slice.isNull()) return new Range(0, -1);
    if (slice.isArray() && slice.size() == 2) return new Range(slice.get(0).asLong(), slice.get(1).asLong());
    if (slice.isObject() && slice.has("start") && slice.has("stop"))
      return new Range(slice.get("start").asLong(), slice.get("stop").asLong());
    if (slice.isTextual()) {
      String[] parts = slice.asText().replace("[", "").replace("]", "").split(":");
      if (parts.length == 2) return new Range(Long.parseLong(parts[0].strip()), Long.parseLong(parts[1].strip()));
    }
    throw new IllegalArgumentException("noise_driven entry " + name + ": slice " + slice + " is in no format this test reads");
  }
}
