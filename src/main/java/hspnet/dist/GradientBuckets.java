package hspnet.dist;

import static org.bytedeco.pytorch.global.torch.cat;
import static org.bytedeco.pytorch.global.torch.zeros_like;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * The gradient all-reduce of data-parallel training, bucketed as DDP does: the parameters, last
 * first (the order backward produces their gradients), are cut into buckets of at most
 * {@link #BUCKET_BYTES} of one dtype and device; per bucket the gradients are flattened into one
 * buffer, summed over the ranks in one Gloo all-reduce, and copied back. The reduction is a sum
 * when the loss is a sum over the batch (HSPNet's SPLC): the sum of the ranks' gradients is then the
 * gradient of the whole global batch, as one process computes it. For a loss that is a mean (the
 * baselines) the sum is divided by the number of ranks, as DDP does: the average of mean-loss
 * gradients is the same "whole batch" gradient.
 *
 * <p>It runs after backward, not during it (no gradient hooks): the all-reduce does not overlap
 * with the backward pass. A parameter without a gradient on this rank contributes zeros.
 */
public final class GradientBuckets {
  /** DDP's default bucket_cap_mb. */
  public static final long BUCKET_BYTES = 25L << 20;

  private final DistGroup group;
  private final boolean average;
  private final List<List<Tensor>> buckets = new ArrayList<>();

  /** {@code average}: divide the sum by the number of ranks (for a loss that is a mean over the batch). */
  public GradientBuckets(DistGroup group, List<Tensor> parameters, boolean average) {
    this(group, parameters, average, BUCKET_BYTES);
  }

  public GradientBuckets(DistGroup group, List<Tensor> parameters, boolean average, long bucketBytes) {
    this.group = group;
    this.average = average;
    List<Tensor> current = new ArrayList<>();
    long bytes = 0;
    for (int i = parameters.size() - 1; i >= 0; i--) {
      Tensor p = parameters.get(i);
      long size = p.numel() * p.element_size();
      boolean fits = current.isEmpty() || (bytes + size <= bucketBytes && sameKind(current.get(0), p));
      if (!fits) {
        buckets.add(current);
        current = new ArrayList<>();
        bytes = 0;
      }
      current.add(p);
      bytes += size;
    }
    if (!current.isEmpty()) buckets.add(current);
  }

  private static boolean sameKind(Tensor a, Tensor b) {
    return a.scalar_type().intern() == b.scalar_type().intern() && a.device().str().getString().equals(b.device().str().getString());
  }

  public int bucketCount() {
    return buckets.size();
  }

  /** Sums (or averages) every parameter's gradient over the ranks, in place. */
  public void allReduce() {
    try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      for (int b = 0; b < buckets.size(); b++) {
        List<Tensor> params = buckets.get(b);
        TensorVector flat = new TensorVector();
        for (Tensor p : params) {
          Tensor grad = p.grad();
          flat.push_back((grad.defined() ? grad : zeros_like(p)).reshape(-1));
        }
        Tensor buffer = cat(flat).contiguous();
        group.allReduceSum(buffer, "the gradient all-reduce (bucket " + (b + 1) + "/" + buckets.size() + ")");
        if (average) buffer.div_(new Scalar(group.worldSize()));
        long offset = 0;
        for (Tensor p : params) {
          long n = p.numel();
          Tensor grad = p.grad();
          if (grad.defined()) grad.copy_(buffer.narrow(0, offset, n).view_as(grad));
          offset += n;
        }
      }
    }
  }
}
