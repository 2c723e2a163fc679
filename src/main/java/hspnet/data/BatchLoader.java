package hspnet.data;

import static org.bytedeco.pytorch.global.torch.empty;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;

import hspnet.data.LabelList.Sample;
import hspnet.nn.Tensors;
import java.util.function.Consumer;

/**
 * Serves a list of samples as batches, like PyTorch's DataLoader with {@code drop_last=False}:
 * every {@link #iterator()} call is the next epoch, whose order is a shuffle seeded with
 * {@code seed + epoch} (passed through {@link Seeds#mix(long)}), or the list order when not
 * shuffling; the last batch may be smaller.
 *
 * <p>With {@code workers > 0}, images are decoded on that many threads and the batches after the
 * current one ({@value #PREFETCH_BATCHES} of them) are prepared while the consumer works, tensors
 * included. With {@code workers == 0} each batch is decoded by the caller of {@code next()} (no
 * prefetch), and its tensors belong to the receiver (never to a {@code PointerScope} open around the call).
 *
 * <p>The consumer owns and closes each {@link Batch}. Closing the loader abandons open epochs (the
 * batches they had prepared are freed) and stops the threads.
 */
public final class BatchLoader implements Iterable<Batch>, AutoCloseable {
  /** Batches prepared beyond the one being returned (PyTorch's default prefetch is 2 per worker). */
  public static final int PREFETCH_BATCHES = 2;
  /** Keeps the augmentation's random stream apart from the shuffle's. */
  private static final long AUGMENT_STREAM = 0x6A09E667F3BCC909L;

  private final Path imageRoot;
  private final List<Sample> samples;
  private final int numClasses;
  private final ClipTransform transform;
  private final int batchSize;
  private final boolean shuffle;
  private final long seed;
  private final int rank, worldSize;
  private final Options options;
  private final ExecutorService pool;   // null when workers == 0
  private final DeviceDecoding onDevice;   // null: images decoded on the CPU
  private final Set<Epoch> openEpochs = ConcurrentHashMap.newKeySet();
  /** Files already warned about when {@code options.warnings()} is null. */
  private final Set<Path> warned = ConcurrentHashMap.newKeySet();
  /** Files whose JPEG data were checked already: the check runs once per file, not every epoch. */
  private final Set<Path> checked = ConcurrentHashMap.newKeySet();
  private int nextEpoch;
  private volatile boolean closed;

  /**
   * What a loader does beyond serving the images as they are: training augmentation (seeded from
   * seed, epoch and sample index, so batches do not depend on the worker count), batches in pinned
   * host memory (only when CUDA is available: they will be copied to the GPU), and skipping
   * unreadable images, counted in {@code skipBad} (null: an unreadable image is an error).
   * JPEGs with corrupt data are decoded anyway, as Pillow decodes them, and each is named once
   * through {@code warnings} ({@link BadImages#corruptJpeg}); null: once per loader on stderr.
   */
  public record Options(Augmentation augmentation, boolean pinMemory, BadImages skipBad, BadImages warnings,
      DeviceDecoding.Spec onDevice) {
    public static final Options DEFAULT = new Options(Augmentation.NONE, false, null, null, null);

    /** Warnings about corrupt JPEG data go where skipped images are counted (stderr when null). */
    public Options(Augmentation augmentation, boolean pinMemory, BadImages skipBad) {
      this(augmentation, pinMemory, skipBad, skipBad, null);
    }

    public Options(Augmentation augmentation, boolean pinMemory, BadImages skipBad, BadImages warnings) {
      this(augmentation, pinMemory, skipBad, warnings, null);
    }

    /**
     * These options with the images decoded and transformed on {@code spec}'s device (see
     * {@link DeviceDecoding}): batches' image tensors then live on that device.
     */
    public Options decodedOn(DeviceDecoding.Spec spec) {
      return new Options(augmentation, pinMemory, skipBad, warnings, spec);
    }
  }

