package hspnet.config;

/**
 * The {@code hgcn_backend} key: how the hierarchical GCN is computed, as LibTorch ops or by the
 * fused native kernel of native/ (on CUDA the CUDA kernels, on the CPU their reference
 * implementation). AUTO takes the fused kernel on CUDA when its library loads and runs there,
 * LibTorch otherwise (on the CPU the composition with BLAS is faster than the single-threaded
 * reference).
 */
public enum HgcnBackend implements Choice { AUTO, LIBTORCH, FUSED }
