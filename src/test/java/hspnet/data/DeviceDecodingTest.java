package hspnet.data;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import hspnet.data.LabelList.Sample;
import hspnet.nn.Tensors;
import hspnet.testutil.PlanarRgb;

/**
 * The loader with images decoded "on the device" ({@code image_decode: gpu}), here on the CPU with
 * a stand-in for nvJPEG (OpenCV's decoder, the same libjpeg the exact path uses): batches, labels
 * and order as the CPU path serves them, pixels within a few levels of the Pillow-exact path,
 * everything the decoder does not take (PNG, refused JPEGs) exactly as the CPU path decodes it, and
 * every thread's decoder freed with the loader.
 */
class DeviceDecodingTest {
  static final int N = 12, C = 4, S = 32;
  /** Normalised units per 8-bit level for the smallest std. */
  static final double LEVEL = 1 / (255 * 0.26130258);
  @TempDir static Path root;
  static final List<Sample> samples = new ArrayList<>();
  static final ClipTransform transform = new ClipTransform(S);
  static final Device CPU = new Device(DeviceType.CPU);

  /** JPEGs of several sizes and one PNG (sample 5), 1–2 labels each. */
  @BeforeAll
  static void images() throws IOException {
    for (int i = 0; i < N; i++) {
      String path = i == 5 ? i + ".png" : i + ".jpg";
      int w = 40 + 13 * i, h = 36 + 7 * (N - i);
      if (i == 5) {
        try (Mat m = TestJpegs.picture(w, h, 3, i)) {
          assertTrue(imwrite(root.resolve(path).toString(), m));
        }
      } else {
        Files.write(root.resolve(path), TestJpegs.jpeg(w, h, i % 4 == 3 ? 1 : 3, 100 + i));
      }
      samples.add(new Sample(path, i % 2 == 0 ? new int[] {i % C} : new int[] {i % C, (i + 1) % C}));
    }
  }

  /** A CPU stand-in for nvJPEG: OpenCV decodes to BGR, returned as planar RGB uint8 [3, H, W]. */
  static final class OpenCvDecoder implements JpegDecoder {
    final AtomicInteger decoded = new AtomicInteger();
    boolean closed;

    @Override
    public Tensor decode(byte[] jpeg, String name) {
      try (Mat bgr = ClipTransform.decode(writeTemp(jpeg))) {
        decoded.incrementAndGet();
        return PlanarRgb.of(bgr);
      }
    }