  /**
   * How batches are cut: {@code batchSize} images each (the last one smaller), shuffled per epoch
   * from {@code seed} when {@code shuffle}, decoded by {@code workers} threads (0: on the caller's).
   * With {@code worldSize > 1} the loader serves rank {@code rank}'s shard, as torch's DistributedSampler
   * cuts it: the epoch's order (the same permutation a single process uses) padded to a multiple of
   * {@code worldSize} by repeating its first samples, then every {@code worldSize}-th index from {@code rank}.
   */
  public record Batching(int batchSize, boolean shuffle, long seed, int workers, int rank, int worldSize) {
    public Batching {
      if (worldSize < 1 || rank < 0 || rank >= worldSize)
        throw new IllegalArgumentException("rank " + rank + " outside a world of " + worldSize);
    }

    /** The batching of a single process (no sharding). */
    public Batching(int batchSize, boolean shuffle, long seed, int workers) {
      this(batchSize, shuffle, seed, workers, 0, 1);
    }
  }

  public BatchLoader(Path imageRoot, List<Sample> samples, int numClasses, ClipTransform transform, Batching batching) {
    this(imageRoot, samples, numClasses, transform, batching, Options.DEFAULT);
  }

  public BatchLoader(Path imageRoot, List<Sample> samples, int numClasses, ClipTransform transform, Batching batching,
      Options options) {
    int batchSize = batching.batchSize(), workers = batching.workers();
    if (samples.isEmpty()) throw new IllegalArgumentException("no samples to load");
    if (batchSize <= 0) throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
    if (workers < 0) throw new IllegalArgumentException("workers must be >= 0, got " + workers);
    if (numClasses <= 0) throw new IllegalArgumentException("numClasses must be positive, got " + numClasses);
    for (Sample s : samples)
      for (int i = 0; i < s.numLabels(); i++)
        if (s.label(i) < 0 || s.label(i) >= numClasses)
          throw new IllegalArgumentException(s.describe() + ": label index " + s.label(i) + " outside [0, " + numClasses + ")");
    this.imageRoot = imageRoot;
    this.samples = List.copyOf(samples);
    this.numClasses = numClasses;
    this.transform = transform;
    this.batchSize = batchSize;
    this.shuffle = batching.shuffle();
    this.seed = batching.seed();
    this.rank = batching.rank();
    this.worldSize = batching.worldSize();
    this.options = options;
    this.onDevice = options.onDevice() == null ? null : new DeviceDecoding(options.onDevice(), transform);
    this.pool = workers == 0 ? null : newPool(workers);
  }

