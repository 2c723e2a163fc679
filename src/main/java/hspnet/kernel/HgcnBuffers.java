package hspnet.kernel;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.global.torch.ScalarType;

import static org.bytedeco.pytorch.global.torch.empty;

/** The float32 buffers of one level, on x's device: sizes as native/include/hgcn.h defines them. */
public final class HgcnBuffers {
  private HgcnBuffers() {}

  /** A·X, H1, H2 and H3 of the forward: 6·n·E floats. */
  public static Tensor saved(Tensor x) {
    return floats(x, 6 * x.size(0) * x.size(1));
  }

  /** Scratch of either direction: 5·n·E floats and the partial sums of dγ. */
  public static Tensor workspace(Tensor x) {
    return floats(x, 5 * x.size(0) * x.size(1) + 1024);
  }

  static Tensor floats(Tensor like, long count) {
    TensorOptions o = like.options().dtype(new ScalarTypeOptional(ScalarType.Float));
    return empty(new long[] {count}, o, null);
  }
}
