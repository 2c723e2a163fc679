package hspnet.bench;


import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.bytedeco.opencv.opencv_core.Mat;

import com.sun.management.OperatingSystemMXBean;

import hspnet.cli.ExitStatus;
import hspnet.cli.OptionParser;
import hspnet.data.Batch;
import hspnet.data.BatchLoader;
import hspnet.data.ClipTransform;
import hspnet.data.ImageHeader;
import hspnet.data.JpegScanCheck;
import hspnet.data.LabelList.Sample;
import hspnet.nn.CpuNumerics;
import hspnet.nn.JavaCppTuning;

/**
 * {@code LoaderBench --images DIR [--size 224] [--batch 64] [--images-per-run 1024]
 * [--threads 1,N] [--resize pil|opencv] [--peer IMAGES_PER_S] [--pillow DIR] [--rows-only]}: images per second
 * of decode + transform + batching over the JPEGs of a folder, for each thread count, as a table
 * (the median of three runs after a warm-up); then where one thread's time goes. {@code --peer}
 * adds the PIL + torchvision peer's one-thread figure (bench/pil_peer.py, measured by
 * bench/loader.sh) and our ratio to it; {@code --pillow DIR} first compares our tensor of each
 * image with Pillow's, bit for bit (raw float32 files NAME.f32 that the peer's --dump wrote);
 * {@code --rows-only} prints the table's rows alone, to
 * continue a table. {@code --make DIR --count N} first draws N natural-image-like 640×480 JPEGs
 * (occluding discs of power-law sizes plus sensor noise) for machines without photos.
 */
public final class LoaderBench {
  static {
    JavaCppTuning.apply(); // before the first native object (see JavaCppTuning)
  }

  private LoaderBench() {}

  static final String USAGE = "usage: LoaderBench --images DIR [--size 224] [--batch 64] [--images-per-run 1024] "
      + "[--threads 1,N] [--resize pil|opencv] [--peer IMAGES_PER_S] [--pillow DIR] [--rows-only] [--make DIR --count N]\n";
  /** Timed runs per thread count; the table shows their median. */
  static final int RUNS = 3;
  private static final OperatingSystemMXBean PROCESS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private static final OptionParser PARSER = new OptionParser("LoaderBench")
      .value("--images").value("--make").value("--count").value("--size").value("--batch").value("--images-per-run")
      .value("--resize").value("--threads")
      .value("--peer").value("--pillow").flag("--rows-only");

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  public static int run(String[] args, PrintStream out, PrintStream err) {
    return PARSER.run(args, USAGE, out, err, p -> {
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
      if (p.has("--pillow")) comparePillow(images, p.path("--pillow"), size, resize, out);
      double peer = p.has("--peer") ? Double.parseDouble(p.value("--peer")) : Double.NaN;
      bench(images, size, batch, perRun, resize, threads, peer, p.has("--rows-only"), out);
      return ExitStatus.DONE;
    });
  }

  private static void bench(Path images, int size, int batch, int perRun, String resize, List<Integer> threads, double peer,
      boolean rowsOnly, PrintStream out) throws IOException {
    List<Sample> samples = new ArrayList<>();
    try (Stream<Path> s = Files.list(images)) {
      for (Path p : s.filter(p -> p.toString().toLowerCase(Locale.ROOT).matches(".*\\.jpe?g")).sorted().toList())
        samples.add(new Sample(p.getFileName().toString(), new int[] {0}));
    }
    if (samples.isEmpty()) throw new IllegalArgumentException(images + ": no JPEG files");
    ClipTransform transform = new ClipTransform(size, ClipTransform.Resize.of(resize));

    int cores = Runtime.getRuntime().availableProcessors();   // what the affinity mask (taskset) allows
    if (!rowsOnly) {
      out.printf(Locale.ROOT, "%d JPEGs in %s, %d px, batch %d, resize %s; images/s: median of %d runs of %d images%n",
          samples.size(), images, size, batch, resize, RUNS, perRun);
      out.println("| threads | cores | images/s | ms per image per thread | CPU ms per image | PIL peer, 1 thread | ratio |");
      out.println("|---|---|---|---|---|---|---|");
    }
    for (int t : threads) {
      try (BatchLoader loader = new BatchLoader(images, samples, 1, transform, new BatchLoader.Batching(batch, true, 0, t))) {
        run(loader, perRun / 2 + 1);   // warm-up: JIT, decoder tables, allocator
        double[] rates = new double[RUNS];
        long cpu0 = PROCESS.getProcessCpuTime(), served = 0;
        for (int r = 0; r < RUNS; r++) {
          long start = System.nanoTime();
          int n = run(loader, perRun);
          rates[r] = n / ((System.nanoTime() - start) / 1e9);
          served += n;
        }
        // the process's CPU time (every thread: workers, consumer, GC, JIT) per image: what the
        // work costs whatever other processes take of the cores, so it shows scaling on a busy machine
        double cpuMs = (PROCESS.getProcessCpuTime() - cpu0) / 1e6 / served;
        Arrays.sort(rates);
        double median = rates[RUNS / 2];
        boolean withPeer = t == 1 && !Double.isNaN(peer);
        out.printf(Locale.ROOT, "| %d | %d | %.0f | %.2f | %.2f | %s | %s |%n", t, cores, median, 1000.0 * t / median, cpuMs,
            withPeer ? String.format(Locale.ROOT, "%.0f", peer) : "", withPeer ? String.format(Locale.ROOT, "%.2f×", median / peer) : "");
      }
    }
    if (!rowsOnly) profile(images, samples, size, out);
  }

