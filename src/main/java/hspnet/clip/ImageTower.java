package hspnet.clip;

import org.bytedeco.pytorch.Tensor;

import hspnet.nn.JavaModule;

/**
 * CLIP's image tower, whichever architecture ({@link ModifiedResNet} or {@link VisionTransformer}):
 * normalised images (N, 3, R, R) to image features (N, embed_dim), before normalisation. HSPNet
 * fine-tunes it as its {@code image_encoder} and needs nothing else from it.
 */
public abstract class ImageTower extends JavaModule {
  ImageTower() {}

  public abstract Tensor forward(Tensor images);
}
