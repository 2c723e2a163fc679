package hspnet.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import hspnet.run.Devices;
import hspnet.run.RunData;
import hspnet.config.RunConfig;
import hspnet.config.ConfigLoader;
import hspnet.model.HspNet;
import hspnet.model.HspNetFactory;
import hspnet.testutil.DemoConfigs;

/**
 * LibTorch tensors live in native memory: a training loop that leaks a few tensors per step grows
 * the process step after step. This trains for a while and asserts that the resident size after
 * warm-up stays flat (within a bound far below what a per-step leak of one batch would add).
 */
class NativeMemoryTest {
  @TempDir Path dir;

  /**
   * Resident size minus the Java heap the JVM has committed: what LibTorch, OpenCV and the JVM's
   * own native parts hold. (The heap grows as the JVM sees fit and would only add noise.)
   */
  static long nativeBytes() {
    return Pointer.physicalBytes() - Runtime.getRuntime().totalMemory();
  }

  /**
   * {@link #nativeBytes()} after handing malloc's free pages back to the system (malloc_trim):
   * without it the resident size moves by ±20 MiB from step to step as glibc's arenas keep or
   * release freed blocks, noise of the size the bound below must tell apart from a leak.
   */
  static long trimmedNativeBytes() {
    Pointer.trimMemory();
    return nativeBytes();
  }

  static long median(List<Long> xs) {
    return xs.stream().sorted().toList().get(xs.size() / 2);
  }

  @Test
  void residentMemoryDoesNotGrowStepAfterStep() throws Exception {
    Path cfgFile = dir.resolve("mem.yaml");
    Files.writeString(cfgFile, DemoConfigs.small(dir.resolve("demo"), "mem")
        .replace("demo_train_images: 600", "demo_train_images: 320")
        .replace("epochs: 6", "epochs: 10").replace("total_epochs: 7", "total_epochs: 10"));
    RunConfig cfg = ConfigLoader.load(cfgFile);
    Devices.configureCpuThreads(cfg);
    List<Long> rss = new ArrayList<>();
    try (RunData data = RunData.open(cfg, true)) {
      HspNetFactory f = new HspNetFactory(cfg, data.labels());
      HspNet model = f.build(), ema = f.build();
      new Trainer(cfg, TrainLog.consoleOnly(null), Devices.select(cfg))
          .onStep((epoch, i, step) -> rss.add(trimmedNativeBytes()))
          .train(model, ema, data.train(), data.val(), Files.createDirectories(dir.resolve("round")));
    }
    assertEquals(100, rss.size(), "10 epochs of 10 steps");
    // one batch of images is 32·3·64·64·4 bytes = 1.5 MiB: a leak of one per step would add 75 MiB
    // between step 50 and step 100 (the first epochs warm up the allocator and the validation)
    long warm = median(rss.subList(40, 50));
    long end = median(rss.subList(90, 100));
    double growthMiB = (end - warm) / (1024.0 * 1024.0);
    for (int i = 9; i < 100; i += 10) System.out.printf("step %d: %.1f MiB%n", i + 1, rss.get(i) / 1048576.0);
    System.out.printf("native resident size: %.1f MiB at step 50, %.1f MiB at step 100 (growth %.1f MiB over 50 steps)%n",
        warm / 1048576.0, end / 1048576.0, growthMiB);
    assertTrue(growthMiB < 24, "native memory grew by " + growthMiB + " MiB over 50 steps");
  }
}
