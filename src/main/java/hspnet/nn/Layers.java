package hspnet.nn;

import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.BatchNormOptions;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Conv2dOptions;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.LayerNormOptions;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LongVector;

/**
 * Factories for the LibTorch layers CLIP uses, with the options set the way the presets need them
 * (see the cookbook: ExpandingArray options are written with put, never through cast constructors).
 */
public final class Layers {
  private Layers() {}

  // Every model's convolutions are built here: the CPU kernels are pinned before the first one runs.
  static {
    CpuNumerics.pin();
  }

  /** A bias-free square convolution with "same" padding for odd kernels. */
  public static Conv2dImpl conv(long in, long out, long kernel, long stride) {
    Conv2dOptions o = new Conv2dOptions(in, out, new LongPointer(kernel, kernel));
    o.stride().put(new long[] {stride, stride});
    long pad = kernel / 2;
    o.padding().put(new LongPointer(pad, pad));
    o.bias().put(false);
    return new Conv2dImpl(o);
  }

  /** A patchify convolution (kernel = stride = patch), bias-free, as the ViT stem. */
  public static Conv2dImpl patchConv(long in, long out, long patch) {
    Conv2dOptions o = new Conv2dOptions(in, out, new LongPointer(patch, patch));
    o.stride().put(new long[] {patch, patch});
    o.padding().put(new LongPointer(0L, 0L));
    o.bias().put(false);
    return new Conv2dImpl(o);
  }

  /** BatchNorm with PyTorch's defaults (eps 1e-5, momentum 0.1, affine, running statistics). */
  public static BatchNorm2dImpl batchNorm(long features) {
    return new BatchNorm2dImpl(new BatchNormOptions(features));
  }

  public static LayerNormImpl layerNorm(long width) {
    // new LongVector(n) would be n zeros: push the one dimension instead
    LayerNormOptions o = new LayerNormOptions(new LongVector().push_back(width));
    o.eps().put(1e-5);
    return new LayerNormImpl(o);
  }

  public static LinearImpl linear(long in, long out) {
    return new LinearImpl(in, out);
  }
}
