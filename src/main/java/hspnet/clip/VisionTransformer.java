package hspnet.clip;

import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.Tensor;

import hspnet.nn.Layers;
import hspnet.nn.Ops;
import hspnet.nn.Registered;

import static org.bytedeco.pytorch.global.torch.empty;

/**
 * CLIP's image tower for the ViT-B/32, ViT-B/16, ViT-L/14 models: non-overlapping patches embedded
 * by a strided convolution, a learned class token prepended, positions added, ln_pre, a transformer
 * without mask, ln_post on the class token, projection to the joint space. Parameters are
 * registered in the original's order ({@code class_embedding}, {@code positional_embedding},
 * {@code proj}, then {@code conv1}, {@code ln_pre}, {@code transformer.resblocks.N}, {@code ln_post})
 * so that the state dict lists them as OpenAI's does.
 */
public final class VisionTransformer extends ImageTower {
  final Tensor classEmbedding, positionalEmbedding, proj;
  private final Conv2dImpl conv1;
  private final LayerNormImpl lnPre, lnPost;
  final Transformer transformer;

  public VisionTransformer(long inputResolution, long patchSize, long width, long layers, long heads, long outputDim) {
    long grid = inputResolution / patchSize;
    classEmbedding = Registered.parameter(this, "class_embedding", empty(width));
    positionalEmbedding = Registered.parameter(this, "positional_embedding", empty(grid * grid + 1, width));
    proj = Registered.parameter(this, "proj", empty(width, outputDim));
    conv1 = child("conv1", Layers.patchConv(3, width, patchSize));
    lnPre = child("ln_pre", Layers.layerNorm(width));
    transformer = child("transformer", new Transformer(width, layers, heads, false));
    lnPost = child("ln_post", Layers.layerNorm(width));
  }

  @Override
  public Tensor forward(Tensor images) {
    Tensor x = conv1.forward(images);                                   // N, width, grid, grid
    long n = x.size(0), width = x.size(1);
    x = x.flatten(2, 3).permute(0, 2, 1);                               // N, grid², width
    Tensor cls = classEmbedding.to(x.scalar_type()).view(1, 1, width).expand(n, 1, width);
    x = Ops.cat(1, cls, x).add(positionalEmbedding.to(x.scalar_type()));
    x = transformer.forward(lnPre.forward(x));
    x = lnPost.forward(x.select(1, 0));                                 // the class token
    return x.matmul(proj.to(x.scalar_type()));
  }
}
