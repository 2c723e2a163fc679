package hspnet.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code clip_arch} mapping: the architecture of a randomly initialised CLIP (ModifiedResNet
 * image tower, causal text transformer), for {@code clip_model: random}.
 */
public record RandomClipArch(List<Integer> visionLayers, int visionWidth, Optional<Integer> visionHeads, int embedDim,
    int contextLength, int transformerWidth, int transformerHeads, int transformerLayers) {

  /** The mapping checked and typed when clip_model is 'random'; empty otherwise. */
  static Optional<RandomClipArch> of(RunConfig c, Object value) {
    if (!c.randomClip()) return Optional.empty();
    if (value == null) throw c.error("clip_model", "is 'random', which needs a clip_arch mapping");
    Map<String, Object> m = RunConfig.mapping(value);
    for (KeySpec s : ConfigKeys.CLIP_ARCH_KEYS) {
      if (s.required() && !m.containsKey(s.name())) throw c.error("clip_arch", "misses '" + s.name() + "' (" + s.description() + ")");
      if (s.type() == KeyType.INT && m.containsKey(s.name()) && (Integer) m.get(s.name()) < 1)
        throw c.error("clip_arch", s.name() + " must be positive, got " + m.get(s.name()));
    }
    List<Integer> layers = List.copyOf(RunConfig.intList(m.get("vision_layers")));
    if (layers.size() != 4 || layers.stream().anyMatch(n -> n < 1))
      throw c.error("clip_arch", "vision_layers must list four positive block counts, got " + layers);
    RandomClipArch a = new RandomClipArch(layers, (Integer) m.get("vision_width"), Optional.ofNullable((Integer) m.get("vision_heads")),
        (Integer) m.get("embed_dim"), (Integer) m.get("context_length"), (Integer) m.get("transformer_width"),
        (Integer) m.get("transformer_heads"), (Integer) m.get("transformer_layers"));
    if (a.transformerWidth % a.transformerHeads != 0)
      throw c.error("clip_arch", "transformer_width must be a multiple of transformer_heads");
    return Optional.of(a);
  }
}
