package hspnet.nn;

import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * Run in a child JVM by {@link CpuNumericsTest}: one 3×3 convolution of 8 channels (the demo's
 * stem; one of the shapes oneDNN's AVX-512 kernel gets wrong), forward and backward.
 * {@code model}: as a main runs it (the CPU kernels pinned first, the convolution built by Layers);
 * {@code raw}: LibTorch's conv2d in a process that never pins, as a control.
 */
public final class ConvProbe {
  private ConvProbe() {}

  public static void main(String[] args) {
    boolean model = args[0].equals("model");
    if (model) CpuNumerics.pin();   // as every main does before its first tensor
    Tensor x = torch.ones(4, 8, 12, 12).requires_grad_(true);
    Tensor y;
    if (model) {
      Conv2dImpl conv = Layers.conv(8, 8, 3, 1);
      y = conv.forward(x);
    } else {
      Tensor w = torch.ones(8, 8, 3, 3);
      y = torch.conv2d(x, w, new TensorOptional(), new long[] {1, 1}, new long[] {1, 1}, new long[] {1, 1}, 1);
    }
    y.sum().backward();
    System.out.println("grad_input finite: " + x.grad().isfinite().all().item_bool());
    System.out.println("capability: " + torch.get_cpu_capability().getString());
    System.out.println("mkldnn: " + torch.globalContext().userEnabledMkldnn());
  }
}
