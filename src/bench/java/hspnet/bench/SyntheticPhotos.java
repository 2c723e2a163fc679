package hspnet.bench;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.FILLED;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.circle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import java.nio.file.StandardCopyOption;

/**
 * Natural-image-like JPEGs for machines without photos: "dead leaves" — discs of power-law radii
 * occluding each other, plus sensor noise — whose decoding and resizing cost what photos of the
 * same size cost (JPEG's work grows with detail, which flat synthetic images lack). Deterministic:
 * image k of a size is the same on every machine.
 */
public final class SyntheticPhotos {
  private SyntheticPhotos() {}

  /** The file names {@link #draw} writes: leaves0000.jpg, leaves0001.jpg, ... */
  public static String name(int k) {
    return String.format(Locale.ROOT, "leaves%04d.jpg", k);
  }

  /** Draws images 0..count-1 of {@code width}×{@code height} into {@code dir} (existing files are kept), on {@code threads} threads. */
  public static List<Path> draw(Path dir, int count, int width, int height, int threads) throws IOException {
    Files.createDirectories(dir);
    List<Path> files = new ArrayList<>(count);
    for (int k = 0; k < count; k++) files.add(dir.resolve(name(k)));
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
    try {
      List<Future<?>> parts = new ArrayList<>();
      for (int k = 0; k < count; k++) {
        int image = k;
        if (!Files.exists(files.get(k))) parts.add(pool.submit(() -> drawOne(files.get(image), image, width, height)));
      }
      for (Future<?> f : parts) f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UncheckedIOException u) throw u.getCause();
      throw new IllegalStateException("drawing the images failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while drawing images", e);
    } finally {
      pool.shutdownNow();
    }
    return files;
  }

  private static void drawOne(Path f, int k, int w, int h) {
    Random r = new Random(1000 + k);
    try (Mat m = new Mat(h, w, CV_8UC3, new Scalar(r.nextInt(256), r.nextInt(256), r.nextInt(256), 0))) {
      // Drawn back to front: the last discs are on top, small ones far more numerous.
      double scale = Math.max(w, h) / 640.0;
      for (int i = 0; i < 1500; i++) {
        double u = r.nextDouble(), rmin = 2 * scale, rmax = 120 * scale;
        int radius = (int) Math.round(Math.pow(Math.pow(rmin, -2) + (Math.pow(rmax, -2) - Math.pow(rmin, -2)) * u, -0.5));
        try (Point c = new Point(r.nextInt(w), r.nextInt(h));
            Scalar colour = new Scalar(r.nextInt(256), r.nextInt(256), r.nextInt(256), 0)) {
          circle(m, c, Math.max(1, radius), colour, FILLED, LINE_AA, 0);
        }
      }
      byte[] px = new byte[w * h * 3];
      m.data().get(px);
      for (int i = 0; i < px.length; i++) px[i] = (byte) Math.max(0, Math.min(255, (px[i] & 0xff) + (int) Math.round(r.nextGaussian() * 4)));
      m.data().put(px);
      // written under a temporary name and renamed: an interrupted run leaves no half image
      Path tmp = f.resolveSibling("." + f.getFileName() + ".tmp.jpg");
      try (IntPointer params = new IntPointer(IMWRITE_JPEG_QUALITY, 90)) {
        if (!imwrite(tmp.toString(), m, params)) throw new IOException(tmp + ": cannot write");
      }
      Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
