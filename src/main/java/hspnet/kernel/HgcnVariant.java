package hspnet.kernel;

import java.util.Locale;

/**
 * How the CUDA kernels run (native/include/hgcn.h): one launch per phase or one cooperative launch
 * per direction, and which output tiles the products use; the _TC variants multiply float16 /
 * bfloat16 levels on tensor cores (operands rounded to the activation type, float32 sums; float32
 * levels run as _AUTO). Only a GPU can tell which is fastest; the device benchmark times them all.
 */
public enum HgcnVariant {
  STEPS_AUTO(1), STEPS_SKINNY(2), STEPS_SQUARE(3), COOP_AUTO(4), COOP_SKINNY(5), COOP_SQUARE(6), STEPS_TC(7), COOP_TC(8);

  /** What the model uses until a measurement says otherwise. */
  public static final HgcnVariant DEFAULT = STEPS_AUTO;

  private final int code;

  HgcnVariant(int code) {
    this.code = code;
  }

  int code() {
    return code;
  }

  /**
   * Whether half-type products run on tensor cores, with the arithmetic of
   * {@link HgcnKernels#cpuHalfOperands()} rather than of {@link HgcnKernels#cpu()}.
   */
  public boolean tensorCores() {
    return this == STEPS_TC || this == COOP_TC;
  }

  /** e.g. "steps-auto". */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static HgcnVariant parse(String label) {
    for (HgcnVariant v : values()) if (v.label().equals(label)) return v;
    throw new IllegalArgumentException("unknown HGCN kernel variant '" + label + "' (one of steps-auto, steps-skinny, "
        + "steps-square, coop-auto, coop-skinny, coop-square, steps-tc, coop-tc)");
  }
}
