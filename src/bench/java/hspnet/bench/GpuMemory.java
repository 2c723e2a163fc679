package hspnet.bench;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.SizeTPair;
import org.bytedeco.pytorch.global.torch;

/**
 * Peak GPU memory over a stretch of steps. First choice: the CUDA caching allocator's statistics
 * (at::accelerator::getDeviceStats — allocated_bytes' peak, what torch.cuda.max_memory_allocated
 * reports — and resetPeakStats). Their result type lives in the presets' CUDA part, which loads
 * only with the org.bytedeco:cuda presets on the class path (the pom's gpu profile); without them
 * the fallback is the driver's view (cudaMemGetInfo through at::accelerator::getMemoryInfo):
 * total − free, sampled after every step, which also counts the CUDA context and what the caching
 * allocator holds but does not use — an upper bound. {@link #source()} says which one was used.
 */
public abstract class GpuMemory {
  /** Forgets the peak so far. */
  public abstract void resetPeak();

  /** Samples the current use (needed by the driver-level fallback only). */
  public void sample() {}

  /** Peak since the last reset, in GiB (NaN without a GPU). */
  public abstract double peakGib();

  /** Bytes in use now (allocated tensors for the allocator's statistics), -1 when unknown. */
  public abstract long currentBytes();

  /** What the figures are, for the printed report. */
  public abstract String source();

  static final double GIB = 1024.0 * 1024 * 1024;

  /** The best measurement available for {@code device}. */
  public static GpuMemory of(Device device) {
    return of(device, "auto");
  }

  /**
   * @param how "auto" (allocator statistics if they load, else the driver's view), "allocator",
   *     "driver" (never touches the CUDA presets: for a machine where loading them is a risk) or
   *     "none" (not measured)
   */
  public static GpuMemory of(Device device, String how) {
    if (!device.is_cuda()) return new None("no GPU");
    if (how.equals("none")) return new None("not measured (--memory none)");
    byte index = device.has_index() ? device.index() : 0;
    if (how.equals("driver")) return new DriverView(index, "--memory driver");
    try {
      AllocatorStats stats = new AllocatorStats(index);
      stats.currentBytes();          // loads the CUDA part of the presets, or fails here
      return stats;
    } catch (LinkageError | RuntimeException e) {
      if (how.equals("allocator")) throw new IllegalStateException("the CUDA caching allocator's statistics do not load: " + e, e);
      return new DriverView(index, e.getClass().getSimpleName());
    }
  }

  static final class None extends GpuMemory {
    private final String why;

    None(String why) { this.why = why; }

    @Override public void resetPeak() {}
    @Override public double peakGib() { return Double.NaN; }
    @Override public long currentBytes() { return -1; }
    @Override public String source() { return why; }
  }

  static final class AllocatorStats extends GpuMemory {
    private final byte index;

    AllocatorStats(byte index) { this.index = index; }

    @Override public void resetPeak() { torch.resetPeakStats(index); }

    @Override public double peakGib() {
      return torch.getDeviceStats(index).allocated_bytes().peak() / GIB;
    }

    @Override public long currentBytes() {
      return torch.getDeviceStats(index).allocated_bytes().current();
    }

    @Override public String source() {
      return "CUDA caching allocator: peak of allocated bytes (torch.cuda.max_memory_allocated)";
    }
  }

  static final class DriverView extends GpuMemory {
    private final byte index;
    private final String why;
    private long peak;

    DriverView(byte index, String why) {
      this.index = index;
      this.why = why;
    }

    private long used() {
      SizeTPair freeTotal = torch.getMemoryInfo(index);
      return freeTotal.second() - freeTotal.first();
    }

    @Override public void resetPeak() { peak = used(); }

    @Override public void sample() { peak = Math.max(peak, used()); }

    @Override public double peakGib() {
      sample();
      return peak / GIB;
    }

    @Override public long currentBytes() { return used(); }

    @Override public String source() {
      return "driver (total - free, sampled after each step; includes the CUDA context and the allocator's cache: an upper bound;"
          + " allocator statistics unavailable: " + why + ")";
    }
  }
}
