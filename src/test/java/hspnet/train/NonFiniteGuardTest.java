package hspnet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorBase;
import org.bytedeco.pytorch.TensorTensorHook;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import hspnet.model.Checkpoints;
import hspnet.run.Devices;
import hspnet.run.RunData;
import hspnet.config.RunConfig;
import hspnet.config.ConfigLoader;
import hspnet.cli.ExitStatus;
import hspnet.model.HspNet;
import hspnet.model.HspNetFactory;
import hspnet.nn.NumericalFault;
import hspnet.nn.StateDicts;
import hspnet.nn.Tensors;
import hspnet.testutil.DemoConfigs;

import static org.bytedeco.pytorch.global.torch.ones;
import java.io.IOException;
import org.bytedeco.pytorch.Module;
import hspnet.io.TorchZipReader;
import java.io.UncheckedIOException;

/**
 * A training whose loss or gradient stops being a number stops at that step, says where, and
 * leaves behind only good files: the checkpoints and resume state of the epochs before it.
 */
class NonFiniteGuardTest {
  @TempDir Path dir;

  /** 3 epochs of 5 steps on a small demo. */
  private RunConfig config() throws Exception {
    Path file = dir.resolve("nan.yaml");
    Files.writeString(file, DemoConfigs.small(dir.resolve("demo"), "nan")
        .replace("demo_train_images: 600", "demo_train_images: 160").replace("demo_val_images: 200", "demo_val_images: 64")
        .replace("epochs: 6", "epochs: 3").replace("total_epochs: 7", "total_epochs: 3"));
    return ConfigLoader.load(file);
  }

  /** What a stopped training left: the fault, the round folder. */
  private record Stopped(NumericalFault fault, Path round, String log) {}

  private Stopped train(RunConfig cfg, Trainer.StepListener poison, AtomicReference<HspNet> modelOut) throws Exception {
    Devices.configureCpuThreads(cfg);
    Path round = Files.createDirectories(dir.resolve("round"));
    try (RunData data = RunData.open(cfg, true)) {
      HspNetFactory f = new HspNetFactory(cfg, data.labels());
      HspNet model = f.build(), ema = f.build();
      modelOut.set(model);
      try (TrainLog log = new TrainLog(round.resolve("run.txt"), null)) {
        Trainer trainer = new Trainer(cfg, log, Devices.select(cfg)).onStep(poison);
        NumericalFault e = assertThrows(NumericalFault.class, () -> trainer.train(model, ema, data.train(), data.val(), round));
        return new Stopped(e, round, null);
      }
    }
  }

  /** A weight every forward uses (logit_scale, the first trainable entry, is not: HSPNet scales by 10). */
  private static String gcnWeightName(Map<String, Tensor> params) {
    return params.keySet().stream().filter(n -> n.startsWith("gc") && n.endsWith(".weight")).findFirst().orElseThrow();
  }

  private static Tensor gcnWeight(Map<String, Tensor> params) {
    return params.get(gcnWeightName(params));
  }

