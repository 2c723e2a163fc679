package hspnet.nn;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.MemoryFormat;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Batches onto the device the model runs on. */
public final class Transfers {
  private Transfers() {}

  /**
   * {@code t} on the device as {@code type}. From pinned host memory (the loader pins its batches
   * when CUDA is there) the copy is asynchronous: the host goes on queueing the step while the DMA
   * runs, and LibTorch's pinned-memory allocator keeps the buffer until the copy is done even if
   * the batch is closed first. No copy when {@code t} is already there as {@code type}.
   */
  public static Tensor to(Tensor t, Device device, ScalarType type) {
    try (MemoryFormatOptional keep = new MemoryFormatOptional(MemoryFormat.Preserve)) {
      return t.to(device, type, async(t, device), false, keep);
    }
  }

  /** Images as {@link #to} copies them, made channels-last (NHWC) when the image tower is. */
  public static Tensor imagesTo(Tensor images, Device device, boolean channelsLast) {
    if (!channelsLast) return to(images, device, ScalarType.Float);
    try (MemoryFormatOptional nhwc = new MemoryFormatOptional(MemoryFormat.ChannelsLast)) {
      return images.to(device, ScalarType.Float, async(images, device), false, nhwc);
    }
  }

  private static boolean async(Tensor t, Device device) {
    return device.is_cuda() && !t.is_cuda() && t.is_pinned();
  }
}
