package hspnet.train;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;

import hspnet.config.Config;

/** The device a run uses: the config's {@code device} key (auto: CUDA when available). */
public final class Devices {
  private Devices() {}

  public static Device select(Config cfg) {
    boolean cuda = torch.cuda_is_available();
    return switch (cfg.device()) {
      case "cpu" -> new Device(DeviceType.CPU);
      case "cuda" -> {
        if (!cuda)
          throw cfg.error("device", "cuda was asked for but LibTorch sees no CUDA device "
              + "(build with 'mvn -Pgpu package' for the CUDA natives, and check the driver)");
        yield new Device(DeviceType.CUDA);
      }
      default -> new Device(cuda ? DeviceType.CUDA : DeviceType.CPU);
    };
  }

  public static String describe(Device d) {
    return d.is_cuda() ? "cuda" : "cpu";
  }
}