    private static Path writeTemp(byte[] jpeg) {
      try {
        Path f = Files.createTempFile(root, "d", ".jpg");
        Files.write(f, jpeg);
        return f;
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  /** Every decoder opened, to check that the loader closes them all. */
  static final class Decoders implements Function<Device, JpegDecoder> {
    final List<OpenCvDecoder> opened = new ArrayList<>();

    @Override
    public synchronized JpegDecoder apply(Device d) {
      OpenCvDecoder o = new OpenCvDecoder();
      opened.add(o);
      return o;
    }
  }

  private static Map<String, float[]> epoch(BatchLoader loader, Map<String, long[]> targets, List<String> order) {
    Map<String, float[]> images = new HashMap<>();
    int fpi = transform.floatsPerImage();
    for (Batch b : (Iterable<Batch>) loader::iterator) {
      try (b) {
        float[] x = Tensors.toFloats(b.images().contiguous());
        long[] y = Tensors.toLongs(b.targets().contiguous());
        for (int i = 0; i < b.size(); i++) {
          String p = b.paths().get(i);
          order.add(p);
          float[] one = new float[fpi];
          System.arraycopy(x, i * fpi, one, 0, fpi);
          images.put(p, one);
          long[] t = new long[C];
          System.arraycopy(y, i * C, t, 0, C);
          targets.put(p, t);
        }
      }
    }
    return images;
  }

  @Test
  void servesTheCpuPathsBatchesWithPixelsWithinAFewLevels() {
    Decoders decoders = new Decoders();
    BatchLoader.Batching batching = new BatchLoader.Batching(5, true, 7, 3);
    Map<String, long[]> exactTargets = new HashMap<>(), deviceTargets = new HashMap<>();
    List<String> exactOrder = new ArrayList<>(), deviceOrder = new ArrayList<>();
    Map<String, float[]> exact, device;
    try (BatchLoader cpu = new BatchLoader(root, samples, C, transform, batching)) {
      exact = epoch(cpu, exactTargets, exactOrder);
    }
    BatchLoader.Options options = BatchLoader.Options.DEFAULT.decodedOn(new DeviceDecoding.Spec(CPU, decoders));
    DeviceDecoding used;
    try (BatchLoader gpu = new BatchLoader(root, samples, C, transform, batching, options)) {
      used = gpu.deviceDecoding().orElseThrow();
      device = epoch(gpu, deviceTargets, deviceOrder);
      assertEquals(N - 1, used.decodedOnDevice(), "every JPEG through the decoder");
      assertEquals(1, used.decodedOnCpu(), "the PNG through the CPU path");
    }
    assertEquals(exactOrder, deviceOrder);
    for (String p : exactOrder) {
      assertArrayEquals(exactTargets.get(p), deviceTargets.get(p), "labels of " + p);
      float[] a = exact.get(p), b = device.get(p);
      double worst = 0, sum = 0;
      for (int i = 0; i < a.length; i++) {
        double d = Math.abs(a[i] - b[i]);
        worst = Math.max(worst, d);
        sum += d;
      }
      if (p.endsWith(".png")) assertEquals(0, worst, "a PNG goes through the exact path: " + p);
      assertTrue(worst <= 5.01 * LEVEL, p + ": max difference " + worst / LEVEL + " levels");
      assertTrue(sum / a.length <= 0.5 * LEVEL, p + ": mean difference " + sum / a.length / LEVEL + " levels");
    }
    int total = decoders.opened.stream().mapToInt(d -> d.decoded.get()).sum();
    assertEquals(N - 1, total);
    assertTrue(decoders.opened.size() >= 2 && decoders.opened.size() <= 4,
        "one decoder for the constructing thread and one per worker that decoded: " + decoders.opened.size());
    assertTrue(decoders.opened.stream().allMatch(d -> d.closed), "every thread's decoder closed with the loader");
  }

  @Test
  void refusedJpegsAndTheNoWorkerPathAreTheCpuPathBitForBit() {
    Function<Device, JpegDecoder> refusing = d -> new JpegDecoder() {
      @Override
      public Tensor decode(byte[] jpeg, String name) {
        throw new IllegalArgumentException(name + ": refused");
      }

      @Override
      public void close() {}
    };
    BatchLoader.Batching batching = new BatchLoader.Batching(4, false, 0, 0);
    Map<String, long[]> t1 = new HashMap<>(), t2 = new HashMap<>();
    List<String> o1 = new ArrayList<>(), o2 = new ArrayList<>();
    Map<String, float[]> exact, device;
    try (BatchLoader cpu = new BatchLoader(root, samples, C, transform, batching)) {
      exact = epoch(cpu, t1, o1);
    }
    BatchLoader.Options options = BatchLoader.Options.DEFAULT.decodedOn(new DeviceDecoding.Spec(CPU, refusing));
    try (BatchLoader gpu = new BatchLoader(root, samples, C, transform, batching, options)) {
      device = epoch(gpu, t2, o2);
      assertEquals(0, gpu.deviceDecoding().orElseThrow().decodedOnDevice());
      assertEquals(N, gpu.deviceDecoding().orElseThrow().decodedOnCpu());
    }
    assertEquals(o1, o2);
    for (String p : o1) assertArrayEquals(exact.get(p), device.get(p), p);
  }

  @Test
  void missingAndSkippedImagesAreNamedAndCompactedAsOnTheCpuPath() throws IOException {
    Path dir = Files.createDirectories(root.resolve("partial"));
    List<Sample> some = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      if (i != 2) Files.write(dir.resolve(i + ".jpg"), TestJpegs.jpeg(50, 40, 3, i));
      some.add(new Sample(i + ".jpg", new int[] {i % C}));
    }
    BatchLoader.Batching batching = new BatchLoader.Batching(4, false, 0, 2);
    Decoders decoders = new Decoders();
    BatchLoader.Options strict = BatchLoader.Options.DEFAULT.decodedOn(new DeviceDecoding.Spec(CPU, decoders));
    try (BatchLoader gpu = new BatchLoader(dir, some, C, transform, batching, strict)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> gpu.iterator().next());
      assertTrue(e.getMessage().contains("2.jpg"), e.getMessage());
    }
    BadImages bad = new BadImages();
    BatchLoader.Options skipping = new BatchLoader.Options(Augmentation.NONE, false, bad).decodedOn(new DeviceDecoding.Spec(CPU, decoders));
    try (BatchLoader gpu = new BatchLoader(dir, some, C, transform, batching, skipping); Batch b = gpu.iterator().next()) {
      assertEquals(List.of("0.jpg", "1.jpg", "3.jpg"), b.paths());
      assertArrayEquals(new long[] {3, 3, S, S}, Tensors.shape(b.images()));
      assertArrayEquals(new long[] {0, 1, 3}, b.indices());
      float[] x = Tensors.toFloats(b.images().contiguous());
      float[] third = transform.apply(dir.resolve("3.jpg"));
      int fpi = transform.floatsPerImage();
      double worst = 0;
      for (int i = 0; i < fpi; i++) worst = Math.max(worst, Math.abs(x[2 * fpi + i] - third[i]));
      assertTrue(worst <= 5.01 * LEVEL, "the third kept image is 3.jpg: " + worst / LEVEL + " levels");
      assertEquals(1, bad.count());
    }
    assertTrue(decoders.opened.stream().allMatch(d -> d.closed));
  }

  @Test
  void aDecoderThatCannotOpenFailsWhenTheLoaderIsBuilt() {
    Function<Device, JpegDecoder> missing = d -> {
      throw new IllegalStateException("image_decode gpu needs nvJPEG: the CUDA build");
    };
    BatchLoader.Options options = BatchLoader.Options.DEFAULT.decodedOn(new DeviceDecoding.Spec(CPU, missing));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> new BatchLoader(root, samples, C, transform, new BatchLoader.Batching(4, false, 0, 1), options));
    assertTrue(e.getMessage().startsWith("image_decode gpu needs nvJPEG"), e.getMessage());
  }
}
