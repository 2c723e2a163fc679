package hspnet.kernel;

import org.bytedeco.pytorch.Tensor;

/** Where a backward writes: dX (x's shape and type), dW1..dW3 (float32, the weights' shapes), dγ (one float32). */
public record HgcnGrads(Tensor dx, Tensor dw1, Tensor dw2, Tensor dw3, Tensor dgamma) {}
