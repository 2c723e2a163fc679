package hspnet.kernel;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * What of the CUDA library runs without a GPU, where it was built (nvcc on the build machine; the
 * tests skip elsewhere): it loads although LibTorch's CPU natives are in use (its @Platform
 * belongs to the -gpu extension), its synchronise-and-check switch, and on a machine without a
 * CUDA device an error code with a message from every call instead of a crash. The kernels
 * themselves are checked on a device (HgcnBenchTest's gpu test, bench/device-hgcn.sh).
 */
class HgcnCudaLibraryTest {
  private static void assumeBuilt() {
    assumeTrue(HgcnKernels.cuda().isPresent(), "the CUDA library is not built here: " + HgcnKernels.cudaProblem());
  }

  @Test
  void syncCheckModeSwitchesOnAndOff() {
    assumeBuilt();
    boolean before = HgcnCuda.hgcn_cuda_sync_check() != 0;
    try {
      assertTrue(HgcnKernels.cudaSyncCheck(true));
      assertEquals(1, HgcnCuda.hgcn_cuda_sync_check());
      assertFalse(HgcnKernels.cudaSyncCheck(false));
      assertEquals(0, HgcnCuda.hgcn_cuda_sync_check());
    } finally {
      HgcnKernels.cudaSyncCheck(before);
    }
  }

  @Test
  void withoutADeviceEveryCallFailsWithAMessage() {
    assumeBuilt();
    assumeTrue(!torch.cuda_is_available(), "a CUDA device is present: the calls below would launch on dummy pointers");
    // nothing is launched: the device cannot be selected, so no pointer is ever dereferenced
    long p = 256;
    int rc = HgcnCuda.hgcn_cuda_forward(HgcnArgs.F32, 4, 8, p, p, p, p, p, p, p, p, p, 1, 0, 0);
    assertEquals(2, rc, "HGCN_ERR_CUDA");
    assertFalse(HgcnCuda.hgcn_cuda_last_error().isEmpty());
    // the tensor-core variants are known (then fail for want of a device); one past them is refused as an argument
    assertEquals(2, HgcnCuda.hgcn_cuda_forward(HgcnArgs.F16, 4, 8, p, p, p, p, p, p, p, p, p, HgcnVariant.COOP_TC.code(), 0, 0));
    assertEquals(1, HgcnCuda.hgcn_cuda_forward(HgcnArgs.F16, 4, 8, p, p, p, p, p, p, p, p, p, HgcnVariant.COOP_TC.code() + 1, 0, 0));
    assertTrue(HgcnCuda.hgcn_cuda_last_error().contains("unknown variant"), HgcnCuda.hgcn_cuda_last_error());
    rc = HgcnCuda.hgcn_cuda_backward(HgcnArgs.F32, 4, 8, p, p, p, p, p, p, p, p, p, p, p, p, p, 1, p, 4, 0, 0);
    assertEquals(2, rc, "HGCN_ERR_CUDA");
    try (BytePointer name = new BytePointer(64); LongPointer free = new LongPointer(1); LongPointer total = new LongPointer(1)) {
      assertEquals(2, HgcnCuda.hgcn_cuda_device_info(0, name, 64, free, total));
    }
    assertTrue(HgcnKernels.cudaDevice(0).isEmpty());
  }
}
