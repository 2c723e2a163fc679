package hspnet.clip;

import hspnet.nn.JavaModule;
import hspnet.nn.Registered;
import org.bytedeco.pytorch.EmbeddingImpl;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.Tensor;

import hspnet.nn.Layers;

import static org.bytedeco.pytorch.global.torch.empty;
import org.bytedeco.pytorch.LongOptional;

/**
 * OpenAI's CLIP with either image tower (ModifiedResNet or VisionTransformer, as the architecture
 * says), registered under the original state-dict names
 * ({@code visual.*}, {@code transformer.resblocks.N.*}, {@code token_embedding.weight},
 * {@code positional_embedding}, {@code ln_final.*}, {@code text_projection}, {@code logit_scale}).
 * HSPNet takes its parts: the image tower, the text path, the token embedding for building prompts.
 */
public final class ClipModel extends JavaModule {
  final Tensor positionalEmbedding, textProjection, logitScale;
  final ImageTower visual;
  final Transformer transformer;
  final EmbeddingImpl tokenEmbedding;
  final LayerNormImpl lnFinal;
  private final ClipArch arch;
  private final TextEncoder textEncoder;

  public ClipModel(ClipArch arch) {
    this.arch = arch;
    positionalEmbedding = Registered.parameter(this, "positional_embedding", empty(arch.contextLength(), arch.transformerWidth()));
    textProjection = Registered.parameter(this, "text_projection", empty(arch.transformerWidth(), arch.embedDim()));
    logitScale = Registered.parameter(this, "logit_scale", empty());
    visual = child("visual", imageTower(arch));
    transformer = child("transformer",
        new Transformer(arch.transformerWidth(), arch.transformerLayers(), arch.transformerHeads(), true));
    tokenEmbedding = child("token_embedding", new EmbeddingImpl(arch.vocabSize(), arch.transformerWidth()));
    lnFinal = child("ln_final", Layers.layerNorm(arch.transformerWidth()));
    // made here, not on first use: a first use inside a PointerScope would free it with the scope
    textEncoder = new TextEncoder(this);
  }

  private static ImageTower imageTower(ClipArch arch) {
    if (arch.vision() instanceof ClipArch.ResNet r)
      return new ModifiedResNet(r.layers(), arch.embedDim(), r.heads(), arch.imageResolution(), r.width());
    ClipArch.Vit v = (ClipArch.Vit) arch.vision();
    return new VisionTransformer(arch.imageResolution(), v.patchSize(), v.width(), v.layers(), v.heads(), arch.embedDim());
  }

  public ClipArch arch() { return arch; }

  public ImageTower visual() { return visual; }

  public Tensor logitScale() { return logitScale; }

  /** The text path as a module of its own (shares this model's tensors). */
  public TextEncoder textEncoder() {
    return textEncoder;
  }

  /** Token embeddings of token ids (N, context) → (N, context, width). */
  public Tensor embedTokens(Tensor tokens) {
    return tokenEmbedding.forward(tokens);
  }

  /** CLIP's encode_text: features at the end-of-text token (the largest id in each row). */
  public Tensor encodeText(Tensor tokens, long[][] tokenRows) {
    Tensor eot = tokens.argmax(new LongOptional(-1), false);
    return textEncoder().forward(embedTokens(tokens), eot, usedLength(tokenRows));
  }

  public Tensor encodeImage(Tensor images) {
    return visual.forward(images);
  }

  /** Positions the text tower must run for these prompts: EOT + 1 of the longest. */
  public static long usedLength(long[][] tokenRows) {
    long max = 0;
    for (long[] row : tokenRows) max = Math.max(max, eotPosition(row) + 1);
    return max;
  }

  /** Index of the first largest id (the end-of-text token), as torch's argmax picks it. */
  public static int eotPosition(long[] row) {
    int best = 0;
    for (int i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
    return best;
  }
}
