package hspnet.data;

import static org.bytedeco.pytorch.global.torch.empty;
import static org.bytedeco.pytorch.global.torch.getCurrentStream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.DimnameListOptional;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.cuda.CUDAStream;
import org.bytedeco.pytorch.cuda.CUDAStreamGuard;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.bytedeco.pytorch.global.torch_cuda;

import hspnet.nn.Tensors;

/**
 * The loader's images decoded and transformed on the training device ({@code image_decode: gpu}):
 * each JPEG's bytes go to the thread's {@link JpegDecoder} (nvJPEG), {@link DeviceTransform} brings
 * the pixels to CLIP's input there, and the result is written into its slot of the batch tensor,
 * which lives on the device, so no image crosses the PCIe bus as floats. Files that are not JPEGs
 * (PNG, ...) and JPEGs the decoder refuses go through the exact CPU path and are copied into their
 * slot: every image loads as it would on the CPU path, only faster where the device can help.
 *
 * <p>One instance per loader: it keeps one decoder per thread that used it (the loader's workers,
 * or the consumer's thread when decoding there) and frees them all in {@link #close()}, after the
 * loader's threads stopped.
 */
public final class DeviceDecoding implements AutoCloseable {
  /** What decodes on {@code device}: the device and a way to open one decoder for the calling thread. */
  public record Spec(Device device, Function<Device, JpegDecoder> decoders, boolean ownStream) {
    /** A decoder without a stream of its own (a CPU stand-in: the tests). */
    public Spec(Device device, Function<Device, JpegDecoder> decoders) {
      this(device, decoders, false);
    }

    /** nvJPEG on a CUDA device, on a CUDA stream of the loader's own. */
    public static Spec nvJpeg(Device device) {
      return new Spec(device, NvJpegDecoder::open, true);
    }
  }

  private final Spec spec;
  private final ClipTransform cpuPath;
  private final DeviceTransform transform;
  private final ThreadLocal<JpegDecoder> decoder = new ThreadLocal<>();
  private final List<JpegDecoder> opened = new ArrayList<>();
  private final AtomicLong onDevice = new AtomicLong(), onCpu = new AtomicLong();
  /**
   * The CUDA stream all decoding and resizing is queued on (null: the calling thread's current
   * stream): apart from the training step's stream, so that the two overlap on the GPU instead of
   * waiting for each other.
   */
  private final CUDAStream stream;
  private boolean closed;

  /**
   * Decoding on {@code spec}'s device, with {@code cpuPath} for the images it does not take. Opens
   * the calling thread's decoder at once, so that a device or build without the decoder fails here,
   * with the decoder's message, before any batch is requested.
   */
  public DeviceDecoding(Spec spec, ClipTransform cpuPath) {
    this.spec = spec;
    this.cpuPath = cpuPath;
    this.transform = new DeviceTransform(cpuPath.imageSize(), spec.device());
    this.stream = spec.ownStream() ? torch_cuda.getStreamFromPool(false, deviceIndex(spec.device())) : null;
    // the transform's constants were copied on this thread's stream; the decoding stream reads them
    if (stream != null) torch_cuda.getCurrentCUDAStream(deviceIndex(spec.device())).synchronize();
    decoderOfThisThread();
  }

  /** The device's index; a CUDA device named without one is the current device. */
  static byte deviceIndex(Device device) {
    return device.has_index() ? device.index() : torch_cuda.current_device();
  }

  /** Runs {@code work} with the decoding stream current on this thread (as it is, without one). */
  private <T> T onStream(Supplier<T> work) {
    if (stream == null) return work.get();
    try (CUDAStreamGuard guard = new CUDAStreamGuard(stream.unwrap())) {
      return work.get();
    }
  }

  /**
   * Waits until the decoding stream has written every image queued so far: a batch is handed
   * over only once its pixels are there (the consumer's stream did not wait for them).
   */
  public void finishBatch() {
    if (stream != null) stream.synchronize();
  }

