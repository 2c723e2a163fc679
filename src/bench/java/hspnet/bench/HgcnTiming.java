package hspnet.bench;

import java.util.Arrays;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.global.torch;

/**
 * Milliseconds per step: warm-up steps first (JIT, CUDA context, allocator), then rounds of steps
 * between two device synchronisations, so that what is timed is the work and not only the launches;
 * the median over rounds.
 */
final class HgcnTiming {
  private final boolean cuda;
  private final int warmup, rounds, perRound;

  HgcnTiming(boolean cuda, int warmup, int rounds, int perRound) {
    this.cuda = cuda;
    this.warmup = warmup;
    this.rounds = rounds;
    this.perRound = perRound;
  }

  double msPerStep(Runnable step) {
    for (int i = 0; i < warmup; i++) once(step);
    sync();
    double[] ms = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      sync();
      long t0 = System.nanoTime();
      for (int i = 0; i < perRound; i++) once(step);
      sync();
      ms[r] = (System.nanoTime() - t0) / 1e6 / perRound;
    }
    Arrays.sort(ms);
    return ms[rounds / 2];
  }

  private static void once(Runnable step) {
    try (PointerScope scope = new PointerScope()) {
      step.run();
    }
  }

  private void sync() {
    if (cuda) torch.cuda_synchronize();
  }
}