  @Test
  void aNanLossStopsAtItsStepAndKeepsTheLastGoodEpoch() throws Exception {
    RunConfig cfg = config();
    AtomicReference<HspNet> model = new AtomicReference<>();
    AtomicReference<byte[]> resumeAfterEpoch0 = new AtomicReference<>();
    Path round = dir.resolve("round");
    // after epoch 1's first step a weight becomes NaN: the next forward's loss is NaN
    Stopped s = train(cfg, (epoch, i, step) -> {
      if (epoch == 1 && i == 0) {
        try {
          resumeAfterEpoch0.set(Files.readAllBytes(round.resolve(ResumeState.FILE)));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        try (NoGradGuard g = new NoGradGuard()) {
          gcnWeight(StateDicts.trainable(model.get())).fill_(new Scalar(Double.NaN));
        }
      }
    }, model);
    String message = s.fault().getMessage();
    assertTrue(message.startsWith("epoch 1, step 1/5: the loss is NaN; training stopped. "), message);
    assertTrue(message.contains(round.resolve(ResumeState.FILE) + " holds the state after epoch 0"), message);
    // the log file says why the run stopped
    String log = Files.readString(round.resolve("run.txt"));
    assertTrue(log.contains("[ERROR] " + message), log);
    // resume.pt is still epoch 0's, byte for byte; the best checkpoints are epoch 0's and finite
    assertTrue(Arrays.equals(resumeAfterEpoch0.get(), Files.readAllBytes(round.resolve(ResumeState.FILE))));
    for (String name : new String[] {"model-highest.ckpt", "model-highest-regular.ckpt", "model-highest-ema.ckpt"}) {
      Map<String, Tensor> state = TorchZipReader.readStateDict(round.resolve(name));
      for (Map.Entry<String, Tensor> e : state.entrySet())
        if (e.getValue().is_floating_point()) assertTrue(e.getValue().isfinite().all().item_bool(), name + ": " + e.getKey());
    }
  }

  @Test
  void aNanGradientStopsBeforeTheOptimizerTouchesTheWeights() throws Exception {
    RunConfig cfg = config();
    AtomicReference<HspNet> model = new AtomicReference<>();
    AtomicReference<String> poisoned = new AtomicReference<>();
    Map<String, float[]> before = new LinkedHashMap<>();
    TensorTensorHook[] keep = new TensorTensorHook[1];   // the hook must stay reachable while LibTorch holds it
    Stopped s = train(cfg, (epoch, i, step) -> {
      if (epoch == 0 && i == 1) {
        // from the next backward on, one GCN weight's gradient is NaN while the loss stays finite
        Map<String, Tensor> params = StateDicts.trainable(model.get());
        String name = gcnWeightName(params);
        poisoned.set(name);
        keep[0] = new TensorTensorHook() {
          @Override
          public TensorBase call(TensorBase grad) {
            return new Tensor(grad).mul(new Scalar(Double.NaN));
          }
        };
        params.get(name).register_hook(keep[0]);
        params.forEach((n, p) -> before.put(n, Tensors.toFloats(p)));
      }
    }, model);
    String message = s.fault().getMessage();
    assertTrue(message.startsWith("epoch 0, step 2/5: the gradient of " + poisoned.get() + " holds "), message);
    assertTrue(message.contains("(NaN); training stopped. No epoch was completed: nothing to resume"), message);
    // the failed step did not reach the weights
    StateDicts.trainable(model.get()).forEach((n, p) -> assertTrue(Arrays.equals(before.get(n), Tensors.toFloats(p)), n));
    // nothing to evaluate or resume was written
    for (String name : new String[] {"model-highest.ckpt", "model-highest-regular.ckpt", "model-highest-ema.ckpt", ResumeState.FILE})
      assertFalse(Files.exists(s.round().resolve(name)), name);
  }

  @Test
  void aNonFiniteModelIsNeverWrittenAsACheckpoint() throws Exception {
    RunConfig cfg = config();
    try (RunData data = RunData.open(cfg, true)) {
      HspNet model = new HspNetFactory(cfg, data.labels()).build();
      try (NoGradGuard g = new NoGradGuard()) {
        StateDicts.of(model).values().stream().filter(Tensor::is_floating_point).reduce((a, b) -> b).orElseThrow()
            .fill_(new Scalar(Double.POSITIVE_INFINITY));
      }
      Path ckpt = dir.resolve("model-highest.ckpt");
      NumericalFault e = assertThrows(NumericalFault.class, () -> Checkpoints.save(ckpt, model));
      assertTrue(e.getMessage().startsWith(ckpt + ": not written, the model holds "), e.getMessage());
      try (var files = Files.list(dir)) {
        assertEquals(0, files.filter(p -> p.getFileName().toString().contains("model-highest")).count(), "no file, no temp file");
      }
    }
  }

  @Test
  void theLossScalerMayNotSkipAHundredStepsInARow() {
    NonFiniteGuard guard = new NonFiniteGuard(ParamGroups.of(new Module()));
    for (int k = 0; k < NonFiniteGuard.MAX_CONSECUTIVE_SKIPS - 1; k++) guard.afterScaledStep(false, 1.0);
    guard.afterScaledStep(true, 1.0);   // a clean step starts the count again
    for (int k = 0; k < NonFiniteGuard.MAX_CONSECUTIVE_SKIPS - 1; k++) guard.afterScaledStep(false, 1.0);
    NumericalFault e = assertThrows(NumericalFault.class, () -> guard.afterScaledStep(false, 0.5));
    assertTrue(e.getMessage().contains("skipped 100 steps in a row"), e.getMessage());
  }

  @Test
  void theDeviceCountOfSkippedStepsStopsTheRunWhenRead() {
    NonFiniteGuard guard = new NonFiniteGuard(ParamGroups.of(new Module()));
    Tensor skipped = ones(new long[] {}), clean = skipped.mul(new Scalar(0.0));
    for (int k = 0; k < NonFiniteGuard.MAX_CONSECUTIVE_SKIPS - 1; k++) guard.afterScaledStepOnDevice(skipped);
    guard.checkDeviceSkips(1.0);   // 99: still going
    guard.afterScaledStepOnDevice(clean);
    for (int k = 0; k < NonFiniteGuard.MAX_CONSECUTIVE_SKIPS - 1; k++) guard.afterScaledStepOnDevice(skipped);
    guard.checkDeviceSkips(1.0);   // reset by the clean step: 99 again
    guard.afterScaledStepOnDevice(skipped);
    assertThrows(NumericalFault.class, () -> guard.checkDeviceSkips(1.0));
  }

  @Test
  void aNumericalFaultEndsAMainWithOneLineAndStatus1() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = ExitStatus.of(new PrintStream(err, true, StandardCharsets.UTF_8), () -> {
      throw new NumericalFault("epoch 2, step 7/63: the loss is NaN; training stopped.");
    });
    assertEquals(1, status);
    assertEquals("error: epoch 2, step 7/63: the loss is NaN; training stopped.\n", err.toString(StandardCharsets.UTF_8));
  }
}
