package hspnet.clip;

/**
 * Head counts for a CLIP whose architecture is read from its weights. Weights cannot tell them:
 * OpenAI's build_model assumes 64-wide heads (width / 64 for the transformers, 32·w / 64 for the
 * ResNet attention pool), right for every released model and wrong for small custom ones. A null
 * count means "use that rule".
 *
 * @param vision heads of the image tower (ViT blocks, or the ResNet's attention pool), or null
 * @param text heads of the text transformer, or null
 */
public record ClipHeads(Integer vision, Integer text) {
  /** Both counts by OpenAI's rule. */
  public static final ClipHeads INFERRED = new ClipHeads(null, null);

  public ClipHeads {
    if (vision != null && vision < 1) throw new IllegalArgumentException("vision heads must be at least 1, got " + vision);
    if (text != null && text < 1) throw new IllegalArgumentException("text heads must be at least 1, got " + text);
  }
}
