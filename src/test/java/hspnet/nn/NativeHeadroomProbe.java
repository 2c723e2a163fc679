package hspnet.nn;

import static org.bytedeco.pytorch.global.torch.ones;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * A process for {@link JavaCppTuningTest}: holds 400 MB of tensor memory, then makes more native
 * objects. Run with a 64 MiB heap, JavaCPP's default limit (4 × the heap, 256 MiB) is below the
 * resident size. Applies {@link JavaCppTuning} as the mains do, unless told not to.
 */
public final class NativeHeadroomProbe {
  private NativeHeadroomProbe() {}

  public static void main(String[] args) {
    if (!(args.length > 0 && args[0].equals("--untuned"))) JavaCppTuning.apply();
    try (PointerScope scope = new PointerScope()) {
      Tensor big = ones(100_000_000L);
      double sum = 0;
      for (int i = 0; i < 3; i++) sum += big.add(big).max().item_double(); // exact whatever the reduction order
      System.out.println("held 400 MB and computed " + sum);
    } catch (OutOfMemoryError e) {
      System.out.println("refused: " + e.getMessage());
    }
  }
}
