package hspnet.predict;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import hspnet.data.ClipTransform;
import java.util.Arrays;
import hspnet.data.Augmentation;
import java.util.function.Consumer;

/**
 * Images decoded and transformed as for validation, in batches, on {@code workers} threads, the
 * next batch prepared while the model scores the current one. An image that does not decode is
 * recorded with the reason and left out of its batch; a batch may so end up smaller, or empty.
 */
public final class ImageBatches implements AutoCloseable {
  /** One batch: the images that decoded, CHW float32 one after the other, and those that did not. */
  public record Decoded(List<Path> paths, float[] pixels, List<ImageInputs.Unreadable> unreadable) {
    public int size() { return paths.size(); }
  }

  private final List<Path> images;
  private final ClipTransform transform;
  private final int batchSize;
  private final ExecutorService pool;
  private final Consumer<String> warnings;
  private int next;
  private CompletableFuture<Decoded> ahead;

  public ImageBatches(List<Path> images, ClipTransform transform, int batchSize, int workers) {
    this(images, transform, batchSize, workers, ClipTransform.STDERR);
  }

  /** {@code warnings}: where a JPEG decoded despite corrupt data is named (see {@link ClipTransform#decode(Path, java.util.function.Consumer)}). */
  public ImageBatches(List<Path> images, ClipTransform transform, int batchSize, int workers,
      Consumer<String> warnings) {
    if (batchSize < 1) throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
    this.images = List.copyOf(images);
    this.transform = transform;
    this.batchSize = batchSize;
    this.warnings = warnings;
    AtomicInteger n = new AtomicInteger();
    this.pool = Executors.newFixedThreadPool(Math.max(1, workers), r -> {
      Thread t = new Thread(r, "hspnet-predict-loader-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  public int batches() {
    return (images.size() + batchSize - 1) / batchSize;
  }

  public boolean hasNext() {
    return ahead != null || next < images.size();
  }

  /** The next batch (waiting for its decoding), with the one after it started. */
  public Decoded next() {
    if (ahead == null) ahead = submit();
    CompletableFuture<Decoded> current = ahead;
    ahead = next < images.size() ? submit() : null;
    try {
      return current.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  private CompletableFuture<Decoded> submit() {
    List<Path> paths = images.subList(next, Math.min(images.size(), next + batchSize));
    next += paths.size();
    int fpi = transform.floatsPerImage();
    float[] pixels = new float[paths.size() * fpi];
    String[] problems = new String[paths.size()];
    List<CompletableFuture<Void>> parts = new ArrayList<>();
    for (int i = 0; i < paths.size(); i++) {
      int slot = i;
      parts.add(CompletableFuture.runAsync(() -> {
        try {
          transform.apply(paths.get(slot), pixels, slot * fpi, Augmentation.NONE, null, warnings);
        } catch (IllegalArgumentException e) {
          problems[slot] = e.getMessage();
        } catch (RuntimeException e) {   // a decoder crash on one odd file must not end the run
          problems[slot] = e.toString();
        }
      }, pool));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> compact(paths, pixels, problems, fpi));
  }

  /** Moves the decoded images together, so the batch tensor has no gaps. */
  private static Decoded compact(List<Path> paths, float[] pixels, String[] problems, int fpi) {
    List<Path> kept = new ArrayList<>();
    List<ImageInputs.Unreadable> bad = new ArrayList<>();
    for (int i = 0; i < paths.size(); i++) {
      if (problems[i] != null) {
        String reason = problems[i].startsWith(paths.get(i).toString() + ": ") ? problems[i].substring(paths.get(i).toString().length() + 2) : problems[i];
        bad.add(new ImageInputs.Unreadable(paths.get(i), reason));
        continue;
      }
      if (kept.size() != i) System.arraycopy(pixels, i * fpi, pixels, kept.size() * fpi, fpi);
      kept.add(paths.get(i));
    }
    float[] out = kept.size() == paths.size() ? pixels : Arrays.copyOf(pixels, kept.size() * fpi);
    return new Decoded(List.copyOf(kept), out, List.copyOf(bad));
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
