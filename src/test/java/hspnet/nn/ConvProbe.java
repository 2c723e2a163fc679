package hspnet.nn;

import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.Scalar;

/**
 * Run in a child JVM by {@link CpuNumericsTest}: one 3×3 convolution of 8 channels (the demo's
 * stem; one of the shapes oneDNN's AVX-512 kernel gets wrong), forward and backward, built by
 * Layers as the models build theirs. {@code model}: as a main runs it, the CPU kernels pinned
 * before the first tensor; {@code late}: a tensor operation runs before the pin.
 */
public final class ConvProbe {
  private ConvProbe() {}

  public static void main(String[] args) {
    Tensor x;
    if (args[0].equals("model")) {
      CpuNumerics.pin();
      x = torch.ones(4, 8, 12, 12).requires_grad_(true);
    } else {
      x = torch.ones(4, 8, 12, 12).mul(new Scalar(2.0)).requires_grad_(true);
    }
    Conv2dImpl conv = Layers.conv(8, 8, 3, 1);
    conv.forward(x).sum().backward();
    System.out.println("grad_input finite: " + x.grad().isfinite().all().item_bool());
    System.out.println("capability: " + torch.get_cpu_capability().getString());
    System.out.println("mkldnn: " + torch.globalContext().userEnabledMkldnn());
    System.out.println("pinned: " + CpuNumerics.pin().describe());
  }
}
