package hspnet.clip;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

import static org.bytedeco.pytorch.global.torch.normal_;
import static org.bytedeco.pytorch.global.torch.xavier_uniform_;
import static org.bytedeco.pytorch.global.torch.zeros_;
import org.bytedeco.pytorch.Scalar;

/**
 * OpenAI's initialisation of a CLIP model (initialize_parameters), for models trained from scratch
 * such as the demo's: normal token (0.02) and positional (0.01) embeddings, attention-pool
 * projections with std in_features^-1/2, the last BatchNorm of every bottleneck zeroed so each
 * residual branch starts as the identity, transformer projections scaled by depth, and
 * logit_scale = log(1/0.07). Convolutions keep LibTorch's default (Kaiming uniform) as PyTorch does.
 * A ViT image tower gets what its constructor gives it in the original.
 */
public final class ClipInit {
  private ClipInit() {}

  public static void initialize(ClipModel m) {
    try (NoGradGuard g = new NoGradGuard()) {
      normal_(m.tokenEmbedding.weight(), 0.0, 0.02);
      normal_(m.positionalEmbedding, 0.0, 0.01);

      if (m.visual instanceof ModifiedResNet rn) initialize(rn);
      else initialize((VisionTransformer) m.visual);

      Transformer t = m.transformer;
      double width = t.width;
      double projStd = Math.pow(width, -0.5) * Math.pow(2.0 * t.layers, -0.5);
      double attnStd = Math.pow(width, -0.5);
      double fcStd = Math.pow(2.0 * width, -0.5);
      for (ResidualAttentionBlock b : t.blocks) {
        normal_(b.inProjWeight(), 0.0, attnStd);
        zeros_(b.inProjBiasTensor());
        normal_(b.outProj.weight(), 0.0, projStd);
        zeros_(b.outProj.bias());
        normal_(b.cFc.weight(), 0.0, fcStd);
        normal_(b.cProj.weight(), 0.0, projStd);
      }
      normal_(m.textProjection, 0.0, Math.pow(width, -0.5));
      m.logitScale.fill_(new Scalar(Math.log(1 / 0.07)));
    }
  }

  private static void initialize(ModifiedResNet visual) {
    AttentionPool2d pool = visual.attnpool;
    double std = Math.pow(pool.cProj.weight().size(1), -0.5);
    for (Tensor w : new Tensor[] {pool.qProj.weight(), pool.kProj.weight(), pool.vProj.weight(), pool.cProj.weight()})
      normal_(w, 0.0, std);
    normal_(pool.positionalEmbedding, 0.0, Math.pow(pool.positionalEmbedding.size(1), -0.5));
    for (Bottleneck b : visual.blocks()) zeros_(b.lastBatchNorm().weight());
  }

  /**
   * The ViT's own constructor-time initialisation: class token, positions and projection ~
   * N(0, width^-1/2); its attention layers as nn.MultiheadAttention resets them (Xavier-uniform
   * in_proj_weight, zero biases), which initialize_parameters does not touch.
   */
  private static void initialize(VisionTransformer visual) {
    double scale = Math.pow(visual.classEmbedding.size(0), -0.5);
    for (Tensor p : new Tensor[] {visual.classEmbedding, visual.positionalEmbedding, visual.proj}) normal_(p, 0.0, scale);
    for (ResidualAttentionBlock b : visual.transformer.blocks) {
      xavier_uniform_(b.inProjWeight());
      zeros_(b.inProjBiasTensor());
      zeros_(b.outProj.bias());
    }
  }
}
