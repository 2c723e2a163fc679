package hspnet.bench;

import static org.bytedeco.pytorch.global.torch.cosine_similarity;
import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.bytedeco.pytorch.global.torch.stack;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;

import hspnet.cli.ExitStatus;
import hspnet.cli.OptionParser;
import hspnet.clip.ClipInit;
import hspnet.clip.ClipModel;
import hspnet.data.Augmentation;
import hspnet.data.Batch;
import hspnet.data.BatchLoader;
import hspnet.data.ClipTransform;
import hspnet.data.DeviceDecoding;
import hspnet.data.LabelList;
import hspnet.data.DeviceTransform;
import hspnet.data.NvJpegDecoder;
import hspnet.nn.CpuNumerics;
import hspnet.nn.Tensors;
import hspnet.testutil.PlanarRgb;
import hspnet.testutil.SyntheticHspNet;
import hspnet.nn.JavaCppTuning;

/**
 * {@code DecodeBench [--device cuda|cpu] [--count 256] [--size 224] [--images DIR]}: the GPU decode
 * path (nvJPEG, then {@link DeviceTransform}) against the Pillow-exact CPU path on the same JPEGs:
 * images per second of each (the CPU path on one thread), the difference of the normalised
 * tensors in 8-bit levels, and the difference it makes to CLIP RN50 image features (random
 * weights, fixed seed). On the CPU ({@code --device cpu}, to test the bench) OpenCV decodes in
 * nvJPEG's place.
 */
public final class DecodeBench {
  static {
    JavaCppTuning.apply(); // before the first native object (see JavaCppTuning)
  }

  private DecodeBench() {}

