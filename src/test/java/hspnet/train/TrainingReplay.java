package hspnet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.stream.LongStream;
import java.util.Map;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.DeviceType;

import com.fasterxml.jackson.databind.JsonNode;

import hspnet.data.Batch;
import hspnet.io.Npy;
import hspnet.io.NpyArray;
import hspnet.loss.Splc;
import hspnet.model.HspNet;
import hspnet.nn.StateDicts;
import hspnet.nn.Tensors;
import hspnet.testutil.FixtureModels;
import hspnet.testutil.Fixtures;
import hspnet.testutil.Shared;

/**
 * One replay of a fixture's training steps (cases.json → train.&lt;variant&gt;) through {@link
 * TrainingState}, the step and validation units the trainer's loop runs, recording everything the
 * original recorded: losses, corrected targets, logits, lr and beta1 in the optimizer, the
 * gradients of the first step, validation scores and mAP after each epoch, the initial, final model
 * and EMA states. Every size (steps, epochs, groups, batch) comes from cases.json and the files.
 *
 * <p>The recorded tensors live in a PointerScope that stays open until {@link #close()}.
 */
final class TrainingReplay implements AutoCloseable {
  final String variant;
  final JsonNode train;
  final List<Float> losses = new ArrayList<>();
  final List<Tensor> logits = new ArrayList<>(), corrected = new ArrayList<>();
  final List<double[]> lrUsed = new ArrayList<>(), beta1Used = new ArrayList<>();
  final List<double[]> lrAfter = new ArrayList<>(), beta1After = new ArrayList<>();
  final List<Boolean> encoderTraining = new ArrayList<>();
  final List<TrainingState.Validation> validations = new ArrayList<>();
  final Map<String, Tensor> step0Grads = new LinkedHashMap<>();
  final List<String> step0WithoutGrad = new ArrayList<>();
  final List<List<String>> groupNames = new ArrayList<>();
  final Map<String, Tensor> initial, finalModel, finalEma;
  /** The targets the data loader gave at each step (input of SPLC), flattened per step. */
  final List<long[]> givenTargets = new ArrayList<>();
  private final PointerScope scope;

  private TrainingReplay(String variant, JsonNode train, PointerScope scope, Map<String, Tensor> initial,
      Map<String, Tensor> finalModel, Map<String, Tensor> finalEma) {
    this.variant = variant;
    this.train = train;
    this.scope = scope;
    this.initial = initial;
    this.finalModel = finalModel;
    this.finalEma = finalEma;
  }

  /** A fixture file of this variant, named by train.&lt;variant&gt;.files.&lt;key&gt;. */
  Path file(String key) {
    JsonNode name = train.path("files").path(key);
    assertTrue(name.isTextual(), "cases.json train." + variant + ".files has no " + key);
    return Shared.fixture(name.asText());
  }

  /** Number of optimizer parameter groups (4: add_weight_decay's no-decay / decay, GCN or not). */
  int groups() {
    return train.get("param_groups").size();
  }

  static TrainingReplay run(String variant) throws IOException {
    JsonNode train = Fixtures.variant("train", variant);
    PointerScope scope = new PointerScope();
    try {
      return replay(variant, train, scope);
    } catch (RuntimeException | IOException | Error e) {
      scope.close();
      throw e;
    }
  }