  /**
   * Marks a batch's images as used on the receiving thread's current stream, so that the caching
   * allocator does not give their memory back to the decoding stream before the receiver's queued
   * work has read them.
   */
  public void handOver(Tensor images) {
    if (stream != null) images.record_stream(getCurrentStream(deviceIndex(spec.device())));
  }

  /** The rows {@code rows} of {@code batch} as a new batch tensor (on the decoding stream, finished); {@code batch} is kept. */
  public Tensor compact(Tensor batch, long[] rows) {
    Tensor x = onStream(() -> Tensors.kept(
        () -> batch.index_select(0, Tensors.ofLongs(rows, rows.length).to(batch.device(), ScalarType.Long))));
    finishBatch();
    return x;
  }

  public Device device() {
    return spec.device();
  }

  /** An uninitialised batch tensor {@code [count, 3, S, S]} float32 on the device. */
  public Tensor newBatch(int count) {
    int s = cpuPath.imageSize();
    return onStream(() -> {
      try (TensorOptions o = new TensorOptions(ScalarType.Float).device(new DeviceOptional(spec.device()))) {
        return empty(new long[] {count, 3, s, s}, new DimnameListOptional(), o, new MemoryFormatOptional());
      }
    });
  }

  /**
   * Decodes {@code file} into slot {@code slot} of {@code batch}. A JPEG is decoded on the device
   * unless the decoder refuses it; anything else, and a refused JPEG, is decoded by the CPU path
   * with {@code augmentation}, {@code random} and {@code warnings} (the device path has no
   * augmentation: the config refuses the combination) and copied in.
   *
   * @throws IllegalArgumentException from the CPU path: the file is missing or not an image
   */
  public void load(Path file, Tensor batch, int slot, Augmentation augmentation, Random random, Consumer<String> warnings) {
    byte[] bytes = jpegBytes(file);
    onStream(() -> {
      loadHere(file, bytes, batch, slot, augmentation, random, warnings);
      return null;
    });
  }

  private void loadHere(Path file, byte[] bytes, Tensor batch, int slot, Augmentation augmentation, Random random,
      Consumer<String> warnings) {
    try (PointerScope scope = new PointerScope()) {
      if (bytes != null && augmentation.isNone()) {
        Tensor rgb;
        try {
          rgb = decoderOfThisThread().decode(bytes, file.toString());
        } catch (IllegalArgumentException refused) {
          rgb = null;
        }
        if (rgb != null) {
          batch.select(0, slot).copy_(transform.apply(rgb));
          onDevice.incrementAndGet();
          return;
        }
      }
      float[] pixels = new float[cpuPath.floatsPerImage()];
      cpuPath.apply(file, pixels, 0, augmentation, random, warnings);
      int s = cpuPath.imageSize();
      batch.select(0, slot).copy_(Tensors.ofFloats(pixels, 3, s, s));
      onCpu.incrementAndGet();
    }
  }

  /** Images decoded on the device so far. */
  public long decodedOnDevice() {
    return onDevice.get();
  }

  /** Images that went through the CPU path so far (not JPEGs, or JPEGs the decoder refused). */
  public long decodedOnCpu() {
    return onCpu.get();
  }

  /** The file's bytes when they start as a JPEG does (SOI marker), else null; null too when unreadable (the CPU path names why). */
  private static byte[] jpegBytes(Path file) {
    try {
      byte[] b = Files.readAllBytes(file);
      return b.length > 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF ? b : null;
    } catch (IOException | SecurityException e) {
      return null;
    }
  }

  private JpegDecoder decoderOfThisThread() {
    JpegDecoder d = decoder.get();
    if (d != null) return d;
    synchronized (opened) {
      if (closed) throw new IllegalStateException("device decoding is closed");
      d = spec.decoders().apply(spec.device());
      opened.add(d);
    }
    decoder.set(d);
    return d;
  }

  /** Frees every thread's decoder; call once no thread decodes any more. */
  @Override
  public void close() {
    synchronized (opened) {
      if (closed) return;
      closed = true;
      for (JpegDecoder d : opened) d.close();
      opened.clear();
    }
  }
}