  /** Our tensor of each JPEG against Pillow + torchvision's (DIR/NAME.f32, little-endian float32). */
  private static void comparePillow(Path images, Path pillow, int size, String resize, PrintStream out) throws IOException {
    ClipTransform transform = new ClipTransform(size, ClipTransform.Resize.of(resize));
    int same = 0, n = 0;
    double worst = 0;
    try (Stream<Path> s = Files.list(images)) {
      for (Path f : s.filter(p -> p.toString().toLowerCase(Locale.ROOT).matches(".*\\.jpe?g")).sorted().toList()) {
        Path ref = pillow.resolve(f.getFileName() + ".f32");
        if (!Files.exists(ref)) continue;
        float[] ours = transform.apply(f), theirs = new float[ours.length];
        ByteBuffer.wrap(Files.readAllBytes(ref)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(theirs);
        boolean identical = true;
        for (int i = 0; i < ours.length; i++) {
          if (Float.floatToRawIntBits(ours[i]) != Float.floatToRawIntBits(theirs[i])) identical = false;
          worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
        }
        if (identical) same++;
        n++;
      }
    }
    out.printf(Locale.ROOT, "Against Pillow + torchvision (resize %s): %d of %d images bit-identical, max abs difference %.3g%n",
        resize, same, n, worst);
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

  /**
   * One thread, per image, in CPU time of this thread (other processes' load does not count):
   * reading the file, the header check, the JPEG scan check (once per file in a loader), OpenCV's
   * decode, then resize + crop + normalise with each resize.
   */
  private static void profile(Path dir, List<Sample> samples, int size, PrintStream log) throws IOException {
    ClipTransform pil = new ClipTransform(size, ClipTransform.Resize.PIL), cv = new ClipTransform(size, ClipTransform.Resize.OPENCV);
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    int n = Math.min(samples.size(), 64);
    float[] out = new float[pil.floatsPerImage()];
    long[] t = new long[6];
    for (int round = 0; round < 8; round++) {   // the first rounds warm up
      if (round == 3) Arrays.fill(t, 0);
      for (int i = 0; i < n; i++) {
        Path f = dir.resolve(samples.get(i).path());
        long t0 = cpu.getCurrentThreadCpuTime();
        byte[] bytes = Files.readAllBytes(f);
        long t1 = cpu.getCurrentThreadCpuTime();
        ImageHeader.check(f);
        long t2 = cpu.getCurrentThreadCpuTime();
        JpegScanCheck.check(bytes);
        long t3 = cpu.getCurrentThreadCpuTime();
        try (Mat m = ClipTransform.decode(f, null)) {   // null: without the scan check, timed above
          long t4 = cpu.getCurrentThreadCpuTime();
          pil.apply(m, ClipTransform.ChannelOrder.BGR, out, 0);
          long t5 = cpu.getCurrentThreadCpuTime();
          cv.apply(m, ClipTransform.ChannelOrder.BGR, out, 0);
          long t6 = cpu.getCurrentThreadCpuTime();
          t[0] += t1 - t0;
          t[1] += t2 - t1;
          t[2] += t3 - t2;
          t[3] += t4 - t3 - (t2 - t1);   // decode() runs the header check again
          t[4] += t5 - t4;
          t[5] += t6 - t5;
        }
      }
    }
    double k = 1e6 * n * 5;
    log.printf(Locale.ROOT, "%nOne thread, CPU time per image: read file %.2f ms, header check %.2f ms, JPEG scan check %.2f ms "
        + "(once per file), decode %.2f ms; resize + crop + normalise: pil %.2f ms, opencv %.2f ms%n",
        t[0] / k, t[1] / k, t[2] / k, t[3] / k, t[4] / k, t[5] / k);
  }

  /** Dead-leaves pictures (see SyntheticPhotos), 640×480, drawn once. */
  static void drawPhotos(Path dir, int count) throws IOException {
    SyntheticPhotos.draw(dir, count, 640, 480, Runtime.getRuntime().availableProcessors());
  }
}
