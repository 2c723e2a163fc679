package hspnet.model;

import hspnet.nn.JavaModule;
import hspnet.nn.Registered;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import hspnet.clip.ClipModel;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch.ScalarType;
import hspnet.nn.Tensors;

/**
 * The group ("parent") prompts "a photo of a {group}.": their token embeddings are computed once
 * and kept as a fixed buffer ({@code embedding}); the text encoder turns them into group features.
 * {@code ctx}, {@code token_prefix}, {@code token_suffix} and {@code token_middle} exist because the
 * original registers them (the forward pass never reads them; ctx gets no gradient and the
 * optimizer leaves it untouched); keeping them keeps checkpoints interchangeable.
 */
public final class ParentPromptLearner extends JavaModule {
  final Tensor ctx, embedding;
  /** End-of-text positions (a plain field, moved with the model by {@link #indicesTo}). */
  Tensor eot;
  final long length;

  /**
   * @param embedding (G, context, width) token embeddings of the group prompts
   * @param tokens the tokenized group prompts
   */
  ParentPromptLearner(Tensor embedding, long[][] tokens, int nCtx) {
    Tensor e;
    try (NoGradGuard g = new NoGradGuard()) {
      e = embedding.detach().clone();
    }
    // ctx: the embeddings of the context words of the first prompt, learnable (but unused)
    ctx = Registered.parameter(this, "ctx", e.get(0).narrow(0, 1, nCtx).clone());
    Registered.buffer(this, "token_prefix", e.narrow(1, 0, 1));
    Registered.buffer(this, "token_suffix", e.narrow(1, 1 + nCtx, e.size(1) - 1 - nCtx));
    Registered.buffer(this, "token_middle", e.narrow(1, 1, nCtx));
    this.embedding = Registered.buffer(this, "embedding", e);
    this.eot = PromptTokens.eotIndex(tokens);
    this.length = ClipModel.usedLength(tokens);
  }

  /** Moves the end-of-text positions to the model's device once (see ChildPromptLearner.indicesTo). */
  void indicesTo(Device device) {
    Tensor previousEot = eot;
    eot = Tensors.kept(() -> previousEot.to(device, ScalarType.Long));
  }

  /** The fixed prompt embeddings (G, context, width). */
  public Tensor prompts() { return embedding; }
}
