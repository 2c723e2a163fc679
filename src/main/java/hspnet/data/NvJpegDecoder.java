package hspnet.data;

import static org.bytedeco.cuda.global.nvjpeg.NVJPEG_OUTPUT_RGB;
import static org.bytedeco.cuda.global.nvjpeg.NVJPEG_STATUS_SUCCESS;
import static org.bytedeco.cuda.global.nvjpeg.nvjpegCreateSimple;
import static org.bytedeco.cuda.global.nvjpeg.nvjpegDecode;
import static org.bytedeco.cuda.global.nvjpeg.nvjpegDestroy;
import static org.bytedeco.cuda.global.nvjpeg.nvjpegGetImageInfo;
import static org.bytedeco.cuda.global.nvjpeg.nvjpegJpegStateCreate;
import static org.bytedeco.cuda.global.nvjpeg.nvjpegJpegStateDestroy;
import static org.bytedeco.pytorch.global.torch.empty;

import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.nvjpeg;
import org.bytedeco.cuda.nvjpeg.nvjpegHandle;
import org.bytedeco.cuda.nvjpeg.nvjpegImage_t;
import org.bytedeco.cuda.nvjpeg.nvjpegJpegState;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.DimnameListOptional;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.bytedeco.pytorch.global.torch_cuda;

/**
 * JPEG decoding on a CUDA device with nvJPEG, through the CUDA presets (their natives come with
 * the CUDA build, {@code mvn -Pgpu package}, and need the CUDA toolkit's libnvjpeg): the file's
 * bytes in, planar uint8 RGB {@code [3, H, W]} on the device out, decoded on LibTorch's current
 * stream so that the tensor ops that follow see the pixels. One decoder per thread (its state is
 * nvJPEG's per-thread state); it makes its device the thread's current CUDA device, where nvJPEG
 * keeps its buffers.
 */
public final class NvJpegDecoder implements JpegDecoder {
  private final nvjpegHandle handle = new nvjpegHandle();
  private final nvjpegJpegState state = new nvjpegJpegState();
  private final Device device;
  private boolean closed;

  private NvJpegDecoder(Device device) {
    this.device = device;
  }

  /**
   * A decoder for {@code device} (a CUDA device).
   *
   * @throws IllegalStateException when nvJPEG cannot be loaded or started, saying which build it needs
   */
  public static NvJpegDecoder open(Device device) {
    if (!device.is_cuda()) throw new IllegalArgumentException("nvJPEG decodes on a CUDA device; this run is on " + device.str().getString());
    try {
      Loader.load(nvjpeg.class);
    } catch (LinkageError e) {
      throw new IllegalStateException("image_decode gpu needs nvJPEG: the CUDA build (mvn -Pgpu package) and the CUDA"
          + " toolkit's libnvjpeg on the library path (" + e.getMessage() + ")", e);
    }
    NvJpegDecoder d = new NvJpegDecoder(device);
    try {
      // a device named without an index ("cuda") means the current one, as LibTorch reads it
      torch_cuda.set_device(DeviceDecoding.deviceIndex(device));
      check(nvjpegCreateSimple(d.handle), "nvjpegCreateSimple", "nvJPEG");
      check(nvjpegJpegStateCreate(d.handle, d.state), "nvjpegJpegStateCreate", "nvJPEG");
      return d;
    } catch (RuntimeException e) {
      d.close();
      throw e;
    }
  }

  /** Width and height of the JPEG in {@code jpeg}; {@code name} names it in errors. */
  public int[] size(byte[] jpeg, String name) {
    int[] components = new int[1], subsampling = new int[1], widths = new int[4], heights = new int[4];
    check(nvjpegGetImageInfo(handle, jpeg, jpeg.length, components, subsampling, widths, heights), "nvjpegGetImageInfo", name);
    return new int[] {widths[0], heights[0]};
  }

  /** The pixels of {@code jpeg} as planar uint8 RGB {@code [3, H, W]} on the device (grey images as three equal planes). */
  @Override
  public Tensor decode(byte[] jpeg, String name) {
    int[] wh = size(jpeg, name);
    int w = wh[0], h = wh[1];
    Tensor out;
    try (TensorOptions o = new TensorOptions(ScalarType.Byte).device(new DeviceOptional(device))) {
      out = empty(new long[] {3, h, w}, new DimnameListOptional(), o, new MemoryFormatOptional());
    }
    try (nvjpegImage_t image = new nvjpegImage_t(); BytePointer base = new BytePointer(out.data_ptr())) {
      for (int c = 0; c < 3; c++) {
        image.channel(c, new BytePointer(base).position((long) c * h * w));
        image.pitch(c, w);
      }
      // on the thread's current stream, where the tensor ops that follow run (the loader's decoding stream)
      CUstream_st stream = torch_cuda.getCurrentCUDAStream(DeviceDecoding.deviceIndex(device)).stream();
      check(nvjpegDecode(handle, state, jpeg, jpeg.length, NVJPEG_OUTPUT_RGB, image, stream), "nvjpegDecode", name);
    }
    return out;
  }

  private static void check(int status, String call, String what) {
    if (status != NVJPEG_STATUS_SUCCESS)
      throw new IllegalArgumentException(what + ": " + call + " failed with nvJPEG status " + status);
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    if (!state.isNull()) nvjpegJpegStateDestroy(state);
    if (!handle.isNull()) nvjpegDestroy(handle);
  }
}
