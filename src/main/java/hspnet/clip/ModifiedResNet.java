package hspnet.clip;

import hspnet.nn.JavaModule;
import java.util.ArrayList;
import java.util.List;

import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Tensor;

import hspnet.nn.Layers;

import static org.bytedeco.pytorch.global.torch.avg_pool2d;
import static org.bytedeco.pytorch.global.torch.relu;

/**
 * CLIP's image tower for the RN50/RN101/RN50x* models: a three-conv stem, 2×2 average pool, four
 * stages of bottlenecks (widths w, 2w, 4w, 8w; strides 1, 2, 2, 2) and an attention pool head.
 * Module names follow OpenAI's state dict ({@code conv1}, {@code layer1.0.bn2}, {@code attnpool.q_proj}).
 */
public final class ModifiedResNet extends ImageTower {
  private final Conv2dImpl conv1, conv2, conv3;
  private final BatchNorm2dImpl bn1, bn2, bn3;
  private final List<List<Bottleneck>> stages = new ArrayList<>();
  final AttentionPool2d attnpool;

  public ModifiedResNet(List<Integer> layers, long outputDim, long heads, long inputResolution, long width) {
    conv1 = child("conv1", Layers.conv(3, width / 2, 3, 2));
    bn1 = child("bn1", Layers.batchNorm(width / 2));
    conv2 = child("conv2", Layers.conv(width / 2, width / 2, 3, 1));
    bn2 = child("bn2", Layers.batchNorm(width / 2));
    conv3 = child("conv3", Layers.conv(width / 2, width, 3, 1));
    bn3 = child("bn3", Layers.batchNorm(width));
    long inplanes = width;
    for (int s = 0; s < 4; s++) {
      long planes = width << s;
      JavaModule stage = container("layer" + (s + 1));
      List<Bottleneck> blocks = new ArrayList<>();
      for (int b = 0; b < layers.get(s); b++) {
        long stride = (b == 0 && s > 0) ? 2 : 1;
        blocks.add(stage.add(Integer.toString(b), new Bottleneck(inplanes, planes, stride)));
        inplanes = planes * Bottleneck.EXPANSION;
      }
      stages.add(blocks);
    }
    long embedDim = width * 32;
    attnpool = child("attnpool", new AttentionPool2d(inputResolution / 32, embedDim, heads, outputDim));
  }

  List<Bottleneck> blocks() {
    List<Bottleneck> all = new ArrayList<>();
    stages.forEach(all::addAll);
    return all;
  }

  @Override
  public Tensor forward(Tensor x) {
    x = relu(bn1.forward(conv1.forward(x)));
    x = relu(bn2.forward(conv2.forward(x)));
    x = relu(bn3.forward(conv3.forward(x)));
    x = avg_pool2d(x, 2);
    for (List<Bottleneck> stage : stages)
      for (Bottleneck b : stage) x = b.forward(x);
    return attnpool.forward(x);
  }
}
