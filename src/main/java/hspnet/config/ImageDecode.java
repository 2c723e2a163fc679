package hspnet.config;

/**
 * The {@code image_decode} key: where JPEGs are decoded and brought to CLIP's input. CPU is the
 * Pillow-exact path (libjpeg-turbo, Pillow's fixed-point resize); GPU decodes with nvJPEG on the
 * training device and resizes with LibTorch's antialiased bicubic there (within a few 8-bit levels
 * of Pillow, not bit-exact), leaving the CPU cores to everything else.
 */
public enum ImageDecode implements Choice { CPU, GPU }
