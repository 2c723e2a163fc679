package hspnet.nn;

import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Autocast on CUDA, as the original's {@code with autocast():} — fp16 by default, bf16 as an option
 * (the {@code amp_dtype} key). Enabled only on CUDA with amp on; elsewhere entering it changes
 * nothing. Used as try-with-resources around forward passes.
 */
public final class Autocast {
  private final boolean enabled;
  private final ScalarType dtype;

  /** fp16 autocast when {@code enabled}, as the original. */
  public Autocast(boolean enabled) {
    this(enabled, ScalarType.Half);
  }

  /** @param dtype Half or BFloat16: the type autocast runs matrix products and convolutions in */
  public Autocast(boolean enabled, ScalarType dtype) {
    ScalarType d = dtype.intern();
    if (d != ScalarType.Half && d != ScalarType.BFloat16)
      throw new IllegalArgumentException("autocast runs in Half or BFloat16, not " + d);
    this.enabled = enabled;
    this.dtype = d;
  }

  public static Autocast off() { return new Autocast(false); }

  /**
   * The dtype named by the {@code amp_dtype} key: {@code float16} (the original's) or
   * {@code bfloat16} (same range as float32: no loss scaling needed, 3 fewer mantissa bits).
   */
  public static ScalarType dtypeNamed(String name) {
    return switch (name) {
      case "float16" -> ScalarType.Half;
      case "bfloat16" -> ScalarType.BFloat16;
      default -> throw new IllegalArgumentException("amp_dtype must be float16 or bfloat16, not '" + name + "'");
    };
  }

  public boolean enabled() { return enabled; }

  public ScalarType dtype() { return dtype; }

  /** fp16 autocast is the one that needs dynamic loss scaling (bf16 has float32's exponent range). */
  public boolean needsLossScaling() { return enabled && dtype == ScalarType.Half; }

  public Scope enter() {
    if (!enabled) return () -> {};
    boolean previous = torch.is_autocast_enabled(DeviceType.CUDA);
    ScalarType previousDtype = torch.get_autocast_dtype(DeviceType.CUDA).intern();
    // The presets cannot clear autocast's cache of fp16 weight copies when a region ends, and a
    // cached copy would outlive the optimizer step that changes its weight: run without the cache.
    torch.set_autocast_cache_enabled(false);
    torch.set_autocast_dtype(DeviceType.CUDA, dtype);
    torch.set_autocast_enabled(DeviceType.CUDA, true);
    return () -> {
      torch.set_autocast_enabled(DeviceType.CUDA, previous);
      torch.set_autocast_dtype(DeviceType.CUDA, previousDtype);
    };
  }

  /**
   * What autocast does right now to CUDA ops ("off", "Half", "BFloat16"): results computed under
   * one state are not interchangeable with results computed under another.
   */
  public static String currentState() {
    if (!torch.is_autocast_enabled(DeviceType.CUDA)) return "off";
    return torch.get_autocast_dtype(DeviceType.CUDA).intern().name();
  }

  /** Leaves autocast when closed. */
  @FunctionalInterface
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }
}
