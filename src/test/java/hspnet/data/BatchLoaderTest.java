package hspnet.data;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import hspnet.data.LabelList.Sample;
import java.util.NoSuchElementException;

class BatchLoaderTest {
  static final int N = 10, C = 5, S = 8;
  @TempDir static Path root;
  static List<Sample> samples = new ArrayList<>();
  static final ClipTransform transform = new ClipTransform(S);

  /** Ten flat images whose colour encodes their index, with 1–3 labels each. */
  @BeforeAll
  static void images() throws IOException {
    Files.createDirectories(root.resolve("img"));
    for (int i = 0; i < N; i++) {
      String path = "img/" + i + ".png";
      try (Mat m = new Mat(12, 16, CV_8UC3, new Scalar(10 * i, 255 - 20 * i, 7 * i, 0))) {
        assertTrue(imwrite(root.resolve(path).toString(), m));
      }
      int[] labels = i % 3 == 0 ? new int[] {i % C} : i % 3 == 1 ? new int[] {(i + 1) % C, (i + 3) % C} : new int[] {0, 2, 4};
      samples.add(new Sample(path, labels));
    }
  }

  private static float[] floats(Tensor t) {
    float[] a = new float[(int) t.numel()];
    try (FloatPointer p = t.data_ptr_float()) {
      p.get(a);
    }
    return a;
  }

  private static long[] longs(Tensor t) {
    long[] a = new long[(int) t.numel()];
    try (LongPointer p = t.data_ptr_long()) {
      p.get(a);
    }
    return a;
  }

  /** One epoch as (paths in order), checking every batch's tensors against the samples. */
  private static List<String> checkedEpoch(Iterator<Batch> epoch, int batchSize) {
    Map<String, Sample> byPath = new HashMap<>();
    for (Sample s : samples) byPath.put(s.path(), s);
    List<String> order = new ArrayList<>();
    int fpi = transform.floatsPerImage();
    while (epoch.hasNext()) {
      try (Batch b = epoch.next()) {
        int n = b.size();
        assertTrue(n == batchSize || order.size() + n == N, "only the last batch may be partial");
        assertArrayEquals(new long[] {n, 3, S, S}, b.images().sizes().vec().get());
        assertArrayEquals(new long[] {n, C}, b.targets().sizes().vec().get());
        assertEquals(ScalarType.Float, b.images().scalar_type().intern());
        assertEquals(ScalarType.Long, b.targets().scalar_type().intern());
        float[] x = floats(b.images());
        long[] y = longs(b.targets());
        for (int i = 0; i < n; i++) {
          Sample s = byPath.get(b.paths().get(i));
          long[] hot = new long[C];
          for (int l : s.labels()) hot[l] = 1;
          assertArrayEquals(hot, Arrays.copyOfRange(y, i * C, (i + 1) * C), "multi-hot of " + s.path());
          assertArrayEquals(transform.apply(root.resolve(s.path())), Arrays.copyOfRange(x, i * fpi, (i + 1) * fpi),
              "pixels of " + s.path());
        }
        order.addAll(b.paths());
      }
    }
    return order;
  }

  @Test
  void shuffledEpochsAreSeededCompleteAndDiffer() {
    try (BatchLoader a = new BatchLoader(root, samples, C, transform, new BatchLoader.Batching(4, true, 42, 3));
        BatchLoader b = new BatchLoader(root, samples, C, transform, new BatchLoader.Batching(4, true, 42, 0))) {
      assertEquals(3, a.batchesPerEpoch());
      List<String> a0 = checkedEpoch(a.iterator(), 4), a1 = checkedEpoch(a.iterator(), 4);
      List<String> b0 = checkedEpoch(b.iterator(), 4), b1 = checkedEpoch(b.iterator(), 4);
      System.out.println("epoch 0: " + a0 + "\nepoch 1: " + a1);
      assertEquals(a0, b0, "same seed, same order (3 workers or none)");
      assertEquals(a1, b1);
      assertNotEquals(a0, a1, "epochs differ");
      for (List<String> epoch : List.of(a0, a1)) {
        assertEquals(N, epoch.size());
        assertEquals(N, epoch.stream().distinct().count(), "every sample exactly once");
      }
      List<String> listOrder = samples.stream().map(Sample::path).toList();
      assertNotEquals(listOrder, a0, "shuffled");
    }
    try (BatchLoader other = new BatchLoader(root, samples, C, transform, new BatchLoader.Batching(4, true, 43, 2))) {
      try (BatchLoader same = new BatchLoader(root, samples, C, transform, new BatchLoader.Batching(4, true, 42, 2))) {
        assertNotEquals(checkedEpoch(same.iterator(), 4), checkedEpoch(other.iterator(), 4), "seed matters");
      }
    }
  }

