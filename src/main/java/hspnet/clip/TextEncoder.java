package hspnet.clip;

import hspnet.nn.JavaModule;
import hspnet.nn.Registered;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.Tensor;

import hspnet.nn.Ops;
import org.bytedeco.pytorch.Scalar;

/**
 * CLIP's text path from token embeddings onwards: add positions, transformer with causal mask,
 * ln_final, take the end-of-text position, project. HSPNet feeds it prompt embeddings whose context
 * part is learned, so it takes embeddings, not token ids.
 *
 * <p>Because the mask is causal, the feature at the end-of-text position depends only on the
 * positions up to it. The encoder therefore runs on the first {@code length} positions only
 * (EOT + 1 of the longest prompt): the same numbers as the full 77 positions at a fraction of the
 * cost.
 */
public final class TextEncoder extends JavaModule {
  final Tensor positionalEmbedding;
  final Tensor textProjection;
  final Transformer transformer;
  final LayerNormImpl lnFinal;

  /** Shares the given CLIP model's text parameters (the same tensors, not copies). */
  public TextEncoder(ClipModel clip) {
    positionalEmbedding = Registered.parameter(this, "positional_embedding", clip.positionalEmbedding);
    textProjection = Registered.parameter(this, "text_projection", clip.textProjection);
    transformer = child("transformer", clip.transformer);
    lnFinal = child("ln_final", clip.lnFinal);
  }

  /**
   * @param prompts (N, context, width) token embeddings
   * @param eot (N,) int64 end-of-text position of every prompt
   * @param length positions to run: at least max(eot) + 1
   * @return (N, embed_dim) text features
   */
  public Tensor forward(Tensor prompts, Tensor eot, long length) {
    Tensor x = prompts.narrow(1, 0, length).add(positionalEmbedding.narrow(0, 0, length).to(prompts.scalar_type()));
    x = lnFinal.forward(transformer.forward(x));
    long n = x.size(0);
    Tensor rowStart = Ops.arangeLong(n, x).mul(new Scalar(length));
// long scalar: stays int64
    Tensor picked = x.reshape(n * length, x.size(2)).index_select(0, rowStart.add(eot));
    return picked.matmul(textProjection.to(picked.scalar_type()));
  }

  public long width() { return transformer.width; }

  public Transformer transformer() { return transformer; }

  public LayerNormImpl lnFinal() { return lnFinal; }
}
