package hspnet.predict;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import hspnet.config.RunConfig;
import hspnet.config.ConfigLoader;
import hspnet.data.ClipTransform;
import hspnet.data.LabelSet;
import hspnet.io.AtomicFiles;
import hspnet.run.TrainedModel;

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
    RunConfig cfg = ConfigLoader.load(a.configFile(), a.overrides());
    try (TrainedModel trained = TrainedModel.open(cfg, checkpointsRoot, a.round(), a.checkpoint())) {
      return predict(a, cfg, trained, out, err);
    }
  }

  private static Outcome predict(PredictArgs a, RunConfig cfg, TrainedModel trained, PrintStream out, PrintStream err) throws IOException {
    LabelSet labels = trained.labels();
    Path checkpoint = trained.checkpoint();
    ImageInputs.Expanded inputs = ImageInputs.expand(a.inputs());
    List<ImageInputs.Unreadable> unreadable = new ArrayList<>(inputs.unreadable());
    unreadable.forEach(u -> err.println("skipped " + u.path() + ": " + u.reason()));
    if (inputs.images().isEmpty())
      throw new IllegalArgumentException("no image to predict among " + a.inputs().size() + " input(s)");

    List<Prediction> predictions = new ArrayList<>();
    ClipTransform transform = new ClipTransform(cfg.imageSize(), cfg.imageResize());
    int batchSize = a.batchSize() != null ? a.batchSize() : cfg.batchSize();
    try (Predictor predictor = new Predictor(trained.model(), trained.device(), cfg.amp(), cfg.imageSize());
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

}
