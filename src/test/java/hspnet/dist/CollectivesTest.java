package hspnet.dist;

import static org.bytedeco.pytorch.global.torch.tanh;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import hspnet.config.ConfigException;
import hspnet.config.ConfigLoader;
import hspnet.config.DistBackend;
import hspnet.config.RunConfig;
import hspnet.data.BatchLoader;
import hspnet.data.ClipTransform;
import hspnet.data.LabelList.Sample;
import hspnet.nn.Tensors;
import hspnet.report.ConsoleStyle;
import hspnet.run.Run;

/**
 * The pieces of data-parallel training, two Gloo ranks as two threads of this JVM (a TCPStore on a
 * free port): the bucketed gradient all-reduce against one process's gradient of the joint batch,
 * the gather of a sharded evaluation, the distributed sampler, and the torchrun environment.
 */
class CollectivesTest {
  private static final int N = 10, IN = 12, HIDDEN = 24, OUT = 5;

  /** Runs {@code body} as ranks 0 and 1 of one group, each on its own thread; returns their results. */
  private static <T> List<T> twoRanks(Function<DistGroup, T> body) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<T>> f = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        DistEnv env = new DistEnv(r, 2, r, 2, "127.0.0.1", port);
        f.add(pool.submit(() -> {
          try (DistGroup g = DistGroup.join(env, 20_000); PointerScope scope = new PointerScope()) {
            return body.apply(g);
          }
        }));
      }
      List<T> out = new ArrayList<>();
      for (Future<T> x : f) out.add(x.get());
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private static float[] values(int n, long seed) {
    Random r = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
    return v;
  }

  /** A small two-layer net's parameters, the same on every rank (fixed seeds). */
  private static List<Tensor> parameters() {
    List<Tensor> p = List.of(Tensors.ofFloats(values(HIDDEN * IN, 1), HIDDEN, IN), Tensors.ofFloats(values(HIDDEN, 2), HIDDEN),
        Tensors.ofFloats(values(OUT * HIDDEN, 3), OUT, HIDDEN), Tensors.ofFloats(values(OUT, 4), OUT));
    for (Tensor t : p) t.requires_grad_(true);
    return p;
  }

  /** Gradients of a sum-over-samples loss (as SPLC's) on the given rows of a fixed input. */
  private static float[][] gradients(List<Tensor> p, int[] rows, GradientBuckets buckets) {
    float[] x = values(N * IN, 5);
    float[] picked = new float[rows.length * IN];
    for (int i = 0; i < rows.length; i++) System.arraycopy(x, rows[i] * IN, picked, i * IN, IN);
    Tensor input = Tensors.ofFloats(picked, rows.length, IN);
    Tensor h = tanh(input.matmul(p.get(0).t()).add(p.get(1)));
    Tensor y = h.matmul(p.get(2).t()).add(p.get(3));
    y.pow(new Scalar(2)).sum().backward();
    if (buckets != null) buckets.allReduce();
    float[][] g = new float[p.size()][];
    for (int i = 0; i < p.size(); i++) {
      Tensor grad = p.get(i).grad().contiguous();
      g[i] = new float[(int) grad.numel()];
      try (FloatPointer fp = grad.data_ptr_float()) {
        fp.get(g[i]);
      }
    }
    return g;
  }

  @Test
  void theBucketedAllReduceSumsTheRanksGradientsIntoTheJointBatchGradient() throws Exception {
    int[] all = new int[N];
    for (int i = 0; i < N; i++) all[i] = i;
    float[][] joint;
    try (PointerScope scope = new PointerScope()) {
      joint = gradients(parameters(), all, null);
    }
    // 500 bytes per bucket: the parameters, last first (20 + 480 bytes; 96; 1152, alone above the cap), make 3 buckets
    List<Object[]> ranks = twoRanks(g -> {
      List<Tensor> p = parameters();
      GradientBuckets buckets = new GradientBuckets(g, p, false, 500, true);
      int[] rows = new int[N / 2];
      for (int i = 0; i < rows.length; i++) rows[i] = 2 * i + g.rank();
      float[][] summed = gradients(p, rows, buckets);
      int overlapped = buckets.startedDuringBackward();
      // all-reduced after backward instead of during it: the same numbers
      List<Tensor> r = parameters();
      float[][] after = gradients(r, rows, new GradientBuckets(g, r, false, 500, false));
      // a mean loss's ranks average instead (DDP): exactly half the sum for two ranks
      List<Tensor> q = parameters();
      float[][] averaged = gradients(q, rows, new GradientBuckets(g, q, true, 500, true));
      return new Object[] {summed, buckets.bucketCount(), averaged, overlapped, after};
    });
    float[][] g0 = (float[][]) ranks.get(0)[0], g1 = (float[][]) ranks.get(1)[0];
    assertEquals(3, ranks.get(0)[1]);
    float[][] a0 = (float[][]) ranks.get(0)[2];
    assertEquals(3, ranks.get(0)[3], "every bucket started from the hooks, during backward");
    float[][] after = (float[][]) ranks.get(0)[4];
    for (int i = 0; i < g0.length; i++) assertArrayEquals(g0[i], after[i], "parameter " + i + ": overlapped = after backward");
    for (int i = 0; i < g0.length; i++)
      for (int j = 0; j < g0[i].length; j++) assertEquals(g0[i][j] / 2, a0[i][j], "averaged parameter " + i + "[" + j + "]");
    double worst = 0;
    for (int i = 0; i < joint.length; i++) {
      assertArrayEquals(g0[i], g1[i], "parameter " + i + ": both ranks hold the same reduced gradient, bit for bit");
      double scale = 0;
      for (float v : joint[i]) scale = Math.max(scale, Math.abs(v));
      for (int j = 0; j < joint[i].length; j++) worst = Math.max(worst, Math.abs(g0[i][j] - joint[i][j]) / scale);
    }
    // fp32: two partial sums of 5 samples added once against one sum of 10: a few ulp of the largest term
    System.out.printf("all-reduced vs joint-batch gradient: worst difference %.2e of the largest gradient (bound 1e-6)%n", worst);
    assertTrue(worst <= 1e-6, "worst relative difference " + worst);
  }

  @Test
  void aShardedEvaluationIsGatheredInListOrderWithoutThePadding() throws Exception {
    int total = 5, columns = 3;   // rank 0 scores samples 0, 2, 4; rank 1 samples 1, 3 and 0 again (padding)
    List<float[][]> gathered = twoRanks(g -> {
      float[][] rows = new float[3][];
      for (int i = 0; i < 3; i++) {
        int sample = (i * 2 + g.rank()) % total;
        rows[i] = new float[] {sample, sample * 10f, -sample};
      }
      return ShardGather.rows(g, rows, total, columns, "test gather");
    });
    for (float[][] rows : gathered) {
      assertEquals(total, rows.length);
      for (int s = 0; s < total; s++) assertArrayEquals(new float[] {s, s * 10f, -s}, rows[s], "row " + s);
    }
  }

  @Test
  void theDistributedSamplerShardsTheSinglePermutationAsTorchDoes() {
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < 11; i++) samples.add(new Sample("img" + i + ".jpg", new int[] {i % 3}));
    ClipTransform transform = new ClipTransform(32);
    Path root = Path.of("unused");
    try (BatchLoader one = new BatchLoader(root, samples, 3, transform, new BatchLoader.Batching(4, true, 7, 0));
        BatchLoader r0 = new BatchLoader(root, samples, 3, transform, new BatchLoader.Batching(2, true, 7, 0, 0, 3));
        BatchLoader r1 = new BatchLoader(root, samples, 3, transform, new BatchLoader.Batching(2, true, 7, 0, 1, 3));
        BatchLoader r2 = new BatchLoader(root, samples, 3, transform, new BatchLoader.Batching(2, true, 7, 0, 2, 3))) {
      int[] full = one.order(3);
      List<BatchLoader> ranks = List.of(r0, r1, r2);
      Set<Integer> seen = new HashSet<>();
      for (int r = 0; r < 3; r++) {
        int[] shard = ranks.get(r).order(3);
        assertEquals(4, shard.length, "ceil(11 / 3) samples per rank");
        assertEquals(2, ranks.get(r).batchesPerEpoch());
        // padded to 12 with the permutation's first index; rank r takes indices r, r+3, r+6, r+9
        for (int i = 0; i < 4; i++) assertEquals(full[(i * 3 + r) % 11], shard[i], "rank " + r + " position " + i);
        for (int s : shard) seen.add(s);
      }
      assertEquals(11, seen.size(), "every sample is served");
    }
  }

  @Test
  void theEnvironmentIsReadAsTorchrunSetsIt() {
    assertEquals(DistEnv.SINGLE, DistEnv.from(Map.of()));
    assertEquals(DistEnv.SINGLE, DistEnv.from(Map.of("WORLD_SIZE", "1", "RANK", "0")));
    DistEnv e = DistEnv.from(Map.of("WORLD_SIZE", "4", "RANK", "3", "LOCAL_RANK", "1", "LOCAL_WORLD_SIZE", "2",
        "MASTER_ADDR", "node0", "MASTER_PORT", "29500"));
    assertEquals(new DistEnv(3, 4, 1, 2, "node0", 29500), e);
    assertTrue(e.distributed() && !e.main());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> DistEnv.from(Map.of("WORLD_SIZE", "2", "RANK", "0", "MASTER_PORT", "1")));
    assertTrue(missing.getMessage().contains("MASTER_ADDR is not set"), missing.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DistEnv.from(Map.of("WORLD_SIZE", "2", "RANK", "2",
        "MASTER_ADDR", "h", "MASTER_PORT", "1")));
  }

  @Test
  void aJoinWithoutRankZeroFailsWithinTheTimeout() {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    long start = System.nanoTime();
    DistFault f = assertThrows(DistFault.class, () -> DistGroup.join(new DistEnv(1, 2, 1, 2, "127.0.0.1", port), 2_000));
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("join without rank 0: %.1f s: %s%n", seconds, f.getMessage());
    assertTrue(f.getMessage().startsWith("rank 1 could not reach the rendezvous store"), f.getMessage());
    assertTrue(seconds < 15, seconds + " s");
  }

  @Test
  void ncclOnTheCpuIsRefusedBeforeAnyConnection() {
    DistFault f = assertThrows(DistFault.class,
        () -> DistGroup.join(new DistEnv(0, 2, 0, 2, "127.0.0.1", 1), 2_000, DistBackend.NCCL, false));
    assertTrue(f.getMessage().contains("nccl reduces CUDA tensors only"), f.getMessage());
  }

  @Test
  void ncclWithoutItsNativesSaysWhichBuildHasThem() throws IOException {
    assumeFalse(torch.cuda_is_available(), "the CUDA build has NCCL's natives");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    // rank 0 serves the store alone; NCCL's process group is made before any peer is awaited
    DistFault f = assertThrows(DistFault.class,
        () -> DistGroup.join(new DistEnv(0, 2, 0, 2, "127.0.0.1", port), 2_000, DistBackend.NCCL, true));
    assertTrue(f.getMessage().contains("needs the CUDA build"), f.getMessage());
  }

  @Test
  void llCpIsRefusedInADataParallelTraining(@TempDir Path dir) throws Exception {
    RunConfig cfg = ConfigLoader.load(Path.of("configs", "hspnet+demo.yaml"), List.of("loss=LL-Cp", "model_name=clip_linear"));
    List<String> messages = twoRanks(g -> assertThrows(ConfigException.class, () -> Run.open(Run.Mode.TRAIN, cfg, null, dir,
        new PrintStream(OutputStream.nullOutputStream()), ConsoleStyle.plain(Duration.ofDays(1)), g)).getMessage());
    for (String m : messages) assertTrue(m.contains("key 'loss': LL-Cp keeps per-sample label corrections"), m);
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count(), "nothing written");
    }
  }
}
