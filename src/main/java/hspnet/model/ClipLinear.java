package hspnet.model;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;

import hspnet.clip.ClipModel;
import hspnet.clip.ImageTower;
import hspnet.nn.Layers;

import static org.bytedeco.pytorch.global.torch.linear;

/**
 * The baseline model ({@code model_name: clip_linear}): the same CLIP image tower as HSPNet, fully
 * fine-tuned, and a linear head of C outputs on its features, initialised as torch's
 * {@code nn.Linear} (weight and bias uniform in ±1/sqrt(in_features); LibTorch's LinearImpl does
 * exactly that). HSPNet and the baselines then differ only in the method: no prompts, no text
 * tower, no GCN. State dict: {@code image_encoder.*}, {@code head.weight}, {@code head.bias}.
 */
public final class ClipLinear extends Classifier {
  private final ImageTower imageEncoder;
  private final LinearImpl head;

  public ClipLinear(ClipModel clip, int numClasses) {
    imageEncoder = child("image_encoder", clip.visual());
    head = child("head", Layers.linear(clip.arch().embedDim(), numClasses));
  }

  @Override
  public ImageTower imageEncoder() { return imageEncoder; }

  /** The head's weight {@code [C, E]} (its bias is added in {@link #logits}). */
  @Override
  public Tensor labelFeatures() { return head.weight(); }

  @Override
  public Tensor logits(Tensor imageFeatures, Tensor labelFeatures) {
    Tensor bias = head.bias();
    return linear(imageFeatures, labelFeatures.to(imageFeatures.scalar_type()), bias.to(imageFeatures.scalar_type()));
  }

  @Override
  public void moveTo(Device device) {
    to(device, false);
  }

  /** As HSPNet's: the head in train mode, CLIP's image tower in eval mode (BatchNorm on running statistics). */
  @Override
  public void modesAsBuilt() {
    train(true);
    imageEncoder.train(false);
  }
}
