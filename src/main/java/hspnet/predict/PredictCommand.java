package hspnet.predict;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.bytedeco.pytorch.Device;

import hspnet.config.Config;
import hspnet.config.ConfigException;
import hspnet.config.ConfigLoader;
import hspnet.data.ClipTransform;
import hspnet.data.LabelSet;
import hspnet.io.AtomicFiles;
import hspnet.model.HspNet;
import hspnet.model.HspNetFactory;
import hspnet.model.RelationCache;
import hspnet.train.Checkpoints;
import hspnet.train.Devices;
import hspnet.train.RoundFolder;
import hspnet.train.RunData;

/**
 * What {@code hspnet-predict} does: builds the config's model, loads the checkpoint strictly,
 * scores the images batch by batch and writes the predictions. Unreadable images are reported on
 * {@code err} as they are met and counted at the end.
 */
public final class PredictCommand {
  /** What a run did: images predicted and inputs skipped. */
  public record Outcome(int predicted, List<ImageInputs.Unreadable> unreadable) {}

  private PredictCommand() {}

  public static Outcome run(PredictArgs a, Path checkpointsRoot, PrintStream out, PrintStream err) throws IOException {
    Config cfg = ConfigLoader.load(a.configFile());
    Device device = Devices.select(cfg);
    Devices.configureCpuThreads(cfg);
    HspNetFactory.check(cfg);
    Path checkpoint = checkpoint(a, cfg, checkpointsRoot);
    LabelSet labels = RunData.labels(cfg);
    ImageInputs.Expanded inputs = ImageInputs.expand(a.inputs());
    List<ImageInputs.Unreadable> unreadable = new ArrayList<>(inputs.unreadable());
    unreadable.forEach(u -> err.println("skipped " + u.path() + ": " + u.reason()));
    if (inputs.images().isEmpty())
      throw new IllegalArgumentException("no image to predict among " + a.inputs().size() + " input(s)");

    HspNet model = model(cfg, labels, checkpointsRoot, checkpoint);
    List<Prediction> predictions = new ArrayList<>();
    ClipTransform transform = new ClipTransform(cfg.imageSize(), ClipTransform.Resize.of(cfg.imageResize()));
    int batchSize = a.batchSize() != null ? a.batchSize() : cfg.batchSize();
    try (Predictor predictor = new Predictor(model, device, cfg.amp(), cfg.imageSize());
         ImageBatches batches = new ImageBatches(inputs.images(), transform, batchSize, cfg.workers(),
             line -> err.println("warning: " + line))) {
      while (batches.hasNext()) {
        ImageBatches.Decoded b = batches.next();
        b.unreadable().forEach(u -> err.println("skipped " + u.path() + ": " + u.reason()));
        unreadable.addAll(b.unreadable());
        float[][] scores = predictor.scores(b.pixels(), b.size());
        for (int i = 0; i < b.size(); i++) predictions.add(new Prediction(b.paths().get(i), scores[i]));
      }
    }

    if (predictions.isEmpty())
      throw new IllegalArgumentException("none of the " + inputs.images().size() + " image file(s) could be read ("
          + unreadable.size() + " unreadable input(s) listed above)");
    double threshold = a.threshold() != null ? a.threshold() : cfg.thre();
    PredictionFormats.Context ctx = new PredictionFormats.Context(labels, threshold, a.topK(), checkpoint.toString(),
        cfg.file().toString());
    String text = PredictionFormats.format(a.format(), predictions, unreadable, ctx);
    if (a.out() == null) {
      out.print(text);
      out.flush();
    } else {
      AtomicFiles.write(a.out(), text.getBytes(StandardCharsets.UTF_8));
    }
    err.println(String.format(Locale.ROOT, "predicted %d image(s) with %s%s; %d unreadable input(s) skipped",
        predictions.size(), checkpoint, a.out() == null ? "" : ", written to " + a.out(), unreadable.size()));
    return new Outcome(predictions.size(), List.copyOf(unreadable));
  }

  /** --checkpoint FILE, or model-highest.ckpt of round N (default: the latest round). */
  static Path checkpoint(PredictArgs a, Config cfg, Path checkpointsRoot) {
    Path file;
    if (a.checkpoint() != null) {
      file = a.checkpoint();
    } else {
      int n = a.round() != null ? a.round() : RoundFolder.latestRound(RoundFolder.runFolder(checkpointsRoot, cfg.checkpoint()));
      if (n == 0)
        throw new ConfigException("'" + cfg.checkpoint() + "' has no trained round under " + checkpointsRoot
            + " (train it first, or give --checkpoint FILE)");
      file = RoundFolder.existing(checkpointsRoot, cfg.checkpoint(), n).resolve("model-highest.ckpt");
    }
    if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": no such checkpoint");
    return file;
  }

  /**
   * The config's model with the checkpoint's weights. The relation matrix is not in a checkpoint:
   * it is read from the run's cache when the run folder exists (never creating one), else computed.
   */
  static HspNet model(Config cfg, LabelSet labels, Path checkpointsRoot, Path checkpoint) throws IOException {
    HspNetFactory factory = new HspNetFactory(cfg, labels);
    Path run = RoundFolder.runFolder(checkpointsRoot, cfg.checkpoint());
    if (Files.isDirectory(run)) factory.cacheRelationIn(run.resolve(RelationCache.FILE));
    HspNet model = factory.build();
    try {
      Checkpoints.load(checkpoint, model);
    } catch (IllegalArgumentException e) {
      // a damaged or crafted file is reported as it is; only a readable one of another model gets the hint
      if (!String.valueOf(e.getMessage()).contains("state does not fit the model")) throw e;
      throw new IllegalArgumentException("checkpoint does not fit the model of " + cfg.file()
          + " (trained with another config or label set?): " + e.getMessage(), e);
    }
    return model;
  }
}
