package hspnet.clip;

import hspnet.nn.JavaModule;
import hspnet.nn.Registered;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;

import hspnet.nn.Layers;
import hspnet.nn.Ops;

import static org.bytedeco.pytorch.global.torch.empty;
import static org.bytedeco.pytorch.global.torch.linear;
import static org.bytedeco.pytorch.global.torch.scaled_dot_product_attention;
import org.bytedeco.pytorch.DoubleOptional;

/**
 * A pre-norm transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x)) with QuickGELU. The
 * attention keeps nn.MultiheadAttention's parameter names ({@code attn.in_proj_weight},
 * {@code attn.in_proj_bias}, {@code attn.out_proj}) so released weights load name for name.
 * Tensors are batch-first here (N, L, D); the original is sequence-first, which changes nothing.
 */
final class ResidualAttentionBlock extends JavaModule {
  private final Tensor inProjWeight, inProjBias;
  final LinearImpl outProj, cFc, cProj;
  private final LayerNormImpl ln1, ln2;
  private final long heads;
  private final boolean causal;

  ResidualAttentionBlock(long width, long heads, boolean causal) {
    this.heads = heads;
    this.causal = causal;
    JavaModule attn = container("attn");
    inProjWeight = Registered.parameter(attn, "in_proj_weight", empty(3 * width, width));
    inProjBias = Registered.parameter(attn, "in_proj_bias", empty(3 * width));
    outProj = attn.add("out_proj", Layers.linear(width, width));
    ln1 = child("ln_1", Layers.layerNorm(width));
    JavaModule mlp = container("mlp");
    cFc = mlp.add("c_fc", Layers.linear(width, 4 * width));
    cProj = mlp.add("c_proj", Layers.linear(4 * width, width));
    ln2 = child("ln_2", Layers.layerNorm(width));
  }

  Tensor inProjWeight() { return inProjWeight; }

  Tensor inProjBiasTensor() { return inProjBias; }

  Tensor forward(Tensor x) {
    x = x.add(attention(ln1.forward(x)));
    return x.add(cProj.forward(Ops.quickGelu(cFc.forward(ln2.forward(x)))));
  }

  private Tensor attention(Tensor x) {
    long n = x.size(0), len = x.size(1), width = x.size(2), headDim = width / heads;
    TensorVector qkv = linear(x, inProjWeight, new TensorOptional(inProjBias)).chunk(3, -1);
    Tensor q = qkv.get(0).view(n, len, heads, headDim).transpose(1, 2);
    Tensor k = qkv.get(1).view(n, len, heads, headDim).transpose(1, 2);
    Tensor v = qkv.get(2).view(n, len, heads, headDim).transpose(1, 2);
    // is_causal: the text tower's mask (-inf above the diagonal), built by the kernel itself
    Tensor out = scaled_dot_product_attention(q, k, v, new TensorOptional(), 0.0, causal,
        new DoubleOptional(), false);
    return outProj.forward(out.transpose(1, 2).reshape(n, len, width));
  }
}
