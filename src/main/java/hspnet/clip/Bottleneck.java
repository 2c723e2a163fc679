package hspnet.clip;

import hspnet.nn.JavaModule;
import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Tensor;

import hspnet.nn.Layers;

import static org.bytedeco.pytorch.global.torch.avg_pool2d;
import static org.bytedeco.pytorch.global.torch.relu;

/**
 * CLIP's ResNet bottleneck: 1x1 → 3x3 → (avg-pool when strided) → 1x1 with expansion 4. Striding is
 * done by an average pool after the 3x3 conv ("anti-aliased"), and the shortcut, when shapes
 * differ, is avg-pool → 1x1 conv → BN, registered as {@code downsample.0} / {@code downsample.1}
 * to keep the original state-dict names.
 */
final class Bottleneck extends JavaModule {
  static final int EXPANSION = 4;

  private final Conv2dImpl conv1, conv2, conv3;
  private final BatchNorm2dImpl bn1, bn2, bn3;
  private final Conv2dImpl downConv;
  private final BatchNorm2dImpl downBn;
  private final long stride;

  Bottleneck(long inplanes, long planes, long stride) {
    this.stride = stride;
    conv1 = child("conv1", Layers.conv(inplanes, planes, 1, 1));
    bn1 = child("bn1", Layers.batchNorm(planes));
    conv2 = child("conv2", Layers.conv(planes, planes, 3, 1));
    bn2 = child("bn2", Layers.batchNorm(planes));
    conv3 = child("conv3", Layers.conv(planes, planes * EXPANSION, 1, 1));
    bn3 = child("bn3", Layers.batchNorm(planes * EXPANSION));
    if (stride > 1 || inplanes != planes * EXPANSION) {
      JavaModule down = container("downsample");
      downConv = down.add("0", Layers.conv(inplanes, planes * EXPANSION, 1, 1));
      downBn = down.add("1", Layers.batchNorm(planes * EXPANSION));
    } else {
      downConv = null;
      downBn = null;
    }
  }

  BatchNorm2dImpl lastBatchNorm() { return bn3; }

  Tensor forward(Tensor x) {
    Tensor out = relu(bn1.forward(conv1.forward(x)));
    out = relu(bn2.forward(conv2.forward(out)));
    if (stride > 1) out = avg_pool2d(out, stride);
    out = bn3.forward(conv3.forward(out));
    Tensor identity = x;
    if (downConv != null) {
      Tensor pooled = stride > 1 ? avg_pool2d(x, stride) : x;
      identity = downBn.forward(downConv.forward(pooled));
    }
    return relu(out.add(identity));
  }
}
