package hspnet.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import hspnet.run.Devices;
import hspnet.run.RunData;
import hspnet.config.RunConfig;
import hspnet.config.ConfigLoader;
import hspnet.model.HspNet;
import hspnet.model.HspNetFactory;
import hspnet.nn.StateDicts;
import hspnet.nn.Tensors;
import hspnet.testutil.DemoConfigs;
import java.util.Arrays;

/** The seed key makes a run repeatable: same seed, same weights after training; another seed, others. */
class SeedTest {
  @TempDir Path dir;

  private List<float[]> trainOnce(long seed, String name) throws Exception {
    Path f = dir.resolve(name + ".yaml");
    Files.writeString(f, DemoConfigs.small(dir.resolve("demo"), name)
        .replace("demo_train_images: 600", "demo_train_images: 96").replace("demo_val_images: 200", "demo_val_images: 40")
        .replace("epochs: 6", "epochs: 1").replace("total_epochs: 7", "total_epochs: 2") + "seed: " + seed + "\n");
    RunConfig cfg = ConfigLoader.load(f);
    Devices.configureCpuThreads(cfg);
    try (RunData data = RunData.open(cfg, true)) {
      HspNetFactory factory = new HspNetFactory(cfg, data.labels());
      HspNet model = factory.build(), ema = factory.build();
      new Trainer(cfg, TrainLog.consoleOnly(null), Devices.select(cfg)).train(model, ema, data.train(), data.val(), Files.createDirectories(dir.resolve(name)));
      List<float[]> out = new ArrayList<>();
      for (Map.Entry<String, Tensor> e : StateDicts.of(model).entrySet())
        if (e.getKey().startsWith("gcn") || e.getKey().startsWith("image_encoder.attnpool.c_proj")) out.add(Tensors.toFloats(e.getValue()));
      return out;
    }
  }

  @Test
  void sameSeedSameModel() throws Exception {
    List<float[]> a = trainOnce(7, "a"), b = trainOnce(7, "b"), c = trainOnce(8, "c");
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), "tensor " + i + " differs between two runs of seed 7");
    boolean differs = false;
    for (int i = 0; i < a.size(); i++) differs |= !Arrays.equals(a.get(i), c.get(i));
    assertTrue(differs, "seed 8 trains a different model");
  }
}
