package hspnet.bench;


import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.bytedeco.opencv.opencv_core.Mat;

import hspnet.cli.ExitStatus;
import hspnet.cli.OptionParser;
import hspnet.data.Batch;
import hspnet.data.BatchLoader;
import hspnet.data.ClipTransform;
import hspnet.data.LabelList.Sample;
import hspnet.nn.CpuNumerics;

/**
 * {@code LoaderBench --images DIR [--size 224] [--batch 64] [--images-per-run 1024]
 * [--threads 1,N] [--resize pil|opencv]}: images per second of decode + transform + batching over
 * the JPEGs of a folder, for each thread count, as a table; then where one thread's time goes.
 * {@code --make DIR --count N} first draws N natural-image-like 640×480 JPEGs (occluding discs
 * of power-law sizes plus sensor noise) for machines without photos.
 */
public final class LoaderBench {
  private LoaderBench() {}

  static final String USAGE = "usage: LoaderBench --images DIR [--size 224] [--batch 64] [--images-per-run 1024] "
      + "[--threads 1,N] [--resize pil|opencv] [--make DIR --count N]\n";

  private static final OptionParser PARSER = new OptionParser("LoaderBench")
      .value("--images").value("--make").value("--count").value("--size").value("--batch").value("--images-per-run")
      .value("--resize").value("--threads");

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  public static int run(String[] args, PrintStream out, PrintStream err) {
    return ExitStatus.of(err, () -> {
      OptionParser.Parsed p = PARSER.parse(args);
      if (p.help()) {
        out.print(USAGE);
        return ExitStatus.DONE;
      }
      Path images = p.path("--images"), make = p.path("--make");
      if (images == null && make == null) throw p.error("missing --images DIR (or --make DIR --count N)");
      int size = p.integer("--size", 32, "an image size", 224), batch = p.integer("--batch", 1, "a batch size", 64);
      int perRun = p.integer("--images-per-run", 1, "an image count", 1024), count = p.integer("--count", 1, "an image count", 256);
      String resize = p.value("--resize", "pil");
      if (!List.of("pil", "opencv").contains(resize)) throw p.error("--resize must be pil or opencv, got '" + resize + "'");
      List<Integer> threads = new ArrayList<>(List.of(1, Runtime.getRuntime().availableProcessors()));
      if (p.has("--threads")) {
        threads.clear();
        for (String t : p.value("--threads").split(",")) threads.add(p.integer(t, "--threads", 1, "thread counts"));
      }
      CpuNumerics.pin();
      if (make != null) {
        drawPhotos(make, count);
        if (images == null) images = make;
      }
      bench(images, size, batch, perRun, resize, threads, out);
      return ExitStatus.DONE;
    });
  }

  private static void bench(Path images, int size, int batch, int perRun, String resize, List<Integer> threads, PrintStream out)
      throws IOException {
    List<Sample> samples = new ArrayList<>();
    try (Stream<Path> s = Files.list(images)) {
      for (Path p : s.filter(p -> p.toString().toLowerCase(Locale.ROOT).matches(".*\\.jpe?g")).sorted().toList())
        samples.add(new Sample(p.getFileName().toString(), new int[] {0}));
    }
    if (samples.isEmpty()) throw new IllegalArgumentException(images + ": no JPEG files");
    ClipTransform transform = new ClipTransform(size, ClipTransform.Resize.of(resize));

    out.printf(Locale.ROOT, "%d JPEGs in %s, %d px, batch %d, resize %s, %d cores%n", samples.size(), images, size, batch,
        resize, Runtime.getRuntime().availableProcessors());
    out.println("| threads | images/s | ms per image per thread |");
    out.println("|---|---|---|");
    for (int t : threads) {
      try (BatchLoader loader = new BatchLoader(images, samples, 1, transform, new BatchLoader.Batching(batch, true, 0, t))) {
        run(loader, Math.min(perRun / 4 + 1, perRun));   // warm-up: JIT, decoder tables, allocator
        long start = System.nanoTime();
        int n = run(loader, perRun);
        double s = (System.nanoTime() - start) / 1e9;
        out.printf(Locale.ROOT, "| %d | %.0f | %.2f |%n", t, n / s, 1000.0 * s * t / n);
      }
    }
    profile(images, samples, size, out);
  }

  private static int run(BatchLoader loader, int images) {
    int n = 0;
    while (n < images) {
      BatchLoader.Epoch e = loader.iterator();
      try {
        while (e.hasNext() && n < images) try (Batch b = e.next()) {
          n += b.size();
        }
      } finally {
        e.close();
      }
    }
    return n;
  }

  /** One thread: decode alone, then the whole transform with each resize, per image. */
  private static void profile(Path dir, List<Sample> samples, int size, PrintStream log) {
    ClipTransform pil = new ClipTransform(size, ClipTransform.Resize.PIL), cv = new ClipTransform(size, ClipTransform.Resize.OPENCV);
    int n = Math.min(samples.size(), 64);
    float[] out = new float[pil.floatsPerImage()];
    for (int round = 0; round < 2; round++) {   // the first round warms up
      long decode = 0, pilT = 0, cvT = 0;
      for (int i = 0; i < n; i++) {
        Path f = dir.resolve(samples.get(i).path());
        long t0 = System.nanoTime();
        try (Mat m = ClipTransform.decode(f)) {
          long t1 = System.nanoTime();
          pil.apply(m, ClipTransform.ChannelOrder.BGR, out, 0);
          long t2 = System.nanoTime();
          cv.apply(m, ClipTransform.ChannelOrder.BGR, out, 0);
          long t3 = System.nanoTime();
          decode += t1 - t0;
          pilT += t2 - t1;
          cvT += t3 - t2;
        }
      }
      if (round == 1)
        log.printf(Locale.ROOT, "%nOne thread, per image: decode %.2f ms; resize + crop + normalise: pil %.2f ms, opencv %.2f ms%n",
            decode / 1e6 / n, pilT / 1e6 / n, cvT / 1e6 / n);
    }
  }

  /** Dead-leaves pictures (see SyntheticPhotos), 640×480, drawn once. */
  static void drawPhotos(Path dir, int count) throws IOException {
    SyntheticPhotos.draw(dir, count, 640, 480, Runtime.getRuntime().availableProcessors());
  }
}
