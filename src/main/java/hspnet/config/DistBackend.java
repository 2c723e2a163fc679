package hspnet.config;

/**
 * The {@code dist_backend} key: the collectives of a data-parallel training. AUTO and GLOO are
 * PyTorch's c10d Gloo process group (CPU and CUDA tensors); NCCL is refused when the config is
 * read (see {@link RunConfig}).
 */
public enum DistBackend implements Choice { AUTO, GLOO, NCCL }
