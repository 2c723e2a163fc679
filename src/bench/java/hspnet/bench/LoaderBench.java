package hspnet.bench;


import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.bytedeco.opencv.opencv_core.Mat;

import hspnet.data.Batch;
import hspnet.data.BatchLoader;
import hspnet.data.ClipTransform;
import hspnet.data.LabelList.Sample;

/**
 * {@code LoaderBench --images DIR [--size 224] [--batch 64] [--images-per-run 1024]
 * [--threads 1,N] [--resize pil|opencv]}: images per second of decode + transform + batching over
 * the JPEGs of a folder, for each thread count, as a table; then where one thread's time goes.
 * {@code --make DIR --count N} first draws N natural-image-like 640×480 JPEGs (occluding discs
 * of power-law sizes plus sensor noise) for machines without photos.
 */
public final class LoaderBench {
  private LoaderBench() {}

  public static void main(String[] args) throws IOException {
    hspnet.nn.CpuNumerics.pin();
    Path images = null, make = null;
    int size = 224, batch = 64, perRun = 1024, count = 256;
    String resize = "pil";
    List<Integer> threads = new ArrayList<>(List.of(1, Runtime.getRuntime().availableProcessors()));
    for (int i = 0; i + 1 < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--images" -> images = Path.of(v);
        case "--make" -> make = Path.of(v);
        case "--count" -> count = Integer.parseInt(v);
        case "--size" -> size = Integer.parseInt(v);
        case "--batch" -> batch = Integer.parseInt(v);
        case "--images-per-run" -> perRun = Integer.parseInt(v);
        case "--resize" -> resize = v;
        case "--threads" -> {
          threads.clear();
          for (String t : v.split(",")) threads.add(Integer.parseInt(t.strip()));
        }
        default -> {
          System.err.println("unknown option " + args[i]);
          System.exit(2);
        }
      }
    }
    if (make != null) {
      drawPhotos(make, count);
      if (images == null) images = make;
    }
    if (images == null) {
      System.err.println("usage: LoaderBench --images DIR [--size 224] [--batch 64] [--images-per-run 1024] "
          + "[--threads 1,N] [--resize pil|opencv] [--make DIR --count N]");
      System.exit(2);
    }
    List<Sample> samples = new ArrayList<>();
    try (Stream<Path> s = Files.list(images)) {
      for (Path p : s.filter(p -> p.toString().toLowerCase(Locale.ROOT).matches(".*\\.jpe?g")).sorted().toList())
        samples.add(new Sample(p.getFileName().toString(), new int[] {0}));
    }
    if (samples.isEmpty()) throw new IllegalArgumentException(images + ": no JPEG files");
    ClipTransform transform = new ClipTransform(size, ClipTransform.Resize.of(resize));

    System.out.printf(Locale.ROOT, "%d JPEGs in %s, %d px, batch %d, resize %s, %d cores%n", samples.size(), images, size, batch,
        resize, Runtime.getRuntime().availableProcessors());
    System.out.println("| threads | images/s | ms per image per thread |");
    System.out.println("|---|---|---|");
    for (int t : threads) {
      try (BatchLoader loader = new BatchLoader(images, samples, 1, transform, batch, true, 0, t)) {
        run(loader, Math.min(perRun / 4 + 1, perRun));   // warm-up: JIT, decoder tables, allocator
        long start = System.nanoTime();
        int n = run(loader, perRun);
        double s = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "| %d | %.0f | %.2f |%n", t, n / s, 1000.0 * s * t / n);
      }
    }
    profile(images, samples, size);
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
  private static void profile(Path dir, List<Sample> samples, int size) {
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
        System.out.printf(Locale.ROOT, "%nOne thread, per image: decode %.2f ms; resize + crop + normalise: pil %.2f ms, opencv %.2f ms%n",
            decode / 1e6 / n, pilT / 1e6 / n, cvT / 1e6 / n);
    }
  }

  /** Dead-leaves pictures (see SyntheticPhotos), 640×480, drawn once. */
  static void drawPhotos(Path dir, int count) throws IOException {
    SyntheticPhotos.draw(dir, count, 640, 480, Runtime.getRuntime().availableProcessors());
  }
}
