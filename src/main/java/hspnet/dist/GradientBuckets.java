package hspnet.dist;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorBase;
import org.bytedeco.pytorch.VoidTensorHook;

import hspnet.nn.Tensors;

/**
 * The gradient all-reduce of data-parallel training, bucketed as DDP does: the parameters, last
 * first (the order backward produces their gradients), are cut into buckets of at most
 * {@link #BUCKET_BYTES} of one dtype and device, each with a flat buffer of its own. The reduction
 * is a sum when the loss is a sum over the batch (HSPNet's SPLC): the sum of the ranks' gradients is
 * then the gradient of the whole global batch, as one process computes it. For a loss that is a
 * mean (the baselines) the sum is divided by the number of ranks, as DDP does: the average of
 * mean-loss gradients is the same "whole batch" gradient.
 *
 * <p>Overlapped (the default): a hook on every parameter copies its gradient into its bucket's
 * buffer as backward produces it, and a bucket whose gradients have all arrived starts its Gloo
 * all-reduce at once, while backward goes on with the earlier layers. Buckets start strictly in
 * order (a complete bucket waits for the ones before it), so every rank issues the same sequence of
 * collectives. {@link #allReduce()}, after backward, starts what is left — the buckets of
 * parameters whose gradient did not pass through autograd's accumulation (the fused HGCN kernel
 * writes its weights' gradients itself) or that got none — then waits for every bucket and copies
 * the reduced values back into the gradients. Not overlapped, everything happens in
 * {@link #allReduce()}; the two give the same numbers, bit for bit.
 *
 * <p>A parameter without a gradient on this rank contributes zeros.
 */
public final class GradientBuckets implements AutoCloseable {
  /** DDP's default bucket_cap_mb. */
  public static final long BUCKET_BYTES = 25L << 20;

  private final DistGroup group;
  private final boolean average;
  private final List<Bucket> buckets = new ArrayList<>();
  private final List<DistGroup.Pending> started = new ArrayList<>();
  // the hooks stay reachable from Java while LibTorch may call them
  private final List<VoidTensorHook> hooks = new ArrayList<>();
  private final List<int[]> hookHandles = new ArrayList<>();
  private int nextToStart, startedDuringBackward;
  private RuntimeException hookFault;

  /** The parameters of one bucket and its flat buffer. */
  private static final class Bucket {
    final List<Tensor> params = new ArrayList<>();
    final List<Long> offsets = new ArrayList<>();
    final List<Boolean> arrived = new ArrayList<>();
    long numel;
    int count;
    Tensor buffer;

    boolean complete() { return count == params.size(); }

    Tensor slice(int k) {
      return buffer.narrow(0, offsets.get(k), params.get(k).numel());
    }
  }

  /** Overlapped with backward; {@code average}: divide the sum by the number of ranks (a loss that is a mean). */
  public GradientBuckets(DistGroup group, List<Tensor> parameters, boolean average) {
    this(group, parameters, average, BUCKET_BYTES, true);
  }

  public GradientBuckets(DistGroup group, List<Tensor> parameters, boolean average, long bucketBytes, boolean overlap) {
    this.group = group;
    this.average = average;
    Bucket current = new Bucket();
    long bytes = 0;
    for (int i = parameters.size() - 1; i >= 0; i--) {
      Tensor p = parameters.get(i);
      long size = p.numel() * p.element_size();
      boolean fits = current.params.isEmpty() || (bytes + size <= bucketBytes && sameKind(current.params.get(0), p));
      if (!fits) {
        buckets.add(current);
        current = new Bucket();
        bytes = 0;
      }
      current.params.add(p);
      current.offsets.add(current.numel);
      current.arrived.add(false);
      current.numel += p.numel();
      bytes += size;
    }
    if (!current.params.isEmpty()) buckets.add(current);
    for (Bucket b : buckets) {
      Tensor first = b.params.get(0);
      b.buffer = Tensors.kept(() -> first.new_empty(b.numel));
    }
    if (overlap) registerHooks();
  }

  private static boolean sameKind(Tensor a, Tensor b) {
    return a.scalar_type().intern() == b.scalar_type().intern() && a.device().str().getString().equals(b.device().str().getString());
  }

  private void registerHooks() {
    for (int b = 0; b < buckets.size(); b++) {
      Bucket bucket = buckets.get(b);
      for (int k = 0; k < bucket.params.size(); k++) {
        final int bi = b, ki = k;
        VoidTensorHook hook = new VoidTensorHook() {
          @Override
          public void call(TensorBase grad) {
            arrived(bi, ki, grad);
          }
        };
        hooks.add(hook);
        hookHandles.add(new int[] {b, k, bucket.params.get(k).register_hook(hook)});
      }
    }
  }

  /**
   * A parameter's gradient, as backward hands it to the parameter (before it is accumulated into
   * {@code .grad}, which the optimizer emptied: the two are equal). Runs on autograd's thread:
   * nothing may escape it, so a failure is kept for {@link #allReduce()} to report.
   */
  private void arrived(int b, int k, TensorBase grad) {
    if (hookFault != null) return;
    try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      Bucket bucket = buckets.get(b);
      bucket.slice(k).copy_(new Tensor(grad).reshape(-1));
      if (!bucket.arrived.get(k)) {
        bucket.arrived.set(k, true);
        bucket.count++;
      }
      while (nextToStart < buckets.size() && buckets.get(nextToStart).complete()) start(nextToStart++);
    } catch (RuntimeException e) {
      hookFault = e;
    }
  }

  private void start(int b) {
    started.add(group.startAllReduceSum(buckets.get(b).buffer, "the gradient all-reduce (bucket " + (b + 1) + "/" + buckets.size() + ")"));
  }

  public int bucketCount() {
    return buckets.size();
  }

  /** How many buckets the last {@link #allReduce()} found already started by the hooks (overlapped with backward). */
  public int startedDuringBackward() {
    return startedDuringBackward;
  }

  /** Sums (or averages) every parameter's gradient over the ranks, in place; call it after backward. */
  public void allReduce() {
    try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      if (hookFault != null)
        throw new DistFault("rank " + group.rank() + "/" + group.worldSize() + ": the gradient all-reduce failed during backward: "
            + hookFault.getMessage(), hookFault);
      startedDuringBackward = nextToStart;
      for (; nextToStart < buckets.size(); nextToStart++) {
        Bucket bucket = buckets.get(nextToStart);
        for (int k = 0; k < bucket.params.size(); k++) {
          if (bucket.arrived.get(k)) continue;
          Tensor grad = bucket.params.get(k).grad();
          if (grad.defined()) bucket.slice(k).copy_(grad.reshape(-1));
          else bucket.slice(k).zero_();
        }
        start(nextToStart);
      }
      for (DistGroup.Pending p : started) p.await();
      for (Bucket bucket : buckets) {
        if (average) bucket.buffer.div_(new Scalar(group.worldSize()));
        for (int k = 0; k < bucket.params.size(); k++) {
          Tensor grad = bucket.params.get(k).grad();
          if (grad.defined()) grad.copy_(bucket.slice(k).view_as(grad));
        }
      }
    } finally {
      reset();
    }
  }

  private void reset() {
    started.clear();
    nextToStart = 0;
    hookFault = null;
    for (Bucket b : buckets) {
      b.count = 0;
      for (int k = 0; k < b.arrived.size(); k++) b.arrived.set(k, false);
    }
  }

  /** Removes the hooks from the parameters. */
  @Override
  public void close() {
    for (int[] h : hookHandles) buckets.get(h[0]).params.get(h[1]).remove_hook(h[2]);
    hookHandles.clear();
  }
}
