package hspnet.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import hspnet.nn.Tensors;
import java.util.Arrays;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch.DeviceType;

class LossScalerTest {
  private static Tensor paramWithGrad(float... grad) {
    Tensor p = Tensors.ofFloats(new float[grad.length], grad.length).requires_grad_(true);
    p.mul(Tensors.ofFloats(grad, grad.length)).sum().backward();
    return p;
  }

  @Test
  void unscalesCleanGradientsAndGrowsAfterTheInterval() {
    LossScaler s = new LossScaler(true, 8.0, 2);
    Tensor p = paramWithGrad(16f, -8f);
    assertTrue(s.unscaleAndCheck(List.of(p)));
    assertArrayEquals(new float[] {2f, -1f}, Tensors.toFloats(p.grad()));
    assertEquals(8.0, s.scale());
    assertTrue(s.unscaleAndCheck(List.of(paramWithGrad(1f))));
    assertEquals(16.0, s.scale(), "doubled after 2 clean steps");
  }

  @Test
  void skipsStepsWithInfOrNanAndBacksOff() {
    LossScaler s = new LossScaler(true, 8.0, 2);
    assertFalse(s.unscaleAndCheck(List.of(paramWithGrad(1f), paramWithGrad(Float.POSITIVE_INFINITY))));
    assertEquals(4.0, s.scale());
    assertFalse(s.unscaleAndCheck(List.of(paramWithGrad(Float.NaN))));
    assertEquals(2.0, s.scale());
  }

  @Test
  void disabledScalerIsTheIdentity() {
    LossScaler s = new LossScaler(false);
    Tensor loss = Tensors.ofFloats(new float[] {3f}, 1);
    assertSame(loss, s.scaleLoss(loss));
    assertEquals(1.0, s.scale());
    assertTrue(s.unscaleAndCheck(List.of(paramWithGrad(Float.NaN))), "no check without scaling (CPU float32)");
  }

  @Test
  void deviceModeMakesTheHostModesDecisionsWithoutReadingTheFlag() {
    LossScaler host = new LossScaler(true, 8.0, 2), device = new LossScaler(true, 8.0, 2);
    device.keepOnDevice(new Device(DeviceType.CPU));
    float[][] steps = {{16f, -8f}, {1f, Float.POSITIVE_INFINITY}, {4f, 4f}, {8f, 2f}, {Float.NaN, 1f}};
    for (float[] grads : steps) {
      Tensor a = paramWithGrad(grads), b = paramWithGrad(grads);
      boolean finite = host.unscaleAndCheck(List.of(a));
      Tensor foundInf = device.unscaleOnDevice(List.of(b));
      assertEquals(!finite, foundInf.item_float() != 0f, "found-inf flag for " + Arrays.toString(grads));
      device.updateOnDevice(foundInf);
      assertEquals(host.scale(), device.scale(), "scale after " + Arrays.toString(grads));
      assertEquals(host.cleanSteps(), device.cleanSteps());
      if (finite) assertArrayEquals(Tensors.toFloats(a.grad()), Tensors.toFloats(b.grad()), "unscaled gradients");
    }
    assertEquals(4.0, device.scale(), "8 -> 4 (inf) -> 8 (2 clean) -> 4 (NaN)");
    device.restore(1024.0, 1);
    assertEquals(1024.0, device.scale());
    assertEquals(1, device.cleanSteps());
  }
}
