package hspnet.model;

import hspnet.nn.JavaModule;
import hspnet.nn.Registered;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

import hspnet.nn.Layers;
import hspnet.nn.Ops;

import static org.bytedeco.pytorch.global.torch.relu;
import hspnet.clip.ClipModel;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch.ScalarType;
import hspnet.nn.Tensors;

/**
 * The label ("child") prompts. A meta-net (Linear E→n_ctx·d, ReLU, Linear) turns every group's
 * graph-refined feature into n_ctx context vectors; each label takes its group's vectors in place
 * of the "X X X X" placeholders of its tokenized prompt "X X X X {label}.":
 * [SOS] + context + [label name, ".", EOT, padding].
 */
public final class ChildPromptLearner extends JavaModule {
  final LinearImpl linear1, linear2;
  final Tensor tokenPrefix, tokenSuffix;
  /** Plain fields (not in the original's state dict), moved with the model by {@link #indicesTo}. */
  Tensor parentIndex, eot;
  final long length;
  final int nCtx;
  private final long width;

  /**
   * @param embedding (C, context, width) token embeddings of the "X X X X {label}." prompts
   * @param tokens those prompts tokenized
   * @param groupOf the group of every label
   */
  ChildPromptLearner(Tensor embedding, long[][] tokens, int[] groupOf, int nCtx, long embedDim) {
    this.nCtx = nCtx;
    this.width = embedding.size(2);
    Tensor e;
    try (NoGradGuard g = new NoGradGuard()) {
      e = embedding.detach().clone();
    }
    tokenPrefix = Registered.buffer(this, "token_prefix", e.narrow(1, 0, 1));
    tokenSuffix = Registered.buffer(this, "token_suffix", e.narrow(1, 1 + nCtx, e.size(1) - 1 - nCtx));
    JavaModule metaNet = container("meta_net");
    linear1 = metaNet.add("linear1", Layers.linear(embedDim, nCtx * width));
    linear2 = metaNet.add("linear2", Layers.linear(nCtx * width, nCtx * width));
    long[] idx = new long[groupOf.length];
    for (int c = 0; c < groupOf.length; c++) idx[c] = groupOf[c];
    parentIndex = Tensors.ofLongs(idx, idx.length);
    eot = PromptTokens.eotIndex(tokens);
    length = ClipModel.usedLength(tokens);
  }

  /**
   * Moves the index tensors to the model's device once: a per-forward copy from pageable host
   * memory would make CUDA wait for the queued work (a hidden host synchronisation).
   */
  void indicesTo(Device device) {
    Tensor previousIndex = parentIndex;
    parentIndex = Tensors.kept(() -> previousIndex.to(device, ScalarType.Long));
    Tensor previousEot = eot;
    eot = Tensors.kept(() -> previousEot.to(device, ScalarType.Long));
  }

  /** The meta-net's output for every group: (G, n_ctx·width). */
  public Tensor metaNet(Tensor parentFeatures) {
    return linear2.forward(relu(linear1.forward(parentFeatures)));
  }

  /** Prompt embeddings (C, context, width) from the meta-net output of every group. */
  public Tensor prompts(Tensor metaOut) {
    long c = tokenPrefix.size(0);
    Tensor ctx = metaOut.index_select(0, parentIndex.to(metaOut.device(), ScalarType.Long))
        .view(c, nCtx, width);
    // cat promotes as torch.cat does: under fp16 autocast the meta-net's context is float16 and the
    // token embeddings float32, so the prompts, and the label-level text tower's residual stream
    // after them, stay float32, as in the original
    return Ops.cat(1, tokenPrefix, ctx, tokenSuffix);
  }
}
