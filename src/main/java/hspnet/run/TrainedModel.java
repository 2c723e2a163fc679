package hspnet.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.bytedeco.pytorch.Device;

import hspnet.config.RunConfig;
import hspnet.config.ConfigException;
import hspnet.data.LabelSet;
import hspnet.model.Checkpoints;
import hspnet.model.Classifier;
import hspnet.model.HspNetFactory;
import hspnet.model.RelationCache;

/**
 * A trained model opened for inference: the config's device and model with a round's (or a
 * given) checkpoint loaded strictly, and the label set it scores. Leaves the run folder as it is:
 * the relation matrix is read from the run's cache when it holds a matching one, else computed and
 * kept in memory. Closing it frees the model.
 */
public final class TrainedModel implements AutoCloseable {
  private final Device device;
  private final LabelSet labels;
  private final Classifier model;
  private final Path checkpoint;

  private TrainedModel(Device device, LabelSet labels, Classifier model, Path checkpoint) {
    this.device = device;
    this.labels = labels;
    this.model = model;
    this.checkpoint = checkpoint;
  }

  /**
   * Opens {@code checkpointFile}, or when it is null model-highest.ckpt of round {@code round} of
   * the config's run (default: the latest round).
   */
  public static TrainedModel open(RunConfig cfg, Path checkpointsRoot, Integer round, Path checkpointFile) throws IOException {
    Device device = Devices.select(cfg);
    Devices.configureCpuThreads(cfg);
    HspNetFactory.check(cfg);
    Path checkpoint = checkpointFile != null ? checkpointFile : roundCheckpoint(cfg, checkpointsRoot, round);
    if (!Files.isRegularFile(checkpoint)) throw new IllegalArgumentException(checkpoint + ": no such checkpoint");
    LabelSet labels = RunData.labels(cfg);
    HspNetFactory factory = new HspNetFactory(cfg, labels);
    Path run = RoundFolder.runFolder(checkpointsRoot, cfg.checkpoint());
    if (Files.isDirectory(run)) factory.readRelationFrom(run.resolve(RelationCache.FILE));
    Classifier model = factory.buildModel();
    try {
      Checkpoints.load(checkpoint, model);
    } catch (IllegalArgumentException e) {
      model.close();
      // a damaged or crafted file is reported as it is; only a readable one of another model gets the hint
      if (!String.valueOf(e.getMessage()).contains("state does not fit the model")) throw e;
      throw new IllegalArgumentException("checkpoint does not fit the model of " + cfg.file()
          + " (trained with another config or label set?): " + e.getMessage(), e);
    }
    return new TrainedModel(device, labels, model, checkpoint);
  }

  private static Path roundCheckpoint(RunConfig cfg, Path checkpointsRoot, Integer round) {
    int n = round != null ? round : RoundFolder.latestRound(RoundFolder.runFolder(checkpointsRoot, cfg.checkpoint()));
    if (n == 0)
      throw new ConfigException("'" + cfg.checkpoint() + "' has no trained round under " + checkpointsRoot
          + " (train it first, or give --checkpoint FILE)");
    return RoundFolder.existing(checkpointsRoot, cfg.checkpoint(), n).resolve("model-highest.ckpt");
  }

  public Device device() { return device; }

  public LabelSet labels() { return labels; }

  public Classifier model() { return model; }

  public Path checkpoint() { return checkpoint; }

  @Override
  public void close() {
    model.close();
  }
}
