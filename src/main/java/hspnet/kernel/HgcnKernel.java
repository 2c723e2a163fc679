package hspnet.kernel;

import org.bytedeco.pytorch.Tensor;

/**
 * One implementation of the fused HGCN level of native/include/hgcn.h, over tensors that are
 * already allocated: the CPU reference ({@link HgcnKernels#cpu()}) or the CUDA kernels
 * ({@link HgcnKernels#cuda()}). Every tensor must be contiguous and on the device the kernel
 * runs on; x, adj, out, dout and dx share one activation type (float32, float16 or bfloat16),
 * everything else is float32. {@link HgcnBuffers} allocates the saved and workspace buffers.
 */
public interface HgcnKernel {
  /** A short name for logs and benchmark rows. */
  String describe();

  /**
   * Whether half-type products round their operands to the activation type first (the tensor-core
   * variants, and the CPU reference emulating them) instead of multiplying them exactly in float32.
   */
  default boolean halfOperands() {
    return false;
  }

  /** out = γ·A·leaky(A·leaky(A·X·W1)·W2)·W3 + (1−γ)·X, keeping what the backward needs in saved. */
  void forward(Tensor x, Tensor adj, HgcnWeights w, Tensor out, Tensor saved, Tensor workspace);

  /**
   * Gradients for dOut, from the saved buffer of the matching forward. With accumulate the weight
   * gradients are added to dw1..dw3 (LibTorch's {@code .grad}); dγ and dX are overwritten.
   */
  void backward(Tensor x, Tensor adj, HgcnWeights w, Tensor saved, Tensor dout, HgcnGrads g, boolean accumulate,
      Tensor workspace);
}
