package hspnet.eval;

import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * fp16 autocast on CUDA, as the original's {@code with autocast():}. Enabled only on CUDA with amp
 * on; elsewhere entering it changes nothing. Used as try-with-resources around forward passes.
 */
public final class Autocast {
  private final boolean enabled;

  public Autocast(boolean enabled) {
    this.enabled = enabled;
  }

  public static Autocast off() { return new Autocast(false); }

  public boolean enabled() { return enabled; }

  public Scope enter() {
    if (!enabled) return () -> {};
    boolean previous = torch.is_autocast_enabled(DeviceType.CUDA);
    // The presets cannot clear autocast's cache of fp16 weight copies when a region ends, and a
    // cached copy would outlive the optimizer step that changes its weight: run without the cache.
    torch.set_autocast_cache_enabled(false);
    torch.set_autocast_dtype(DeviceType.CUDA, ScalarType.Half);
    torch.set_autocast_enabled(DeviceType.CUDA, true);
    return () -> {
      torch.set_autocast_enabled(DeviceType.CUDA, previous);
    };
  }

  /** Leaves autocast when closed. */
  @FunctionalInterface
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }
}
