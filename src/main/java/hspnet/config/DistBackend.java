package hspnet.config;

/**
 * The {@code dist_backend} key: the collectives of a data-parallel training. AUTO and GLOO are
 * PyTorch's c10d Gloo process group (CPU and CUDA tensors); NCCL is c10d's NCCL process group,
 * for CUDA tensors, with the CUDA build of the presets.
 */
public enum DistBackend implements Choice { AUTO, GLOO, NCCL }
