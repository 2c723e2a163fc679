package hspnet.config;

/**
 * The {@code amp_dtype} key: the half-precision type of mixed precision on CUDA. FLOAT16 is the
 * original's (with dynamic loss scaling); BFLOAT16 has float32's exponent range (no loss scaling)
 * and 3 fewer mantissa bits.
 */
public enum AmpDtype implements Choice { FLOAT16, BFLOAT16 }
