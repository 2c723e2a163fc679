package hspnet.kernel;

import static org.bytedeco.pytorch.global.torch.empty;

import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The float32 buffers of one level, on x's device. Their sizes are native/include/hgcn.h's
 * ({@code hgcn_saved_elems}, {@code hgcn_workspace_elems}), asked of the library itself so that
 * the kernels and the buffers handed to them cannot disagree.
 */
public final class HgcnBuffers {
  private HgcnBuffers() {}

  /** A·X, H1, H2 and H3 of the forward (6·n·E floats). */
  public static Tensor saved(Tensor x) {
    return floats(x, savedElems(x.size(0), x.size(1)));
  }

  /** Scratch of either direction (5·n·E floats and the partial sums of dγ). */
  public static Tensor workspace(Tensor x) {
    return floats(x, workspaceElems(x.size(0), x.size(1)));
  }

  static long savedElems(long n, long e) {
    return HgcnCpu.hgcn_saved_elems(n, e);
  }

  static long workspaceElems(long n, long e) {
    return HgcnCpu.hgcn_workspace_elems(n, e);
  }

  static Tensor floats(Tensor like, long count) {
    TensorOptions o = like.options().dtype(new ScalarTypeOptional(ScalarType.Float));
    return empty(new long[] {count}, o, null);
  }
}
