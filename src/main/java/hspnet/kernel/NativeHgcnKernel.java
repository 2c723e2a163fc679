package hspnet.kernel;

import org.bytedeco.pytorch.Tensor;

/**
 * The part the CPU and CUDA kernels share: argument checks and addresses in the order of the C
 * ABI. Subclasses make the one native call and turn its error code into an exception.
 */
abstract class NativeHgcnKernel implements HgcnKernel {
  private final boolean cuda;

  NativeHgcnKernel(boolean cuda) {
    this.cuda = cuda;
  }

  abstract int forward(HgcnArgs a, long x, long adj, long w1, long w2, long w3, long gamma, long out, long saved,
      long workspace);

  abstract int backward(HgcnArgs a, long x, long adj, long w1, long w2, long w3, long gamma, long saved, long dout,
      long dx, long dw1, long dw2, long dw3, long dgamma, boolean accumulate, long workspace);

  abstract String lastError();

  @Override
  public final void forward(Tensor x, Tensor adj, HgcnWeights w, Tensor out, Tensor saved, Tensor workspace) {
    HgcnArgs a = new HgcnArgs(x, cuda);
    long n = a.n, e = a.e;
    int rc = forward(a, a.activation("x", x), a.address("adj", adj, a.dtype, n, n),
        a.address("w1", w.w1(), HgcnArgs.F32, e, 2 * e), a.address("w2", w.w2(), HgcnArgs.F32, 2 * e, 2 * e),
        a.address("w3", w.w3(), HgcnArgs.F32, 2 * e, e), a.address("gamma", w.gamma(), HgcnArgs.F32, 1),
        a.activation("out", out), a.address("saved", saved, HgcnArgs.F32, HgcnBuffers.savedElems(n, e)),
        a.address("workspace", workspace, HgcnArgs.F32, HgcnBuffers.workspaceElems(n, e)));
    if (rc != 0) throw new IllegalStateException(describe() + " forward failed (" + rc + "): " + lastError());
  }

  @Override
  public final void backward(Tensor x, Tensor adj, HgcnWeights w, Tensor saved, Tensor dout, HgcnGrads g,
      boolean accumulate, Tensor workspace) {
    HgcnArgs a = new HgcnArgs(x, cuda);
    long n = a.n, e = a.e;
    int rc = backward(a, a.activation("x", x), a.address("adj", adj, a.dtype, n, n),
        a.address("w1", w.w1(), HgcnArgs.F32, e, 2 * e), a.address("w2", w.w2(), HgcnArgs.F32, 2 * e, 2 * e),
        a.address("w3", w.w3(), HgcnArgs.F32, 2 * e, e), a.address("gamma", w.gamma(), HgcnArgs.F32, 1),
        a.address("saved", saved, HgcnArgs.F32, HgcnBuffers.savedElems(n, e)), a.activation("dout", dout),
        a.activation("dx", g.dx()), a.address("dw1", g.dw1(), HgcnArgs.F32, e, 2 * e),
        a.address("dw2", g.dw2(), HgcnArgs.F32, 2 * e, 2 * e), a.address("dw3", g.dw3(), HgcnArgs.F32, 2 * e, e),
        a.address("dgamma", g.dgamma(), HgcnArgs.F32, 1), accumulate,
        a.address("workspace", workspace, HgcnArgs.F32, HgcnBuffers.workspaceElems(n, e)));
    if (rc != 0) throw new IllegalStateException(describe() + " backward failed (" + rc + "): " + lastError());
  }
}
