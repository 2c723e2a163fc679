package hspnet.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import hspnet.io.TorchZipReader;

/**
 * Data-parallel training on the CPU: two Gloo ranks on localhost (child JVMs, as torchrun would
 * start them) train the demo for one epoch of 4 steps at 8 images per rank, and are compared with
 * one process trained at 16 images per step — the two ranks' batches of each step together (the
 * same permutation; rank r takes every second index from r). Epoch 0 keeps BatchNorm on its
 * running statistics (bn_eval_first_epoch), so the two computations differ only in the order of
 * float additions: the gradient of a 16-image sum as two 8-image sums added by the all-reduce.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DistributedTrainingTest {
  private static final Path CONFIG = Path.of("configs", "hspnet+demo.yaml").toAbsolutePath();
  private static final Pattern FINGERPRINT = Pattern.compile("rank (\\d)/2: training done; weights fingerprint (\\w+) \\(model\\), (\\w+) \\(EMA\\)");
  /** Per weight 2 lr per step over 4 steps at lr <= 1e-3, and 1e-3 of the norm: see weightsMatchOneProcessOnTheJointBatches. */
  private static final double MAX_ABS_BOUND = 2 * 4 * 1e-3, REL_L2_BOUND = 1e-3;

  private Path dir;
  private Path data;
  private Path distRun, singleRun;
  private final List<String> rankOutput = new ArrayList<>();

  private List<String> overrides(int batchSize) {
    return List.of("-o", "data=" + data, "-o", "demo_train_images=64", "-o", "demo_val_images=32", "-o", "epochs=1",
        "-o", "total_epochs=1", "-o", "batch_size=" + batchSize, "-o", "device=cpu", "-o", "log_every=1", "-o", "workers=1",
        "-o", "dist_timeout_s=30");
  }

  @BeforeAll
  void train(@TempDir Path tmp) throws Exception {
    dir = tmp;
    data = dir.resolve("demo");
    singleRun = Files.createDirectories(dir.resolve("single"));
    distRun = Files.createDirectories(dir.resolve("dist"));
    long start = System.nanoTime();
    Result single = start(singleRun, overrides(16), Map.of()).finish(120);
    assertEquals(0, single.status, single.output);
    System.out.printf("one process, 16 images per step: %.1f s%n", (System.nanoTime() - start) / 1e9);
    start = System.nanoTime();
    List<Running> ranks = startRanks(distRun, overrides(8));
    for (Running r : ranks) {
      Result res = r.finish(120);
      assertEquals(0, res.status, res.output);
      rankOutput.add(res.output);
    }
    System.out.printf("two Gloo ranks, 8 images each per step: %.1f s%n", (System.nanoTime() - start) / 1e9);
  }

  @Test
  void theRanksHoldBitIdenticalWeightsAfterEveryStep() {
    String[] model = new String[2], ema = new String[2];
    for (String out : rankOutput) {
      Matcher m = FINGERPRINT.matcher(out);
      assertTrue(m.find(), out);
      int r = Integer.parseInt(m.group(1));
      model[r] = m.group(2);
      ema[r] = m.group(3);
    }
    assertEquals(model[0], model[1], "model fingerprints of rank 0 and 1");
    assertEquals(ema[0], ema[1], "EMA fingerprints of rank 0 and 1");
    assertTrue(rankOutput.get(0).contains("Ranks in sync after epoch 0"), rankOutput.get(0));
    for (int step = 0; step < 4; step++)
      assertTrue(rankOutput.get(0).contains("Ranks in sync after epoch 0, step " + step + ":"), "step " + step + ": " + rankOutput.get(0));
  }

  /**
   * The bound. The gradients themselves agree to fp32 rounding: the all-reduce adds two 8-image
   * partial sums where one process sums 16 images (CollectivesTest measures ~1e-7 of the largest
   * gradient). Adam does not keep the difference that small: its update lr * m / (sqrt(v) + eps)
   * is about lr * sign(g) on the first step whatever the size of g, so a weight whose gradient
   * nearly cancels can move by +lr on one side and -lr on the other from a rounding difference
   * alone. Per weight the difference is therefore bounded by 2 lr per step (|m / sqrt(v)| is at
   * most about 1): with the demo's peak lr of 1e-3 over 4 steps, 8e-3. Such weights are few: over
   * the whole state the difference stays below 1e-3 of the weights' L2 norm. Both are printed.
   */
  @Test
  void weightsMatchOneProcessOnTheJointBatches() throws IOException {
    for (String file : List.of("model-highest-regular.ckpt", "model-highest-ema.ckpt")) {
      Map<String, Tensor> a = TorchZipReader.readStateDict(round(distRun).resolve(file));
      Map<String, Tensor> b = TorchZipReader.readStateDict(round(singleRun).resolve(file));
      assertEquals(b.keySet(), a.keySet());
      double maxAbs = 0, diff2 = 0, norm2 = 0;
      int identical = 0, floats = 0;
      for (String k : a.keySet()) {
        Tensor x = a.get(k), y = b.get(k);
        if (!x.is_floating_point()) {
          assertTrue(x.equal(y), k);
          continue;
        }
        floats++;
        Tensor d = x.sub(y);
        maxAbs = Math.max(maxAbs, d.abs().max().item_double());
        diff2 += d.pow(new Scalar(2)).sum().item_double();
        norm2 += y.pow(new Scalar(2)).sum().item_double();
        if (x.equal(y)) identical++;
      }
      double rel = Math.sqrt(diff2 / norm2);
      System.out.printf("%s: 2 ranks vs 1 process: max |diff| %.3e, relative L2 %.3e, %d of %d float entries bit-identical%n",
          file, maxAbs, rel, identical, floats);
      assertTrue(maxAbs <= MAX_ABS_BOUND, file + ": max abs diff " + maxAbs);
      assertTrue(rel <= REL_L2_BOUND, file + ": relative L2 diff " + rel);
    }
  }

  /** The gathered validation (each rank scored half the images) gives the mAP one process computes on the same weights. */
  @Test
  void validationMapIsTheOneProcessMapOfTheSameWeights() throws Exception {
    JsonNode epoch = new ObjectMapper().readTree(Files.readAllLines(round(distRun).resolve("metrics.jsonl")).get(0));
    double distributed = Math.max(epoch.get("map_regular").asDouble(), epoch.get("map_ema").asDouble());
    // test mode, one process, evaluates model-highest.ckpt (the better of model and EMA) on the whole list
    List<String> args = new ArrayList<>(overrides(8));
    args.addAll(List.of("-t", "-r", "1"));
    Result test = start(distRun, args, Map.of()).finish(120);
    assertEquals(0, test.status, test.output);
    double single = new ObjectMapper().readTree(round(distRun).resolve("test_metrics.json").toFile()).get("map").asDouble();
    System.out.printf("validation mAP: 2 ranks (gathered) %.10f, one process %.10f%n", distributed, single);
    assertEquals(single, distributed, 1e-9);
  }

  /** Rank 0 wrote the round folder, exactly the files one process writes; rank 1 wrote nothing. */
  @Test
  void onlyRankZeroWrote() throws IOException {
    assertEquals(files(singleRun.resolve("checkpoints")), files(distRun.resolve("checkpoints")).stream()
        .filter(f -> !Path.of(f).getFileName().toString().startsWith("test")).collect(TreeSet::new, TreeSet::add, TreeSet::addAll));
    String log = Files.readString(round(distRun).resolve("hspnet+demo.txt"));
    assertTrue(log.contains("Data-parallel training on 2 ranks"), log);
    String rank1 = rankOutput.get(1);
    assertTrue(!rank1.contains("[INFO]"), "rank 1 logs nothing:\n" + rank1);
  }

  /** A rank killed mid-training makes the other stop with a one-line error, well within dist_timeout_s. */
  @Test
  void aRankThatDiesStopsTheOther() throws Exception {
    Path run = Files.createDirectories(dir.resolve("killed"));
    List<Running> ranks = startRanks(run, overrides(8));
    Running rank0 = ranks.get(0), rank1 = ranks.get(1);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!rank0.output().contains("Step [001/004]") && System.nanoTime() < deadline) Thread.sleep(100);
    assertTrue(rank0.output().contains("Step [001/004]"), rank0.output());
    rank1.process.destroyForcibly();
    long killed = System.nanoTime();
    Result r0 = rank0.finish(60);
    double seconds = (System.nanoTime() - killed) / 1e9;
    rank1.finish(10);
    System.out.printf("rank 0 stopped %.1f s after rank 1 was killed: %s%n", seconds, lastLine(r0.output));
    assertNotEquals(0, r0.status, r0.output);
    assertTrue(seconds < 30, "rank 0 took " + seconds + " s");
    assertTrue(lastLine(r0.output).matches("error: rank 0/2: .*(failed|no answer).*"), r0.output);
  }

  // --- child JVMs --------------------------------------------------------------------------------

  private record Result(int status, String output) {}

  private static final class Running {
    final Process process;
    private final StringBuffer out = new StringBuffer();
    private final Thread reader;

    Running(Process process) {
      this.process = process;
      this.reader = new Thread(() -> {
        try (InputStream in = process.getInputStream()) {
          byte[] buf = new byte[4096];
          for (int n; (n = in.read(buf)) > 0;) out.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      reader.setDaemon(true);
      reader.start();
    }

    String output() {
      return out.toString();
    }

    Result finish(int seconds) throws InterruptedException {
      if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
        reader.join(5000);
        throw new AssertionError("no exit within " + seconds + " s:\n" + output());
      }
      reader.join(5000);
      return new Result(process.exitValue(), output());
    }
  }

  private Running start(Path workDir, List<String> args, Map<String, String> env) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> cmd = new ArrayList<>(List.of(java.toString(), "-Xmx768m", "-cp", System.getProperty("java.class.path"),
        "hspnet.TrainMain", "-c", CONFIG.toString()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true);
    pb.environment().keySet().removeAll(List.of("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"));
    pb.environment().putAll(env);
    return new Running(pb.start());
  }

  private List<Running> startRanks(Path workDir, List<String> args) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    List<Running> ranks = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      Map<String, String> env = new LinkedHashMap<>(Map.of("MASTER_ADDR", "127.0.0.1", "MASTER_PORT", String.valueOf(port),
          "RANK", String.valueOf(r), "WORLD_SIZE", "2", "LOCAL_RANK", String.valueOf(r), "LOCAL_WORLD_SIZE", "2"));
      env.put("HSPNET_DIST_CHECK_STEPS", "1");   // the ranks compare their weights after every step
      ranks.add(start(workDir, args, env));
    }
    return ranks;
  }

  private static Path round(Path run) {
    return run.resolve("checkpoints/hspnet+demo/round1");
  }

  private static TreeSet<String> files(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).collect(TreeSet::new, TreeSet::add, TreeSet::addAll);
    }
  }

  private static String lastLine(String output) {
    String[] lines = output.strip().split("\n");
    return lines[lines.length - 1];
  }
}
