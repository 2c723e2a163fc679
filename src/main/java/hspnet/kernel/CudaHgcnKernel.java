package hspnet.kernel;

/**
 * The CUDA implementation (libhgcn_cuda.so). Work is enqueued on LibTorch's current stream of x's
 * device ({@link CudaStreams}); nothing here synchronises.
 */
final class CudaHgcnKernel extends NativeHgcnKernel {
  private final HgcnVariant variant;

  CudaHgcnKernel(HgcnVariant variant) {
    super(true);
    this.variant = variant;
  }

  @Override
  public String describe() {
    return "hgcn-cuda-" + variant.label();
  }

  @Override
  public boolean halfOperands() {
    return variant.tensorCores();
  }

  @Override
  int forward(HgcnArgs a, long x, long adj, long w1, long w2, long w3, long gamma, long out, long saved, long ws) {
    return HgcnCuda.hgcn_cuda_forward(a.dtype, a.n, a.e, x, adj, w1, w2, w3, gamma, out, saved, ws, variant.code(),
        a.device(), CudaStreams.current(a.device()));
  }

  @Override
  int backward(HgcnArgs a, long x, long adj, long w1, long w2, long w3, long gamma, long saved, long dout, long dx,
      long dw1, long dw2, long dw3, long dgamma, boolean accumulate, long ws) {
    return HgcnCuda.hgcn_cuda_backward(a.dtype, a.n, a.e, x, adj, w1, w2, w3, gamma, saved, dout, dx, dw1, dw2, dw3,
        dgamma, accumulate ? 1 : 0, ws, variant.code(), a.device(), CudaStreams.current(a.device()));
  }

  @Override
  String lastError() {
    return HgcnCuda.hgcn_cuda_last_error();
  }
}