  private static TrainingReplay replay(String variant, JsonNode train, PointerScope scope) throws IOException {
    JsonNode recipe = train.get("recipe");
    int stepsPerEpoch = recipe.get("steps_per_epoch").asInt();
    double[] maxLr = Fixtures.doubles(recipe.get("max_lr"));
    assertEquals(train.get("param_groups").size(), maxLr.length, "one max_lr per parameter group");
    JsonNode splc = recipe.get("splc");
    Splc splcLoss = new Splc(splc.get("tau").asDouble(), splc.get("change_epoch").asInt(), splc.get("margin").asDouble(), splc.get("gamma").asDouble());
    TrainingState.Recipe r = new TrainingState.Recipe(maxLr, recipe.get("total_steps").asLong(),
        recipe.get("weight_decay").asDouble(), recipe.get("ema_decay").asDouble(), splcLoss, false);
    assertEquals(Splc.defaults().tau(), splcLoss.tau(), "train.py's SPLC() defaults");
    assertEquals(Splc.defaults().changeEpoch(), splcLoss.changeEpoch());

    String hspnetVariant = Fixtures.variantOf("hspnet", train.get("hspnet").asText());
    HspNet model = FixtureModels.withState(FixtureModels.hspnet(hspnetVariant), Shared.fixture(train.get("initial_state").asText()));
    HspNet emaModel = FixtureModels.hspnet(hspnetVariant);
    Map<String, Tensor> initial = copies(StateDicts.of(model));
    TrainingReplay out = new TrainingReplay(variant, train, scope, initial, new LinkedHashMap<>(), new LinkedHashMap<>());
    Tensor images = Npy.read(out.file("images")).toTensor();
    Tensor targets = Npy.read(out.file("targets")).toTensor();
    NpyArray valImages = Npy.read(out.file("val_images"));
    NpyArray valTargets = Npy.read(out.file("val_targets"));

    TrainingState state = new TrainingState(model, emaModel, r, new Device(DeviceType.CPU));
    for (int g = 0; g < out.groups(); g++) out.groupNames.add(new ArrayList<>(state.groups().group(g).keySet()));
    int epochs = recipe.get("epochs_run").asInt();
    state.setModesFor(0, true);
    for (int epoch = 0; epoch < epochs; epoch++) {
      for (int i = 0; i < stepsPerEpoch; i++) {
        long step = (long) epoch * stepsPerEpoch + i;
        out.lrUsed.add(lrs(state.optimizer(), out.groups()));
        out.beta1Used.add(beta1s(state.optimizer(), out.groups()));
        out.encoderTraining.add(model.imageEncoder().is_training());
        Tensor given = targets.select(0, step);
        out.givenTargets.add(Tensors.toLongs(given));
        TrainingState.StepResult result = state.step(images.select(0, step), given, epoch, step);
        out.losses.add(result.loss().item_float());
        out.logits.add(result.logits().detach().clone());
        out.corrected.add(result.correctedTargets().clone());
        out.lrAfter.add(lrs(state.optimizer(), out.groups()));
        out.beta1After.add(beta1s(state.optimizer(), out.groups()));
        if (step == 0) {
          // the gradients the first optimizer.step() used are still in place after it
          StateDicts.trainable(model).forEach((name, p) -> {
            Tensor grad = p.grad();
            if (grad.defined()) out.step0Grads.put(name, grad.clone());
            else out.step0WithoutGrad.add(name);
          });
        }
      }
      long n = valImages.shape()[0];
      Batch val = new Batch(valImages.toTensor(), valTargets.toTensor(), paths(n), LongStream.range(0, n).toArray());
      out.validations.add(state.validate(List.of(val).iterator()));
    }
    out.finalModel.putAll(copies(StateDicts.of(model)));
    out.finalEma.putAll(copies(StateDicts.of(state.ema().module())));
    state.close();
    return out;
  }

  @Override
  public void close() {
    scope.close();
  }

  private static double[] lrs(AdamWithGroups adam, int groups) {
    double[] out = new double[groups];
    for (int g = 0; g < groups; g++) out[g] = adam.lr(g);
    return out;
  }

  private static double[] beta1s(AdamWithGroups adam, int groups) {
    double[] out = new double[groups];
    for (int g = 0; g < groups; g++) out[g] = adam.beta1(g);
    return out;
  }

  private static Map<String, Tensor> copies(Map<String, Tensor> state) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    state.forEach((k, v) -> out.put(k, v.detach().clone()));
    return out;
  }

  private static List<String> paths(long n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add("val" + i);
    return out;
  }
}
