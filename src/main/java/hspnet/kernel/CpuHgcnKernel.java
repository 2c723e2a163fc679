package hspnet.kernel;

/** The CPU reference implementation (libhgcn_cpu.so): plain loops on the calling thread. */
final class CpuHgcnKernel extends NativeHgcnKernel {
  CpuHgcnKernel() {
    super(false);
  }

  @Override
  public String describe() {
    return "hgcn-cpu";
  }

  @Override
  int forward(HgcnArgs a, long x, long adj, long w1, long w2, long w3, long gamma, long out, long saved, long ws) {
    return HgcnCpu.hgcn_cpu_forward(a.dtype, a.n, a.e, x, adj, w1, w2, w3, gamma, out, saved, ws);
  }

  @Override
  int backward(HgcnArgs a, long x, long adj, long w1, long w2, long w3, long gamma, long saved, long dout, long dx,
      long dw1, long dw2, long dw3, long dgamma, boolean accumulate, long ws) {
    return HgcnCpu.hgcn_cpu_backward(a.dtype, a.n, a.e, x, adj, w1, w2, w3, gamma, saved, dout, dx, dw1, dw2, dw3,
        dgamma, accumulate ? 1 : 0, ws);
  }

  @Override
  String lastError() {
    return HgcnCpu.hgcn_cpu_last_error();
  }
}
