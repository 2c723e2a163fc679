package hspnet.clip;

/**
 * A head count that does not fit the widths read from the weights (OpenAI's rule gives 0 heads for
 * a tower narrower than 64, or an explicit count does not divide the width). Callers map it to the
 * option that sets that tower's heads.
 */
public final class HeadCountException extends IllegalArgumentException {
  private final boolean visionTower;

  HeadCountException(boolean visionTower, String message) {
    super(message);
    this.visionTower = visionTower;
  }

  /** True for the image tower's count, false for the text transformer's. */
  public boolean visionTower() {
    return visionTower;
  }
}
