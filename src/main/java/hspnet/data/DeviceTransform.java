package hspnet.data;

import static org.bytedeco.pytorch.global.torch.interpolate;

import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.InterpolateFuncOptions;
import org.bytedeco.pytorch.InterpolateMode;
import org.bytedeco.pytorch.LongVector;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.bytedeco.pytorch.kBicubic;

import hspnet.nn.Tensors;

/**
 * CLIP's image transform in LibTorch ops, on the device that holds the decoded pixels (the GPU
 * decode path: nvJPEG leaves them there): planar uint8 RGB {@code [3, H, W]} → antialiased bicubic resize
 * of the shorter side (LibTorch's interpolate with antialias, which torchvision's Resize uses on
 * tensors) → center crop → [0, 1] → CLIP's normalisation, with {@link ClipTransform}'s geometry.
 *
 * <p>Not bit-exact with Pillow, whose 8-bit path rounds the horizontal pass to whole levels and
 * weighs with 22-bit fixed-point coefficients; this keeps float32 between the passes and rounds
 * once, at the end, to whole levels as Pillow's output is. The difference is measured against the
 * exact path (docs/speed.md, "GPU decoding").
 */
public final class DeviceTransform {
  private final int size;
  private final Tensor mean, std;

  public DeviceTransform(int size, Device device) {
    this.size = size;
    this.mean = Tensors.kept(() -> Tensors.ofFloats(ClipTransform.MEAN, 3, 1, 1).to(device, ScalarType.Float).mul(new Scalar(255)));
    this.std = Tensors.kept(() -> Tensors.ofFloats(ClipTransform.STD, 3, 1, 1).to(device, ScalarType.Float).mul(new Scalar(255)));
  }

  /** {@code [3, H, W]} uint8 RGB on the device → {@code [3, size, size]} float32 on the same device. */
  public Tensor apply(Tensor rgb) {
    long h = rgb.size(1), w = rgb.size(2);
    int[] resized = ClipTransform.resizedSize((int) w, (int) h, size);
    Tensor x = rgb.unsqueeze(0).to(ScalarType.Float);
    Tensor y;
    try (InterpolateFuncOptions o = new InterpolateFuncOptions()) {
      o.size().put(new LongVector(resized[1], resized[0]));
      o.mode().put(new InterpolateMode(new kBicubic()));
      o.align_corners().put(new BoolOptional(false));
      o.antialias().put(true);
      y = interpolate(x, o);
    }
    int top = ClipTransform.cropOffset(resized[1], size), left = ClipTransform.cropOffset(resized[0], size);
    // whole levels, as Pillow's 8-bit output, then (v/255 - mean)/std as (v - 255·mean)/(255·std)
    return y.squeeze(0).narrow(1, top, size).narrow(2, left, size).round().clamp_(new ScalarOptional(new Scalar(0)), new ScalarOptional(new Scalar(255)))
        .sub(mean).div(std);
  }
}
