package hspnet.nn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The instruction-set flags of this machine's CPU, as the kernel reports them in /proc/cpuinfo
 * (empty elsewhere: no pinning is attempted where the flags cannot be read).
 */
public final class CpuFlags {
  private static final Set<String> FLAGS = read(Path.of("/proc/cpuinfo"));

  private CpuFlags() {}

  /** AVX2 with FMA: what LibTorch's AVX2 kernels and OpenBLAS's Haswell kernels need. */
  public static boolean hasAvx2() {
    return FLAGS.contains("avx2") && FLAGS.contains("fma");
  }

  /** AVX-512 foundation: on such CPUs LibTorch and OpenBLAS would pick wider kernels by default. */
  public static boolean hasAvx512() {
    return FLAGS.contains("avx512f");
  }

  static Set<String> read(Path cpuinfo) {
    Set<String> flags = new TreeSet<>();
    try {
      for (String line : Files.readAllLines(cpuinfo)) {
        int colon = line.indexOf(':');
        if (colon < 0 || !line.substring(0, colon).trim().equals("flags")) continue;
        for (String f : line.substring(colon + 1).trim().split("\\s+")) flags.add(f.toLowerCase(Locale.ROOT));
        break;   // every core lists the same flags
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or no procfs: nothing known
    }
    return flags;
  }
}
