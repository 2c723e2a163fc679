package hspnet.run;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;

import hspnet.config.DeviceChoice;
import hspnet.config.RunConfig;
import hspnet.nn.CpuNumerics;

/**
 * The device a run uses (the config's {@code device} key; auto: CUDA when available) and its
 * settings.
 */
public final class Devices {
  private Devices() {}

  /** The config's device; pins the CPU kernels first ({@link CpuNumerics}), before any tensor exists. */
  public static Device select(RunConfig cfg) {
    return select(cfg, 0);
  }

  /** Whether {@link #select(RunConfig)} gives a CUDA device (it fails when cuda is asked for but absent). */
  public static boolean cuda(RunConfig cfg) {
    return cfg.device() != DeviceChoice.CPU && torch.cuda_is_available();
  }

  /**
   * As {@link #select(RunConfig)}; a CUDA device is GPU {@code localRank} (a data-parallel rank
   * uses the GPU of its LOCAL_RANK, as torchrun users do).
   */
  public static Device select(RunConfig cfg, int localRank) {
    CpuNumerics.pin();
    boolean cuda = torch.cuda_is_available();
    return switch (cfg.device()) {
      case CPU -> new Device(DeviceType.CPU);
      case CUDA -> {
        if (!cuda)
          throw cfg.error("device", "cuda was asked for but LibTorch sees no CUDA device "
              + "(build with 'mvn -Pgpu package' for the CUDA natives, and check the driver)");
        yield cuda(localRank);
      }
      case AUTO -> cuda ? cuda(localRank) : new Device(DeviceType.CPU);
    };
  }

  private static Device cuda(int index) {
    setCudnnBenchmark(true);
    if (index == 0) return new Device(DeviceType.CUDA);
    if (index >= torch.cuda_device_count())
      throw new IllegalArgumentException("LOCAL_RANK " + index + " has no GPU: LibTorch sees " + torch.cuda_device_count()
          + " CUDA device(s); start at most that many processes per node");
    return new Device(DeviceType.CUDA, (byte) index);
  }

  /**
   * cuDNN benchmark mode (torch.backends.cudnn.benchmark): the first convolution of each shape
   * times cuDNN's algorithms and keeps the fastest. The shapes are fixed during a run (one image
   * size, one batch size but for the last batch), so the search costs a few steps once. The
   * algorithms it picks compute the same convolution with another order of float additions.
   */
  public static void setCudnnBenchmark(boolean on) {
    torch.globalContext().setBenchmarkCuDNN(on);
  }

  /**
   * Sets LibTorch's intra-op threads for CPU math. On small machines, many threads for tiny ops
   * cost more in hand-offs than they gain (measured on 2 cores: a text-encoder forward+backward
   * took 270 ms with 2 threads, 10 ms with 1), and the image decoders need cores too.
   */
  public static int configureCpuThreads(RunConfig cfg) {
    int threads = cfg.cpuThreads() > 0 ? cfg.cpuThreads() : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    torch.set_num_threads(threads);
    return threads;
  }

  public static String describe(Device d) {
    return d.is_cuda() ? "cuda" : "cpu";
  }
}
