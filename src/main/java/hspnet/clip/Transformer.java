package hspnet.clip;

import hspnet.nn.JavaModule;
import java.util.ArrayList;
import java.util.List;

import org.bytedeco.pytorch.Tensor;

/** A stack of residual attention blocks, registered as {@code resblocks.N} as in CLIP. */
public final class Transformer extends JavaModule {
  final List<ResidualAttentionBlock> blocks = new ArrayList<>();
  final long width;
  final long layers;

  Transformer(long width, long layers, long heads, boolean causal) {
    this.width = width;
    this.layers = layers;
    JavaModule resblocks = container("resblocks");
    for (int i = 0; i < layers; i++)
      blocks.add(resblocks.add(Integer.toString(i), new ResidualAttentionBlock(width, heads, causal)));
  }

  /** x: (N, L, width), batch-first. */
  public Tensor forward(Tensor x) {
    for (ResidualAttentionBlock b : blocks) x = b.forward(x);
    return x;
  }
}
