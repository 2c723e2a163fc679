package hspnet.model;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.MemoryFormat;

import hspnet.clip.ImageTower;
import hspnet.nn.JavaModule;
import hspnet.nn.StateDicts;

/**
 * What training, evaluation, checkpoints and prediction need of a model: a CLIP image tower and
 * a head that turns its features into C logits. HSPNet's head is its label text features
 * (prompts, text tower, GCN); the baseline's ({@link ClipLinear}) a linear layer. The head's
 * image-independent part ({@link #labelFeatures()}) is computed once per evaluation.
 */
public abstract class Classifier extends JavaModule {
  /** The CLIP image tower, fine-tuned. */
  public abstract ImageTower imageEncoder();

  /** What {@link #logits} needs besides the image features; a function of the weights only. */
  public abstract Tensor labelFeatures();

  /** The logits of image features, given {@link #labelFeatures()}. */
  public abstract Tensor logits(Tensor imageFeatures, Tensor labelFeatures);

  /** Moves the module and any plain tensors it keeps to a device. */
  public abstract void moveTo(Device device);

  /** The modules' modes as the original's freshly built model has them (CLIP parts in eval mode). */
  public abstract void modesAsBuilt();

  /** Freezes what the method does not train (HSPNet: CLIP's text tower); nothing by default. */
  public void freezeTextEncoder() {}

  public Tensor forward(Tensor images) {
    return logits(imageEncoder().forward(images), labelFeatures());
  }

  /**
   * Stores the image tower's convolution weights channels-last (NHWC), the layout cuDNN's fastest
   * convolution kernels use on tensor-core GPUs; the images are converted as they are copied to
   * the device. Same numbers up to float rounding (other kernels); meant for CUDA only.
   */
  public void useChannelsLast() {
    try (PointerScope scope = new PointerScope();
        NoGradGuard g = new NoGradGuard()) {
      for (Tensor t : StateDicts.of(imageEncoder()).values())
        if (t.dim() == 4) t.set_data(t.contiguous(MemoryFormat.ChannelsLast));
    }
  }
}
