package hspnet.kernel;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.global.torch;

/**
 * LibTorch's current CUDA stream as a raw cudaStream_t, without a compile-time dependency on the
 * CUDA presets (org.bytedeco:cuda, only in the gpu profile). c10 numbers its streams so that id 0
 * is the default stream (CUDA's legacy NULL stream, what the project always runs on) and an even
 * non-zero id is an external stream whose id is its handle; only pool streams (odd ids) need
 * c10::cuda::CUDAStream::stream(), reached through the presets' torch_cuda when present.
 */
final class CudaStreams {
  private CudaStreams() {}

  static long current(int device) {
    long id = torch.getCurrentStream((byte) device).id();
    if (id == 0) return 0;
    if ((id & 1) == 0) return id;
    return fromTorchCuda(device, id);
  }

  private static long fromTorchCuda(int device, long id) {
    try {
      Class<?> tc = Class.forName("org.bytedeco.pytorch.global.torch_cuda");
      Object stream = tc.getMethod("getCurrentCUDAStream", byte.class).invoke(null, (byte) device);
      return ((Pointer) stream.getClass().getMethod("stream").invoke(stream)).address();
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new IllegalStateException("hgcn: LibTorch's current CUDA stream (id " + id + ") is a pool stream, whose "
          + "handle needs the org.bytedeco:cuda presets on the classpath (mvn -Pgpu): " + e, e);
    }
  }
}
