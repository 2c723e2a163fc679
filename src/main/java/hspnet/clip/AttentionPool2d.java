package hspnet.clip;

import hspnet.nn.JavaModule;
import hspnet.nn.Registered;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;

import hspnet.nn.Layers;
import hspnet.nn.Ops;

import static org.bytedeco.pytorch.global.torch.empty;
import static org.bytedeco.pytorch.global.torch.scaled_dot_product_attention;
import org.bytedeco.pytorch.ScalarTypeOptional;

/**
 * The ResNet's head: the H×W grid flattened to tokens, their mean prepended, a positional embedding
 * added, then one multi-head attention whose query is that mean token alone (only the first output
 * token is kept, so computing the others would be wasted work).
 */
final class AttentionPool2d extends JavaModule {
  final Tensor positionalEmbedding;
  final LinearImpl kProj, qProj, vProj, cProj;
  private final long heads;

  AttentionPool2d(long spacialDim, long embedDim, long heads, long outputDim) {
    this.heads = heads;
    positionalEmbedding = Registered.parameter(this, "positional_embedding", empty(spacialDim * spacialDim + 1, embedDim));
    kProj = child("k_proj", Layers.linear(embedDim, embedDim));
    qProj = child("q_proj", Layers.linear(embedDim, embedDim));
    vProj = child("v_proj", Layers.linear(embedDim, embedDim));
    cProj = child("c_proj", Layers.linear(embedDim, outputDim));
  }

  Tensor forward(Tensor x) {
    long n = x.size(0), c = x.size(1);
    Tensor tokens = x.flatten(2, 3).permute(0, 2, 1);                 // N, HW, C
    tokens = Ops.cat(1, tokens.mean(new long[] {1}, true, new ScalarTypeOptional()), tokens);
    tokens = tokens.add(positionalEmbedding.unsqueeze(0).to(tokens.scalar_type()));
    long len = tokens.size(1), headDim = c / heads;
    Tensor q = qProj.forward(tokens.narrow(1, 0, 1)).view(n, 1, heads, headDim).transpose(1, 2);
    Tensor k = kProj.forward(tokens).view(n, len, heads, headDim).transpose(1, 2);
    Tensor v = vProj.forward(tokens).view(n, len, heads, headDim).transpose(1, 2);
    Tensor attended = scaled_dot_product_attention(q, k, v);           // N, heads, 1, headDim
    return cProj.forward(attended.transpose(1, 2).reshape(n, c));
  }
}
