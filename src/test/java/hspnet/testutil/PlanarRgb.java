package hspnet.testutil;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.pytorch.Tensor;

import hspnet.nn.Tensors;

/**
 * OpenCV's 8-bit BGR pixels as the planar RGB uint8 tensor {@code [3, H, W]} that nvJPEG hands the
 * GPU decode path: what stands in for nvJPEG where there is no GPU.
 */
public final class PlanarRgb {
  private PlanarRgb() {}

  public static Tensor of(Mat bgr) {
    byte[] px = new byte[(int) (bgr.total() * 3)];
    bgr.data().get(px);
    return Tensors.ofBytes(px, bgr.rows(), bgr.cols(), 3).flip(2).permute(2, 0, 1).contiguous();   // BGR → RGB, planar
  }
}