  @Test
  void unshuffledFollowsTheListAndKeepsThePartialBatch() {
    try (BatchLoader l = new BatchLoader(root, samples, C, transform, new BatchLoader.Batching(3, false, 0, 2))) {
      assertEquals(4, l.batchesPerEpoch());
      List<String> order = checkedEpoch(l.iterator(), 3);
      assertEquals(samples.stream().map(Sample::path).toList(), order);
      Iterator<Batch> it = l.iterator();
      int last = -1;
      while (it.hasNext()) try (Batch b = it.next()) {
        last = b.size();
      }
      assertEquals(1, last, "10 = 3 + 3 + 3 + 1");
      assertThrows(NoSuchElementException.class, it::next);
    }
  }

  @Test
  void explicitEpochMatchesTheNthIterator() {
    try (BatchLoader l = new BatchLoader(root, samples, C, transform, new BatchLoader.Batching(4, true, 5, 1))) {
      List<String> viaEpoch = checkedEpoch(l.epoch(2), 4);
      assertEquals(Arrays.stream(l.order(2)).mapToObj(i -> samples.get(i).path()).toList(), viaEpoch);
    }
    try (BatchLoader l = new BatchLoader(root, samples, C, transform, new BatchLoader.Batching(4, true, 5, 1))) {
      l.iterator().close();   // epochs 0 and 1, abandoned at once
      l.iterator().close();
      BatchLoader.Epoch third = l.iterator();
      assertEquals(2, third.number());
      assertEquals(Arrays.stream(l.order(2)).mapToObj(i -> samples.get(i).path()).toList(), checkedEpoch(third, 4));
    }
  }

  @Test
  void corruptImageIsNamedAndThreadsStop() throws IOException {
    Path bad = root.resolve("img/bad.png");
    Files.write(bad, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 1, 2});
    List<Sample> withBad = new ArrayList<>(samples);
    withBad.add(7, new Sample("img/bad.png", new int[] {1}));
    for (int workers : new int[] {0, 2}) {
      BatchLoader l = new BatchLoader(root, withBad, C, transform, new BatchLoader.Batching(4, false, 0, workers));
      String msg = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
        Iterator<Batch> it = l.iterator();
        try (Batch first = it.next()) {
          assertEquals(4, first.size(), "batches before the bad one are served");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
          while (it.hasNext()) it.next().close();
        });
        assertFalse(it.hasNext(), "the epoch ends with the error");
        return e.getMessage();
      });
      assertTrue(msg.contains(bad.toString()), "names the file: " + msg);
      l.close();
      assertTrue(l.threadsStopped(), "pool shut down");
      assertThrows(IllegalStateException.class, l::iterator);
    }
  }

  @Test
  void closingMidEpochStopsTheThreads() {
    BatchLoader l = new BatchLoader(root, samples, C, transform, new BatchLoader.Batching(2, true, 1, 2));
    Iterator<Batch> it = l.iterator();
    it.next().close();
    l.close();
    assertTrue(l.threadsStopped());
    assertFalse(it.hasNext(), "abandoned epoch serves nothing more");
  }

  @Test
  void rejectsBadArguments() {
    assertThrows(IllegalArgumentException.class, () -> new BatchLoader(root, samples, C, transform, new BatchLoader.Batching(0, false, 0, 0)));
    assertThrows(IllegalArgumentException.class, () -> new BatchLoader(root, samples, C, transform, new BatchLoader.Batching(2, false, 0, -1)));
    assertThrows(IllegalArgumentException.class, () -> new BatchLoader(root, List.of(), C, transform, new BatchLoader.Batching(2, false, 0, 0)));
    String msg = assertThrows(IllegalArgumentException.class,
        () -> new BatchLoader(root, samples, 3, transform, new BatchLoader.Batching(2, false, 0, 0))).getMessage();
    assertTrue(msg.contains("outside [0, 3)"), msg);
  }

  /**
   * A training step holds a PointerScope while it asks for the next batch, which allocates the
   * batches after it (the prefetch), or decodes the batch itself (workers == 0): their tensors
   * belong to the receiver and must outlive that scope.
   */
  @Test
  void batchesOutliveTheScopeTheyWereRequestedIn() {
    for (int workers : new int[] {0, 2}) {
      try (BatchLoader l = new BatchLoader(root, samples, C, transform, new BatchLoader.Batching(2, false, 0, workers))) {
        List<Batch> kept = new ArrayList<>();
        Iterator<Batch> epoch;
        try (PointerScope scope = new PointerScope()) {
          epoch = l.iterator();
          kept.add(epoch.next());
        }
        try (PointerScope scope = new PointerScope()) {
          while (epoch.hasNext()) kept.add(epoch.next());
        }
        int fpi = transform.floatsPerImage();
        for (Batch b : kept) {
          try (b) {
            float[] x = floats(b.images());
            for (int i = 0; i < b.size(); i++)
              assertArrayEquals(transform.apply(root.resolve(b.paths().get(i))), Arrays.copyOfRange(x, i * fpi, (i + 1) * fpi),
                  workers + " workers: " + b.paths().get(i));
          }
        }
      }
    }
  }
}