  static final String USAGE = "usage: DecodeBench [--device cuda|cpu] [--count 256] [--size 224] [--images DIR]\n";
  private static final OptionParser PARSER = new OptionParser("DecodeBench").value("--device").value("--count").value("--size")
      .value("--images");
  /** Images whose tensors and features are compared. */
  private static final int COMPARED = 16;

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  public static int run(String[] args, PrintStream out, PrintStream err) {
    return PARSER.run(args, USAGE, out, err, p -> {
      boolean cuda = "cuda".equals(p.value("--device", "cuda"));
      int count = p.integer("--count", 1, "an image count", 256), size = p.integer("--size", 32, "an image size", 224);
      CpuNumerics.pin();
      Device device = new Device(cuda ? DeviceType.CUDA : DeviceType.CPU);
      List<Path> files = p.has("--images") ? jpegs(p.path("--images"), count)
          : SyntheticPhotos.draw(Files.createTempDirectory("decode-bench"), count, 640, 480, Runtime.getRuntime().availableProcessors());
      List<byte[]> bytes = new ArrayList<>();
      for (Path f : files) bytes.add(Files.readAllBytes(f));

      ClipTransform exact = new ClipTransform(size);
      List<float[]> exactOut = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int i = 0; i < files.size(); i++) {
        float[] x = exact.apply(files.get(i));
        if (i < COMPARED) exactOut.add(x);
      }
      double cpuRate = files.size() / ((System.nanoTime() - t0) / 1e9);

      DeviceTransform transform = new DeviceTransform(size, device);
      List<Tensor> deviceOut = new ArrayList<>();
      double deviceRate;
      try (NvJpegDecoder nv = cuda ? NvJpegDecoder.open(device) : null) {
        for (int pass = 0; pass < 2; pass++) {   // the first pass warms nvJPEG and the kernels up
          deviceOut.clear();
          long t1 = System.nanoTime();
          for (int i = 0; i < bytes.size(); i++) {
            try (PointerScope scope = new PointerScope()) {
              Tensor rgb = cuda ? nv.decode(bytes.get(i), files.get(i).toString()) : planarOnCpu(files.get(i));
              Tensor x = transform.apply(rgb);
              if (i < COMPARED) deviceOut.add(Tensors.kept(() -> x.clone()));
            }
          }
          if (cuda) torch.cuda_synchronize();
          deviceRate = bytes.size() / ((System.nanoTime() - t1) / 1e9);
          if (pass == 1) report(out, cuda, files.size(), size, cpuRate, deviceRate, exactOut, deviceOut, device);
        }
      }
      if (!cuda) return ExitStatus.DONE;
      double loaderDiff = throughTheLoader(files.subList(0, COMPARED), size, device, deviceOut);
      boolean same = loaderDiff <= 1e-6;
      out.printf(Locale.ROOT, "%s loader with image_decode gpu (its own CUDA stream, 8 threads, the default stream kept busy):"
          + " max |diff| %.2e from the direct path over %d images%n", same ? "OK  " : "FAIL", loaderDiff, COMPARED);
      return same ? ExitStatus.DONE : ExitStatus.BAD_INPUT;   // 1: the check failed
    });
  }

  /**
   * The same images through the loader's device decoding (a stream of its own, several threads),
   * with large products queued on the consumer's stream between batches, as a training step
   * would: the largest difference from the direct path's tensors (0 when the streams are ordered
   * right: the same ops on the same bytes).
   */
  private static double throughTheLoader(List<Path> files, int size, Device device, List<Tensor> direct) {
    List<LabelList.Sample> samples = new ArrayList<>();
    for (Path f : files) samples.add(new LabelList.Sample(f.getFileName().toString(), new int[] {0}));
    BatchLoader.Options options = new BatchLoader.Options(Augmentation.NONE, true, null).decodedOn(DeviceDecoding.Spec.nvJpeg(device));
    double worst = 0;
    int i = 0;
    try (BatchLoader loader = new BatchLoader(files.get(0).getParent(), samples, 1, new ClipTransform(size),
        new BatchLoader.Batching(4, false, 0, 8), options)) {
      for (Batch b : (Iterable<Batch>) loader::iterator) {
        try (PointerScope scope = new PointerScope(); b) {
          Tensor busy = randn(4096, 4096).to(device, ScalarType.Float);
          for (int k = 0; k < 8; k++) busy = busy.mm(busy).div(new Scalar(4096));
          for (int j = 0; j < b.size(); j++, i++)
            worst = Math.max(worst, b.images().select(0, j).sub(direct.get(i)).abs().max().item_double());
        }
      }
    }
    return worst;
  }

  private static List<Path> jpegs(Path dir, int count) throws IOException {
    try (var s = Files.list(dir)) {
      List<Path> all = s.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.jpe?g")).sorted().toList();
      if (all.isEmpty()) throw new IllegalArgumentException(dir + ": no JPEG files");
      return all.subList(0, Math.min(count, all.size()));
    }
  }

  /** OpenCV's decode of the file as planar RGB uint8, standing in for nvJPEG on the CPU. */
  private static Tensor planarOnCpu(Path file) {
    try (Mat bgr = ClipTransform.decode(file)) {
      return PlanarRgb.of(bgr);
    }
  }

  private static void report(PrintStream out, boolean cuda, int images, int size, double cpuRate, double deviceRate,
      List<float[]> exact, List<Tensor> device, Device dev) {
    double level = 1 / (255 * 0.26130258), worst = 0, sum = 0;
    long n = 0;
    List<Tensor> a = new ArrayList<>(), b = new ArrayList<>();
    for (int i = 0; i < exact.size(); i++) {
      float[] d = Tensors.toFloats(device.get(i).to(new Device(DeviceType.CPU), ScalarType.Float).contiguous());
      for (int j = 0; j < d.length; j++) {
        double diff = Math.abs(d[j] - exact.get(i)[j]);
        worst = Math.max(worst, diff);
        sum += diff;
        n++;
      }
      a.add(Tensors.ofFloats(exact.get(i), 3, size, size));
      b.add(device.get(i).to(new Device(DeviceType.CPU), ScalarType.Float));
    }
    double[] features = featureDifference(a, b, size, dev);
    out.printf(Locale.ROOT, "| path | images/s | %n|---|---:|%n| Pillow-exact CPU (1 thread) | %.0f |%n| %s + LibTorch resize on %s | %.0f |%n",
        cpuRate, cuda ? "nvJPEG" : "OpenCV", cuda ? "CUDA" : "the CPU", deviceRate);
    out.printf(Locale.ROOT, "%d images %dx%d; over the first %d: normalised tensors differ by at most %.2f levels (mean %.3f);"
        + " CLIP RN50 features (random weights): max |diff| %.2e of the largest, lowest cosine %.6f%n",
        images, size, size, exact.size(), worst / level, sum / n / level, features[0], features[1]);
  }

  /** Max |f_a - f_b| / max |f_a| and the lowest cosine similarity of RN50 image features of two batches. */
  private static double[] featureDifference(List<Tensor> a, List<Tensor> b, int size, Device device) {
    try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      manual_seed(7);
      ClipModel clip = new ClipModel(SyntheticHspNet.Size.RN50.arch(size));
      ClipInit.initialize(clip);   // OpenAI's initialisation: finite features through 16 bottlenecks
      clip.to(device, false);
      clip.eval();
      Tensor fa = clip.encodeImage(stack(new TensorVector(a.toArray(new Tensor[0]))).to(device, ScalarType.Float)).cpu();
      Tensor fb = clip.encodeImage(stack(new TensorVector(b.toArray(new Tensor[0]))).to(device, ScalarType.Float)).cpu();
      double rel = fa.sub(fb).abs().max().item_double() / fa.abs().max().item_double();
      double lowestCosine = cosine_similarity(fa, fb, 1, 1e-8).min().item_double();
      return new double[] {rel, lowestCosine};
    }
  }
}
