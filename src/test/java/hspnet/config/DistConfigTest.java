package hspnet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The data-parallel keys: dist_backend (auto and gloo are Gloo; nccl is refused) and dist_timeout_s. */
class DistConfigTest {
  private static final Path DEMO = Path.of("configs", "hspnet+demo.yaml");

  @Test
  void defaultsAreGlooWithFiveMinutes() {
    RunConfig c = ConfigLoader.load(DEMO);
    assertEquals(DistBackend.AUTO, c.distBackend());
    assertEquals(300, c.distTimeoutS());
    assertEquals(DistBackend.GLOO, ConfigLoader.load(DEMO, List.of("dist_backend=gloo", "dist_timeout_s=20")).distBackend());
  }

  @Test
  void ncclNeedsCudaAndTheTimeoutAPositiveNumber() {
    assertEquals(DistBackend.NCCL, ConfigLoader.load(DEMO, List.of("dist_backend=nccl", "device=auto")).distBackend());
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(DEMO, List.of("dist_backend=nccl", "device=cpu")));
    assertTrue(e.getMessage().contains("key 'dist_backend': nccl reduces CUDA tensors only"), e.getMessage());
    ConfigException t = assertThrows(ConfigException.class, () -> ConfigLoader.load(DEMO, List.of("dist_timeout_s=0")));
    assertTrue(t.getMessage().contains("dist_timeout_s"), t.getMessage());
    ConfigException w = assertThrows(ConfigException.class, () -> ConfigLoader.load(DEMO, List.of("dist_backend=mpi")));
    assertTrue(w.getMessage().contains("must be one of auto, gloo, nccl"), w.getMessage());
  }
}
