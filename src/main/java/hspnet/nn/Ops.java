package hspnet.nn;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

import static org.bytedeco.pytorch.global.torch.sigmoid;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.bytedeco.pytorch.ScalarTypeOptional;

/** Small tensor operations shared by the CLIP towers and the HSPNet modules. */
public final class Ops {
  private Ops() {}

  /** CLIP's activation: x * sigmoid(1.702 x). */
  public static Tensor quickGelu(Tensor x) {
    return x.mul(sigmoid(x.mul(new Scalar(1.702))));
  }

  /** Rows scaled to unit L2 norm (x / ||x||, no epsilon, as the original). */
  public static Tensor l2Normalize(Tensor x) {
    return x.div(x.norm(new ScalarOptional(new Scalar(2.0)), new long[] {-1}, true));
  }

  public static Tensor cat(long dim, Tensor... parts) {
    return org.bytedeco.pytorch.global.torch.cat(new TensorVector(parts), dim);
  }

  /** 0, 1, …, n-1 as int64 on the device of {@code like}. */
  public static Tensor arangeLong(long n, Tensor like) {
    return org.bytedeco.pytorch.global.torch.arange(new Scalar(n),
        like.options().dtype(new ScalarTypeOptional(ScalarType.Long)));
  }

  public static Scalar s(double v) {
    return new Scalar(v);
  }
}