  private static ExecutorService newPool(int workers) {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory daemons = r -> {
      Thread t = new Thread(r, "hspnet-loader-" + n.incrementAndGet());
      t.setDaemon(true);   // a loader left open must not keep the JVM alive
      return t;
    };
    return new ThreadPoolExecutor(workers, workers, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), daemons);
  }

  /** Samples in the whole list (every rank's shard together, without padding). */
  public int size() {
    return samples.size();
  }

  /** Samples this loader serves per epoch: the whole list, or this rank's shard (padding included). */
  public int shardSize() {
    return worldSize == 1 ? samples.size() : (samples.size() + worldSize - 1) / worldSize;
  }

  /** The rank whose shard this loader serves, and the number of ranks (1: not sharded). */
  public int rank() {
    return rank;
  }

  public int worldSize() {
    return worldSize;
  }

  /**
   * The observed labels of every sample, in the order of the sample list (the rows that
   * {@link Batch#indices()} name): {@code [N, C]} int64 multi-hot on the CPU.
   */
  public Tensor labelMatrix() {
    long[] m = new long[Math.toIntExact((long) samples.size() * numClasses)];
    for (int i = 0; i < samples.size(); i++) {
      Sample s = samples.get(i);
      for (int j = 0; j < s.numLabels(); j++) m[i * numClasses + s.label(j)] = 1;
    }
    return Tensors.ofLongs(m, samples.size(), numClasses);
  }

  /** Classes of the label vectors. */
  public int numClasses() {
    return numClasses;
  }

  public int batchSize() {
    return batchSize;
  }

  public int batchesPerEpoch() {
    return (shardSize() + batchSize - 1) / batchSize;
  }

  /** Sample indices in the order epoch {@code epoch} serves them (this rank's shard when sharded). */
  public int[] order(int epoch) {
    int[] full = fullOrder(epoch);
    if (worldSize == 1) return full;
    int n = full.length, per = shardSize();
    int[] shard = new int[per];
    // the list padded to per * worldSize by repeating it from the start, then every worldSize-th from rank
    for (int i = 0; i < per; i++) shard[i] = full[(i * worldSize + rank) % n];
    return shard;
  }

  /** The whole list's order in epoch {@code epoch}: a seeded shuffle, or the list order. */
  public int[] fullOrder(int epoch) {
    int n = samples.size();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) order[i] = i;
    if (shuffle) {
      // Fisher–Yates with java.util.Random: both fully specified, so orders never change.
      Random r = new Random(Seeds.mix(seed + epoch));
      for (int i = n - 1; i > 0; i--) {
        int j = r.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    return order;
  }

  /** The next epoch: the first call serves epoch 0, the next epoch 1, and so on. */
  @Override
  public synchronized Epoch iterator() {
    return epoch(nextEpoch++);
  }

  /** Epoch {@code e} explicitly (to resume a run); later {@link #iterator()} calls continue after it. */
  public synchronized Epoch epoch(int e) {
    if (closed) throw new IllegalStateException("batch loader is closed");
    nextEpoch = Math.max(nextEpoch, e + 1);
    Epoch epoch = new Epoch(e);
    if (pool != null) {
      openEpochs.add(epoch);
      epoch.fillWindow();
    }
    return epoch;
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) return;
      closed = true;
    }
    for (Epoch e : openEpochs) e.close();
    if (pool != null) {
      // Run what never started: each sees its epoch abandoned and stops at once, so the batch
      // it belonged to completes and frees its tensor.
      for (Runnable never : pool.shutdownNow()) never.run();
      try {
        // Decoding is native and ignores interrupts; a batch of images finishes quickly.
        pool.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (onDevice != null) onDevice.close();
  }

  /** Where this loader decodes images on the device; empty when it decodes on the CPU. */
  public Optional<DeviceDecoding> deviceDecoding() {
    return Optional.ofNullable(onDevice);
  }

  /** Names a JPEG decoded despite corrupt data, once per file and run. */
  private void warnCorrupt(Path file, String warning) {
    if (options.warnings() != null) options.warnings().corruptJpeg(file.toString(), warning);
    else if (warned.add(file)) System.err.println(warning);
  }

  boolean threadsStopped() {
    return pool == null || pool.isTerminated();
  }

  /** One pass over the samples. Close it to abandon the rest of the epoch early. */
  public final class Epoch implements Iterator<Batch>, AutoCloseable {
    private final int number;
    private final int[] order;
    private final ArrayDeque<CompletableFuture<Batch>> inFlight = new ArrayDeque<>();
    private int submitted;   // batches handed to the pool
    private int returned;    // batches handed to the consumer
    private volatile boolean abandoned;

    private Epoch(int number) {
      this.number = number;
      this.order = order(number);
    }

    public int number() {
      return number;
    }

    @Override
    public boolean hasNext() {
      return !abandoned && returned < batchesPerEpoch();
    }

    @Override
    public Batch next() {
      if (!hasNext()) throw new NoSuchElementException(abandoned ? "epoch " + number + " was abandoned" : "epoch " + number + " is over");
      if (pool == null) {
        int b = returned++;
        try {
          return handedOver(decodeHere(b));
        } catch (RuntimeException e) {
          abandoned = true;
          throw e;
        }
      }
      CompletableFuture<Batch> head;
      synchronized (this) {
        head = inFlight.poll();
        returned++;
        fillWindow();   // keep the workers busy while the consumer waits for the head
      }
      try {
        Batch batch = head.get();
        if (returned == batchesPerEpoch()) finish();
        return handedOver(batch);
      } catch (ExecutionException e) {
        close();
        Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null ? c.getCause() : e.getCause();
        if (cause instanceof IllegalArgumentException iae) throw new IllegalArgumentException(iae.getMessage(), iae);
        throw new IllegalStateException("loading a batch failed: " + cause, cause);
      } catch (CancellationException e) {
        throw new IllegalStateException("epoch " + number + " was abandoned (loader closed)", e);
      } catch (InterruptedException e) {
        close();
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for a batch", e);
      }
    }

    /** The batch, its images marked as used on the receiving thread's stream when they were decoded on the device. */
    private Batch handedOver(Batch batch) {
      if (onDevice != null) onDevice.handOver(batch.images());
      return batch;
    }

    private synchronized void fillWindow() {
      while (!abandoned && submitted < batchesPerEpoch() && submitted < returned + 1 + PREFETCH_BATCHES)
        inFlight.add(submit(submitted++));
    }

    /**
     * Decodes batch b's images on the pool straight into its image tensor, then builds the batch
     * on the worker that finishes last. The tensor is freed there too when the batch fails or
     * nobody will take it: only once no worker writes into it any more.
     */
    private CompletableFuture<Batch> submit(int b) {
      int start = b * batchSize, count = Math.min(batchSize, order.length - start);
      int fpi = transform.floatsPerImage();
      Images images = new Images(count, fpi);
      boolean[] loaded = new boolean[count];
      List<CompletableFuture<Void>> parts = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        int slot = i;
        parts.add(CompletableFuture.runAsync(() -> {
          if (abandoned) throw new CancellationException();
          loaded[slot] = load(order[start + slot], images, slot);
        }, pool));
      }
      CompletableFuture<Batch> out = new CompletableFuture<>();
      CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).whenComplete((v, failure) -> {
        if (failure != null) {
          images.tensor.close();
          out.completeExceptionally(firstFailure(parts, failure));
          return;
        }
        try {
          Batch batch = build(b, images, loaded);
          // Lost the race with close(): nobody will take this batch, so free it here.
          if (!out.complete(batch)) batch.close();
        } catch (RuntimeException e) {
          out.completeExceptionally(e);
        }
      });
      return out;
    }

    /**
     * Decodes sample {@code index} into {@code images} at {@code offset}; false when it was
     * unreadable and skipped. The augmentation's random draws depend on (seed, epoch, sample)
     * only, never on which thread runs it or when.
     */
    private boolean load(int index, Images images, int slot) {
      Sample s = samples.get(index);
      Augmentation aug = options.augmentation();
      Random random = aug.isNone() ? null : new Random(Seeds.mix(seed ^ AUGMENT_STREAM, number, index));
      try {
        Path file = ImagePaths.resolve(imageRoot, s);
        Consumer<String> warnings = checked.add(file) ? line -> warnCorrupt(file, s.describe() + ": " + line) : null;
        if (onDevice != null) onDevice.load(file, images.tensor, slot, aug, random, warnings);
        else transform.apply(file, images.buffer, slot * images.floatsPerImage, aug, random, warnings);
        return true;
      } catch (IllegalArgumentException e) {
        String problem = e.getMessage().startsWith(s.describe()) ? e.getMessage() : s.describe() + ": " + e.getMessage();
        if (options.skipBad() == null) throw new IllegalArgumentException(problem, e);
        options.skipBad().add(problem);
        return false;
      }
    }

    /** The failure of the earliest image in the batch, so the message does not depend on timing. */
    private Throwable firstFailure(List<CompletableFuture<Void>> parts, Throwable fallback) {
      for (CompletableFuture<Void> p : parts) {
        if (!p.isCompletedExceptionally()) continue;
        try {
          p.join();
        } catch (CompletionException e) {
          return e.getCause() != null ? e.getCause() : e;
        } catch (CancellationException e) {
          return e;
        }
      }
      return fallback;
    }

    private Batch decodeHere(int b) {
      int start = b * batchSize, count = Math.min(batchSize, order.length - start);
      int fpi = transform.floatsPerImage();
      Images images = new Images(count, fpi);
      boolean[] loaded = new boolean[count];
      try {
        for (int i = 0; i < count; i++) loaded[i] = load(order[start + i], images, i);
      } catch (RuntimeException e) {
        images.tensor.close();
        throw e;
      }
      return build(b, images, loaded);
    }

    /** The batch from its decoded images (which it takes over, or frees) and the samples' labels. */
    private Batch build(int b, Images images, boolean[] loaded) {
      int start = b * batchSize;
      List<Integer> kept = new ArrayList<>(loaded.length);
      for (int i = 0; i < loaded.length; i++) if (loaded[i]) kept.add(i);
      Tensor x = images.tensor, y = null;
      try {
        if (onDevice != null) onDevice.finishBatch();   // every image written before the batch is handed over
        if (kept.isEmpty())
          throw new IllegalArgumentException("every image of batch " + b + " of epoch " + number + " is unreadable (the first: "
              + samples.get(order[start]).describe() + ")");
        int count = kept.size();
        if (count < loaded.length) x = images.compact(kept);   // drop the slots the skipped images left
        long[] targets = new long[count * numClasses];
        List<String> paths = new ArrayList<>(count);
        long[] indices = new long[count];
        for (int k = 0; k < count; k++) {
          indices[k] = order[start + kept.get(k)];
          Sample sample = samples.get((int) indices[k]);
          paths.add(sample.path());
          for (int j = 0; j < sample.numLabels(); j++) targets[k * numClasses + sample.label(j)] = 1;
        }
        y = owned(new long[] {count, numClasses}, ScalarType.Long, options.pinMemory());
        try (LongPointer p = y.data_ptr_long()) {
          p.put(targets);
        }
        return new Batch(x, unscoped(y), paths, indices);
      } catch (RuntimeException e) {
        x.close();
        if (y != null) y.close();
        throw e;
      }
    }

    /** Stops serving this epoch and frees whatever it had prepared. */
    @Override
    public synchronized void close() {
      if (abandoned && inFlight.isEmpty()) return;
      abandoned = true;
      for (CompletableFuture<Batch> f : inFlight) {
        f.cancel(false);
        f.thenAccept(Batch::close);   // runs only if the batch was already complete
      }
      inFlight.clear();
      finish();
    }

    private void finish() {
      openEpochs.remove(this);
    }
  }

  /**
   * A batch's image tensor [count, 3, S, S], allocated before its images are decoded, and its
   * memory as a buffer that the workers write each image into (no copy of the batch afterwards).
   */
  private final class Images {
    final Tensor tensor;
    final FloatBuffer buffer;   // null when the tensor is on the device (DeviceDecoding writes it)
    final int floatsPerImage;

    Images(int count, int floatsPerImage) {
      int s = transform.imageSize();
      this.floatsPerImage = floatsPerImage;
      if (onDevice != null) {
        this.tensor = unscoped(onDevice.newBatch(count));
        this.buffer = null;
      } else {
        this.tensor = unscoped(owned(new long[] {count, 3, s, s}, ScalarType.Float, options.pinMemory()));
        this.buffer = floats(tensor, (long) count * floatsPerImage);
      }
    }

    /** A tensor of the kept images only; this one is freed. */
    Tensor compact(List<Integer> kept) {
      if (buffer == null) {
        Tensor x = unscoped(onDevice.compact(tensor, kept.stream().mapToLong(Integer::longValue).toArray()));
        tensor.close();
        return x;
      }
      int s = transform.imageSize();
      Tensor x = unscoped(owned(new long[] {kept.size(), 3, s, s}, ScalarType.Float, options.pinMemory()));
      try {
        FloatBuffer to = floats(x, (long) kept.size() * floatsPerImage);
        for (int k = 0; k < kept.size(); k++) to.put(k * floatsPerImage, buffer, kept.get(k) * floatsPerImage, floatsPerImage);
      } catch (RuntimeException e) {
        x.close();
        throw e;
      }
      tensor.close();
      return x;
    }

    private static FloatBuffer floats(Tensor t, long n) {
      try (FloatPointer p = t.data_ptr_float()) {
        return p.capacity(n).asBuffer();
      }
    }
  }

  /**
   * {@code t}, owned by whoever receives the batch, who closes it. Batches are allocated and built
   * on the consumer's thread too (the prefetch's submissions and completion stages, or workers ==
   * 0) while its step may hold a PointerScope, whose end must not free them. detach() releases
   * the scope's reference, so take one first: the tensor keeps one reference, which close()
   * releases.
   */
  private static Tensor unscoped(Tensor t) {
    PointerScope scope = PointerScope.getInnerScope();
    if (scope != null) scope.detach(t.retainReference());
    return t;
  }

  /**
   * A contiguous CPU tensor that allocates and owns its memory (unlike from_blob); page-locked
   * when {@code pinned}, so that the copy to the GPU is a DMA that can overlap compute.
   */
  private static Tensor owned(long[] shape, ScalarType type, boolean pinned) {
    try (ScalarTypeOptional st = new ScalarTypeOptional(type);
        TensorOptions base = new TensorOptions();
        TensorOptions typed = base.dtype(st);
        BoolOptional pin = new BoolOptional(pinned);
        TensorOptions options = typed.pinned_memory(pin);
        MemoryFormatOptional format = new MemoryFormatOptional()) {
      return empty(shape, options, format);
    }
  }
}
