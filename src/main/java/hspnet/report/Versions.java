package hspnet.report;

import java.lang.reflect.Method;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import hspnet.nn.CpuNumerics;
import java.io.IOException;

/** The software and hardware a run used, for summary.txt: results are only comparable with them. */
public final class Versions {
  private static final Pattern CUDA_RUNTIME = Pattern.compile("CUDA Runtime (\\d+(?:\\.\\d+)*)");
  private static final Pattern CUDA_VERSION = Pattern.compile("CUDA_VERSION=(\\d+(?:\\.\\d+)*)");

  private Versions() {}

  public static String java() {
    return System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
        + System.getProperty("java.vm.name") + ")";
  }

  /** LibTorch's version, from the version of the JavaCPP presets that ship it ("2.10.0-1.5.13"). */
  public static String libTorch() {
    String v;
    try {
      v = Loader.getVersion("org.bytedeco", "pytorch");
    } catch (IOException e) {
      v = null;
    }
    if (v == null) return "unknown";
    int dash = v.indexOf('-');
    return dash < 0 ? v : v.substring(0, dash) + " (JavaCPP presets " + v.substring(dash + 1) + ")";
  }

  /** The CUDA version LibTorch was built with and the devices it sees, or "none" for a CPU build. */
  public static String cuda() {
    String config;
    try (BytePointer p = torch.show_config()) {
      config = p.getString();
    }
    String version = cudaVersion(config);
    if (version == null) return "none (LibTorch built without CUDA)";
    return torch.cuda_is_available() ? version + " (" + torch.cuda_device_count() + " device(s))" : version + " (no device available)";
  }

  /** The CUDA version in LibTorch's build configuration text, null when it was built without. */
  static String cudaVersion(String showConfig) {
    Matcher m = CUDA_RUNTIME.matcher(showConfig);
    if (m.find()) return m.group(1);
    m = CUDA_VERSION.matcher(showConfig);
    return m.find() ? m.group(1) : null;
  }

  /** "cpu, 1 LibTorch thread(s), {the pinned CPU kernels}" or "cuda:0 (NVIDIA H100 …)" when the device's name can be read. */
  public static String device(Device device, int cpuThreads) {
    if (!device.is_cuda())
      return String.format(Locale.ROOT, "cpu, %d LibTorch thread(s), %s", cpuThreads, CpuNumerics.pin().describe());
    int index = Math.max(0, device.index());
    String name = cudaDeviceName(index);
    return "cuda:" + index + (name == null ? "" : " (" + name + ")");
  }

  /**
   * The GPU's name through the CUDA presets, which only the gpu build has on its class path;
   * looked up reflectively so that the CPU build compiles and runs without them.
   */
  static String cudaDeviceName(int index) {
    try {
      Class<?> cudart = Class.forName("org.bytedeco.cuda.global.cudart");
      Class<?> props = Class.forName("org.bytedeco.cuda.cudart.cudaDeviceProp");
      Object p = props.getConstructor().newInstance();
      for (String fn : new String[] {"cudaGetDeviceProperties", "cudaGetDeviceProperties_v2"}) {
        try {
          Method get = cudart.getMethod(fn, props, int.class);
          if (((Number) get.invoke(null, p, index)).intValue() != 0) return null;
          Object name = props.getMethod("name").invoke(p);
          return name instanceof BytePointer b ? b.getString().trim() : String.valueOf(name).trim();
        } catch (NoSuchMethodException e) {
          // try the other name (CUDA 12 renamed it)
        }
      }
      return null;
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      return null;
    }
  }
}
