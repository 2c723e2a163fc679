package hspnet.kernel;

/**
 * The CPU reference implementation (libhgcn_cpu.so): plain loops on the calling thread. With
 * halfOperands it computes what the tensor-core variants do (each product's operands rounded to
 * the activation type, float32 sums; HGCN_MATH_HALF_OPERANDS), so that their arithmetic is
 * stated and tested on the CPU too.
 */
final class CpuHgcnKernel extends NativeHgcnKernel {
  static final int MATH_EXACT = 0, MATH_HALF_OPERANDS = 1;

  private final int math;

  CpuHgcnKernel(boolean halfOperands) {
    super(false);
    this.math = halfOperands ? MATH_HALF_OPERANDS : MATH_EXACT;
  }

  @Override
  public String describe() {
    return math == MATH_EXACT ? "hgcn-cpu" : "hgcn-cpu-half-operands";
  }

  @Override
  public boolean halfOperands() {
    return math == MATH_HALF_OPERANDS;
  }

  @Override
  int forward(HgcnArgs a, long x, long adj, long w1, long w2, long w3, long gamma, long out, long saved, long ws) {
    return HgcnCpu.hgcn_cpu_forward(a.dtype, a.n, a.e, x, adj, w1, w2, w3, gamma, out, saved, ws, math);
  }

  @Override
  int backward(HgcnArgs a, long x, long adj, long w1, long w2, long w3, long gamma, long saved, long dout, long dx,
      long dw1, long dw2, long dw3, long dgamma, boolean accumulate, long ws) {
    return HgcnCpu.hgcn_cpu_backward(a.dtype, a.n, a.e, x, adj, w1, w2, w3, gamma, saved, dout, dx, dw1, dw2, dw3,
        dgamma, accumulate ? 1 : 0, ws, math);
  }

  @Override
  String lastError() {
    return HgcnCpu.hgcn_cpu_last_error();
  }
}
