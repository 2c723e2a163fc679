package hspnet.clip;

import java.util.List;

/**
 * The hyper-parameters of a CLIP model: what OpenAI's build_model infers from a state dict, plus
 * the head counts, which weights cannot tell. The image tower is either a ModifiedResNet or a
 * VisionTransformer ({@link Vision}); the text tower is the same for both.
 */
public record ClipArch(
    int embedDim,
    int imageResolution,
    Vision vision,
    int contextLength,
    int vocabSize,
    int transformerWidth,
    int transformerHeads,
    int transformerLayers) {

  /** The image tower's hyper-parameters. */
  public sealed interface Vision permits ResNet, Vit {
    int width();

    int heads();
  }

  /**
   * A ModifiedResNet: bottleneck blocks per stage, stem width w, attention-pool heads (the pool
   * works on 32·w channels).
   */
  public record ResNet(List<Integer> layers, int width, int heads) implements Vision {
    public ResNet {
      layers = List.copyOf(layers);
      if (layers.size() != 4 || layers.stream().anyMatch(n -> n < 1))
        throw new IllegalArgumentException("vision_layers needs four positive block counts, got " + layers);
      positive("vision_width", width);
      positive("vision_heads", heads);
      if ((width * 32) % heads != 0)
        throw new IllegalArgumentException("the attention pool's width " + width * 32 + " (32 x vision_width) is not a"
            + " multiple of vision_heads " + heads);
    }
  }

  /** A VisionTransformer: blocks, width, patch size, heads. */
  public record Vit(int layers, int width, int patchSize, int heads) implements Vision {
    public Vit {
      positive("vision_layers", layers);
      positive("vision_width", width);
      positive("vision_patch_size", patchSize);
      positive("vision_heads", heads);
      if (width % heads != 0)
        throw new IllegalArgumentException("vision_width " + width + " is not a multiple of vision_heads " + heads);
    }
  }

  public ClipArch {
    positive("embed_dim", embedDim);
    positive("image_resolution", imageResolution);
    positive("context_length", contextLength);
    positive("vocab_size", vocabSize);
    positive("transformer_width", transformerWidth);
    positive("transformer_heads", transformerHeads);
    positive("transformer_layers", transformerLayers);
    if (vision == null) throw new IllegalArgumentException("the image tower's hyper-parameters are missing");
    if (transformerWidth % transformerHeads != 0)
      throw new IllegalArgumentException("transformer_width " + transformerWidth + " is not a multiple of transformer_heads "
          + transformerHeads);
    if (vision instanceof ResNet && imageResolution % 32 != 0)
      throw new IllegalArgumentException("a ResNet CLIP needs an image resolution divisible by 32, got " + imageResolution);
    if (vision instanceof Vit v && imageResolution % v.patchSize() != 0)
      throw new IllegalArgumentException("image resolution " + imageResolution + " is not a multiple of the patch size "
          + v.patchSize());
  }

  /** A CLIP with a ModifiedResNet image tower (the argument order of OpenAI's CLIP constructor). */
  public static ClipArch resNet(int embedDim, int imageResolution, List<Integer> visionLayers, int visionWidth,
      int visionHeads, int contextLength, int vocabSize, int transformerWidth, int transformerHeads, int transformerLayers) {
    return new ClipArch(embedDim, imageResolution, new ResNet(visionLayers, visionWidth, visionHeads), contextLength,
        vocabSize, transformerWidth, transformerHeads, transformerLayers);
  }

  /** A CLIP with a VisionTransformer image tower. */
  public static ClipArch vit(int embedDim, int imageResolution, int visionLayers, int visionWidth, int patchSize,
      int visionHeads, int contextLength, int vocabSize, int transformerWidth, int transformerHeads, int transformerLayers) {
    return new ClipArch(embedDim, imageResolution, new Vit(visionLayers, visionWidth, patchSize, visionHeads), contextLength,
        vocabSize, transformerWidth, transformerHeads, transformerLayers);
  }

  /** OpenAI's rule for the attention pool: 32·w/64 heads (at least one for tiny models). */
  public static int defaultVisionHeads(int visionWidth) {
    return Math.max(1, visionWidth * 32 / 64);
  }

  private static void positive(String name, int value) {
    if (value < 1) throw new IllegalArgumentException(name + " must be at least 1, got " + value);
  }
}
