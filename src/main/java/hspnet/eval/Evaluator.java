package hspnet.eval;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

import hspnet.data.Batch;
import hspnet.data.BatchLoader;
import hspnet.model.Classifier;
import hspnet.nn.Autocast;
import hspnet.nn.Transfers;

import static org.bytedeco.pytorch.global.torch.sigmoid;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Sigmoid scores of one or more models over a validation set, in one pass over its images (the
 * model and its EMA see each decoded batch once). Runs without gradients; each model's label text
 * features are computed once per evaluation, since they do not depend on the images.
 */
public final class Evaluator {
  private Evaluator() {}

  public static List<ScoreCollector> score(List<Classifier> models, BatchLoader loader, Device device, Autocast autocast) {
    BatchLoader.Epoch epoch = loader.iterator();
    try {
      return score(models, epoch, device, autocast);
    } finally {
      epoch.close();
    }
  }

  /** Scores of every model over the given batches, which are closed as they are consumed. */
  public static List<ScoreCollector> score(List<Classifier> models, Iterator<Batch> batches, Device device, Autocast autocast) {
    return score(models, batches, device, autocast, false);
  }

  /**
   * As {@link #score(List, Iterator, Device, Autocast)}, with the images made channels-last on
   * the way to the device when the models' image towers are (see HspNet.useChannelsLast).
   */
  public static List<ScoreCollector> score(List<Classifier> models, Iterator<Batch> batches, Device device, Autocast autocast,
      boolean channelsLast) {
    List<ScoreCollector> out = new ArrayList<>();
    List<Tensor> labelFeatures = new ArrayList<>();
    try (NoGradGuard g = new NoGradGuard()) {
      for (Classifier m : models) {
        out.add(new ScoreCollector());
        try (Autocast.Scope a = autocast.enter()) {
          labelFeatures.add(m.labelFeatures());
        }
      }
      while (batches.hasNext()) {
        try (PointerScope scope = new PointerScope(); Batch batch = batches.next()) {
          Tensor images = Transfers.imagesTo(batch.images(), device, channelsLast);
          for (int i = 0; i < models.size(); i++)
            out.get(i).add(scores(models.get(i), images, labelFeatures.get(i), autocast), batch.targets());
        }
      }
    }
    return out;
  }

  /**
   * Sigmoid scores (float32) of one batch already on the model's device, given the model's label
   * features: the per-batch work of an evaluation. Call without gradients.
   */
  public static Tensor scores(Classifier model, Tensor images, Tensor labelFeatures, Autocast autocast) {
    Tensor logits;
    try (Autocast.Scope a = autocast.enter()) {
      logits = model.logits(model.imageEncoder().forward(images), labelFeatures);
    }
    return sigmoid(logits.to(ScalarType.Float));
  }
}
