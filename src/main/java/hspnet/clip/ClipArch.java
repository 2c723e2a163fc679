package hspnet.clip;

import java.util.List;

/**
 * The hyper-parameters of a CLIP model with a ModifiedResNet image tower (what OpenAI's
 * build_model infers from a state dict, plus the head counts, which weights cannot tell).
 */
public record ClipArch(
    int embedDim,
    int imageResolution,
    List<Integer> visionLayers,
    int visionWidth,
    int visionHeads,
    int contextLength,
    int vocabSize,
    int transformerWidth,
    int transformerHeads,
    int transformerLayers) {

  public ClipArch {
    visionLayers = List.copyOf(visionLayers);
    if (visionLayers.size() != 4) throw new IllegalArgumentException("vision_layers needs 4 stages, got " + visionLayers);
    if (imageResolution % 32 != 0)
      throw new IllegalArgumentException("a ResNet CLIP needs an image resolution divisible by 32, got " + imageResolution);
    if (transformerWidth % transformerHeads != 0 || (visionWidth * 32) % visionHeads != 0)
      throw new IllegalArgumentException("widths must be multiples of the head counts");
  }

  /** OpenAI's rule for the attention pool: 32·w/64 heads (at least one for tiny models). */
  public static int defaultVisionHeads(int visionWidth) {
    return Math.max(1, visionWidth * 32 / 64);
  }
}
