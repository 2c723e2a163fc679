package hspnet.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.bytedeco.pytorch.Device;

/** What a benchmark row says about where it was measured: date, commit, card. */
public final class RunInfo {
  private RunInfo() {}

  /** Today in UTC, ISO format. */
  public static String date() {
    return LocalDate.now(ZoneOffset.UTC).toString();
  }

  /**
   * The commit measured: {@code HSPNET_COMMIT} when set (a copy of the tree without .git, as on
   * the GPU machine), otherwise git's short hash of HEAD, with "+dirty" when tracked files differ
   * from it; "unknown" without either.
   */
  public static String commit(Path root) {
    String env = System.getenv("HSPNET_COMMIT");
    if (env != null && !env.isBlank()) return env.strip();
    String hash = run(root, "git", "rev-parse", "--short=10", "HEAD");
    if (hash == null || hash.isBlank()) return "unknown";
    String dirty = run(root, "git", "status", "--porcelain", "--untracked-files=no");
    return hash.strip() + (dirty != null && !dirty.isBlank() ? "+dirty" : "");
  }

  /** The card's name as the driver reports it (nvidia-smi), "cuda" if it cannot be asked; "cpu" on the CPU. */
  public static String deviceName(Device device) {
    if (!device.is_cuda()) return "cpu";
    String index = String.valueOf(device.has_index() ? device.index() : 0);
    String visible = System.getenv("CUDA_VISIBLE_DEVICES");
    if (visible != null && !visible.isBlank()) {          // nvidia-smi numbers all cards, CUDA only the visible ones
      String[] ids = visible.split(",");
      int i = Integer.parseInt(index);
      if (i < ids.length) index = ids[i].strip();
    }
    String name = run(Path.of("."), "nvidia-smi", "--query-gpu=name", "--format=csv,noheader", "-i", index);
    if (name == null || name.isBlank()) return "cuda";
    return name.lines().findFirst().orElse("cuda").strip();
  }

  /** stdout of a command that ends within 10 s with status 0, else null. */
  static String run(Path dir, String... command) {
    try {
      Process p = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      byte[] out;
      try (InputStream in = p.getInputStream()) {
        out = in.readAllBytes();
      }
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
