package hspnet.kernel;

import org.bytedeco.pytorch.Tensor;

/** The parameters of the HGCN: W1 (E×2E), W2 (2E×2E), W3 (2E×E) and γ (one element), float32. */
public record HgcnWeights(Tensor w1, Tensor w2, Tensor w3, Tensor gamma) {}
