package hspnet.bench;

import java.util.Arrays;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;

/**
 * Times a step the way GPU timings must be taken: warm-up steps first (JIT compilation, CUDA
 * context, cuDNN's algorithm search, the caching allocator's first allocations), then each timed
 * step between two device synchronisations (CUDA runs asynchronously: without them the clock
 * measures kernel launches), each inside its own PointerScope; the median of the step times.
 */
public final class StepTimer {
  /** Median and spread of the timed steps, in milliseconds; the peak memory over them. */
  public record Timing(double medianMs, double minMs, double maxMs, int steps, double peakGib) {
    public double imagesPerSecond(int batch) {
      return batch * 1000.0 / medianMs;
    }
  }

  /** One step of work; its native objects belong to the PointerScope the timer opens around it. */
  @FunctionalInterface
  public interface Step {
    void run(int index);
  }

  private final Device device;
  private final GpuMemory memory;

  public StepTimer(Device device, GpuMemory memory) {
    this.device = device;
    this.memory = memory;
  }

  public Timing time(Step step, int warmup, int steps) {
    if (steps < 1) throw new IllegalArgumentException("at least one timed step, got " + steps);
    for (int i = 0; i < warmup; i++) {
      try (PointerScope s = new PointerScope()) {
        step.run(i);
      }
    }
    sync();
    memory.resetPeak();
    double[] ms = new double[steps];
    for (int i = 0; i < steps; i++) {
      try (PointerScope s = new PointerScope()) {
        sync();
        long t0 = System.nanoTime();
        step.run(warmup + i);
        sync();
        ms[i] = (System.nanoTime() - t0) / 1e6;
      }
      memory.sample();
    }
    double peak = memory.peakGib();
    Arrays.sort(ms);
    double median = steps % 2 == 1 ? ms[steps / 2] : (ms[steps / 2 - 1] + ms[steps / 2]) / 2;
    return new Timing(median, ms[0], ms[steps - 1], steps, peak);
  }

  /** Waits for the device's queued work (nothing to wait for on the CPU). */
  public void sync() {
    if (device.is_cuda()) torch.cuda_synchronize();
  }
}
