package hspnet.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;

import hspnet.data.Augmentation;
import hspnet.data.Batch;
import hspnet.data.BatchLoader;
import hspnet.data.DeviceDecoding;
import hspnet.data.ClipTransform;
import hspnet.data.LabelList.Sample;
import hspnet.testutil.SyntheticHspNet;
import hspnet.train.TrainingState;
import java.util.Comparator;

/**
 * (c) Training from JPEG files through the real loader: decoding, CLIP's transform (Pillow-exact
 * resize by default), batching into pinned memory on decoding threads, the asynchronous copy, and
 * the trainer's step — one epoch timed from its first request for a batch to its last step's end
 * (device synchronised), after a few warm-up steps of an earlier epoch. The epoch lists the
 * generated JPEGs several times over (as many samples as asked for), so its length does not
 * depend on how many files were drawn; they come from the page cache, as a dataset's do once read.
 */
public final class EndToEndBench {
  /** Wall time of the timed epoch and its steps and images. */
  public record Result(double seconds, int steps, int images, double loaderOnlyImagesPerSecond) {
    public double msPerStep() { return seconds * 1000 / steps; }
    public double imagesPerSecond() { return images / seconds; }
  }

  private final BenchArgs args;
  private final Device device;
  private final StepTimer timer;

  public EndToEndBench(BenchArgs args, Device device, StepTimer timer) {
    this.args = args;
    this.device = device;
    this.timer = timer;
  }

  public Result run(TrainingState state, GpuMemory memory) throws IOException {
    return run(state, memory, false);
  }

  /**
   * As {@link #run(TrainingState, GpuMemory)}; with {@code decodeOnDevice} the loader decodes the
   * JPEGs with nvJPEG and resizes them on the device ({@code image_decode: gpu}).
   */
  public Result run(TrainingState state, GpuMemory memory, boolean decodeOnDevice) throws IOException {
    Path dir = args.jpegDir() != null ? args.jpegDir() : Files.createTempDirectory("hspnet-bench-jpeg");
    try {
      List<Path> files = SyntheticPhotos.draw(dir, args.e2eFiles(), args.photoWidth(), args.photoHeight(),
          Runtime.getRuntime().availableProcessors());
      int c = SyntheticHspNet.numLabels();
      Random r = new Random(args.seed());
      List<Sample> samples = new ArrayList<>(args.e2eImages());
      for (int i = 0; i < args.e2eImages(); i++)
        samples.add(new Sample(files.get(i % files.size()).getFileName().toString(), new int[] {r.nextInt(c)}));
      ClipTransform transform = new ClipTransform(args.imageSize(), ClipTransform.Resize.of(args.resize()));
      BatchLoader.Options options = new BatchLoader.Options(Augmentation.NONE, device.is_cuda(), null);
      if (decodeOnDevice) options = options.decodedOn(DeviceDecoding.Spec.nvJpeg(device));
      try (BatchLoader loader = new BatchLoader(dir, samples, c, transform, new BatchLoader.Batching(args.batch(), true, args.seed(), args.workers()), options)) {
        state.setModesFor(1, true);
        long step = 0;
        BatchLoader.Epoch warm = loader.iterator();
        try {
          for (int i = 0; i < args.e2eWarmupSteps() && warm.hasNext(); i++) step = train(state, warm.next(), step);
        } finally {
          warm.close();
        }
        timer.sync();
        memory.resetPeak();
        long t0 = System.nanoTime();
        BatchLoader.Epoch epoch = loader.iterator();
        int steps = 0, images = 0;
        try {
          while (epoch.hasNext()) {
            Batch b = epoch.next();
            images += b.size();
            step = train(state, b, step);
            steps++;
            memory.sample();
          }
        } finally {
          epoch.close();
        }
        timer.sync();
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Result(seconds, steps, images, loaderOnly(loader));
      }
    } finally {
      if (args.jpegDir() == null) deleteTree(dir);
    }
  }

  private static long train(TrainingState state, Batch b, long step) {
    try (PointerScope scope = new PointerScope(); Batch batch = b) {
      state.step(batch.images(), batch.targets(), 1, step);
    }
    return step + 1;
  }

  /** The same loader with nothing consuming its batches: how fast the decoding threads alone go. */
  private static double loaderOnly(BatchLoader loader) {
    long t0 = System.nanoTime();
    int n = 0;
    BatchLoader.Epoch e = loader.iterator();
    try {
      while (e.hasNext()) try (Batch b = e.next()) {
        n += b.size();
      }
    } finally {
      e.close();
    }
    return n / ((System.nanoTime() - t0) / 1e9);
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
