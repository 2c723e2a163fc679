package hspnet.predict;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import hspnet.nn.Autocast;
import hspnet.model.Classifier;
import hspnet.nn.Tensors;

import static org.bytedeco.pytorch.global.torch.sigmoid;

/**
 * Scores of images under a trained HSPNet: sigmoid(10 · cos(image, label)) per label. The label
 * text features depend on the weights only, so they are computed once, when the predictor is
 * made, and every batch costs one image-tower forward and one matrix product.
 */
public final class Predictor implements AutoCloseable {
  private final Classifier model;
  private final Device device;
  private final Autocast autocast;
  private final Tensor labelFeatures;
  private final int imageSize;

  /** The model in eval mode on {@code device}; fp16 autocast when {@code amp} and the device is a GPU. */
  public Predictor(Classifier model, Device device, boolean amp, int imageSize) {
    this.model = model;
    this.device = device;
    this.imageSize = imageSize;
    this.autocast = new Autocast(device.is_cuda() && amp);
    model.moveTo(device);
    model.eval();
    try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard(); Autocast.Scope a = autocast.enter()) {
      Tensor f = model.labelFeatures();
      // kept beyond the scope that frees the text tower's intermediates: detach() releases the
      // scope's reference, so take one first, which close() gives back
      scope.detach(f.retainReference());
      this.labelFeatures = f;
    }
  }

  /** Scores [image][label] of {@code count} CLIP-normalised CHW images laid one after the other. */
  public float[][] scores(float[] pixels, int count) {
    int classes = (int) labelFeatures.size(0);
    float[][] out = new float[count][classes];
    if (count == 0) return out;
    try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      Tensor x = Tensors.ofFloats(pixels, count, 3, imageSize, imageSize).to(device, ScalarType.Float);
      Tensor logits;
      try (Autocast.Scope a = autocast.enter()) {
        logits = model.logits(model.imageEncoder().forward(x), labelFeatures);
      }
      float[] flat = Tensors.toFloats(sigmoid(logits.to(ScalarType.Float)));
      for (int i = 0; i < count; i++) System.arraycopy(flat, i * classes, out[i], 0, classes);
    }
    return out;
  }

  @Override
  public void close() {
    labelFeatures.close();
  }
}
