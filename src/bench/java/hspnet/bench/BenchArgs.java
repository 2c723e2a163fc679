package hspnet.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import hspnet.testutil.SyntheticHspNet;

/**
 * BenchMain's options. Sizes default by device: the protocol on CUDA (RN50, batch 128,
 * 224 px, 10 warm-up and 30 timed steps, fp16 autocast), a seconds-long smoke run on the CPU.
 */
public record BenchArgs(String device, SyntheticHspNet.Size size, int batch, int imageSize, int warmup, int steps,
    boolean amp, String ampDtype, boolean fused, boolean channelsLast, boolean cudnnBenchmark, boolean cacheParent,
    List<String> benchmarks, int e2eImages, int e2eFiles, int e2eWarmupSteps, int workers, String resize, Path jpegDir,
    int photoWidth, int photoHeight, Path append, Path rowsOut, String commit, String deviceName, int threads,
    boolean variants, long seed, String memory) {

  static final String USAGE = String.join("\n",
      "usage: BenchMain [--device auto|cpu|cuda] [--size rn50|small] [--batch N] [--image-size S]",
      "                 [--warmup N] [--steps N] [--amp on|off] [--amp-dtype float16|bfloat16] [--fused on|off]",
      "                 [--channels-last on|off] [--cudnn-benchmark on|off] [--cache-parent on|off]",
      "                 [--only train-step,eval-forward,end-to-end] [--e2e-images N] [--e2e-files N]",
      "                 [--e2e-warmup N] [--workers N] [--resize pil|opencv] [--jpeg-dir DIR] [--photo-size WxH]",
      "                 [--append FILE] [--rows-out FILE] [--commit ID] [--device-name NAME] [--threads N]",
      "                 [--variants] [--seed N] [--memory auto|allocator|driver|none]",
      "Defaults on CUDA: the issue's protocol (rn50, batch 128, 224 px, 10 warm-up + 30 timed steps, fp16 amp,",
      "e2e over 2048 samples of 512 640x480 JPEGs); on the CPU a small model for a smoke run.");

  public static BenchArgs parse(String[] args, boolean cudaAvailable) {
    Map<String, String> o = new LinkedHashMap<>();
    boolean variants = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--variants")) {
        variants = true;
        continue;
      }
      if (a.equals("-h") || a.equals("--help")) throw new IllegalArgumentException(USAGE);
      if (!a.startsWith("--") || i + 1 >= args.length) throw new IllegalArgumentException("option " + a + " needs a value\n" + USAGE);
      if (!KNOWN.contains(a)) throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
      o.put(a, args[++i]);
    }
    String device = o.getOrDefault("--device", "auto");
    if (!List.of("auto", "cpu", "cuda").contains(device)) throw new IllegalArgumentException("--device must be auto, cpu or cuda, not " + device);
    if (device.equals("cuda") && !cudaAvailable)
      throw new IllegalArgumentException("--device cuda was asked for but LibTorch sees no CUDA device (CUDA natives: mvn -Pgpu package)");
    boolean gpu = device.equals("cuda") || (device.equals("auto") && cudaAvailable);
    SyntheticHspNet.Size size = SyntheticHspNet.Size.valueOf(o.getOrDefault("--size", gpu ? "rn50" : "small").toUpperCase(java.util.Locale.ROOT));
    int batch = integer(o, "--batch", gpu ? 128 : 8);
    int image = integer(o, "--image-size", gpu || size == SyntheticHspNet.Size.RN50 ? 224 : 64);
    if (image % 32 != 0) throw new IllegalArgumentException("--image-size must be a multiple of 32 (the ResNet's stride), not " + image);
    List<String> benchmarks = new ArrayList<>(List.of(o.getOrDefault("--only", "train-step,eval-forward,end-to-end").split(",")));
    for (String b : benchmarks)
      if (!List.of("train-step", "eval-forward", "end-to-end").contains(b))
        throw new IllegalArgumentException("--only: '" + b + "' is not train-step, eval-forward or end-to-end");
    String dtype = o.getOrDefault("--amp-dtype", "float16");
    if (!List.of("float16", "bfloat16").contains(dtype)) throw new IllegalArgumentException("--amp-dtype must be float16 or bfloat16");
    String resize = o.getOrDefault("--resize", "pil");
    if (!List.of("pil", "opencv").contains(resize)) throw new IllegalArgumentException("--resize must be pil or opencv");
    String[] photo = o.getOrDefault("--photo-size", gpu ? "640x480" : "160x120").split("x");
    if (photo.length != 2) throw new IllegalArgumentException("--photo-size must be WIDTHxHEIGHT");
    int cores = Runtime.getRuntime().availableProcessors();
    BenchArgs a = new BenchArgs(gpu ? "cuda" : "cpu", size, batch, image, integer(o, "--warmup", gpu ? 10 : 2),
        integer(o, "--steps", gpu ? 30 : 5), onOff(o, "--amp", true), dtype, onOff(o, "--fused", false),
        onOff(o, "--channels-last", true), onOff(o, "--cudnn-benchmark", true), onOff(o, "--cache-parent", true), benchmarks,
        integer(o, "--e2e-images", gpu ? 2048 : 4 * batch), integer(o, "--e2e-files", gpu ? 512 : 2 * batch),
        integer(o, "--e2e-warmup", gpu ? 4 : 1), integer(o, "--workers", Math.max(1, gpu ? cores - 1 : cores)), resize,
        o.containsKey("--jpeg-dir") ? Path.of(o.get("--jpeg-dir")) : null, Integer.parseInt(photo[0].strip()),
        Integer.parseInt(photo[1].strip()), o.containsKey("--append") ? Path.of(o.get("--append")) : null,
        o.containsKey("--rows-out") ? Path.of(o.get("--rows-out")) : null, o.get("--commit"), o.get("--device-name"),
        integer(o, "--threads", 0), variants, integer(o, "--seed", 0), o.getOrDefault("--memory", "auto"));
    if (!List.of("auto", "allocator", "driver", "none").contains(a.memory))
      throw new IllegalArgumentException("--memory must be auto, allocator, driver or none");
    if (a.batch < 1 || a.steps < 1 || a.warmup < 0 || a.e2eImages < a.batch || a.e2eFiles < 1 || a.workers < 1)
      throw new IllegalArgumentException("sizes must be positive (and --e2e-images at least one batch)");
    return a;
  }

  private static final List<String> KNOWN = List.of("--device", "--size", "--batch", "--image-size", "--warmup", "--steps", "--amp",
      "--amp-dtype", "--fused", "--channels-last", "--cudnn-benchmark", "--cache-parent", "--only", "--e2e-images", "--e2e-files",
      "--e2e-warmup", "--workers", "--resize", "--jpeg-dir", "--photo-size", "--append", "--rows-out", "--commit", "--device-name",
      "--threads", "--seed", "--memory");

  private static int integer(Map<String, String> o, String key, int fallback) {
    String v = o.get(key);
    if (v == null) return fallback;
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be an integer, not '" + v + "'");
    }
  }

  private static boolean onOff(Map<String, String> o, String key, boolean fallback) {
    String v = o.get(key);
    if (v == null) return fallback;
    return switch (v) {
      case "on", "true" -> true;
      case "off", "false" -> false;
      default -> throw new IllegalArgumentException(key + " must be on or off, not '" + v + "'");
    };
  }

  public boolean cuda() { return device.equals("cuda"); }

  /** The same options with another variant of the numerics-changing switches. */
  public BenchArgs with(String dtype, boolean fused, boolean channelsLast, boolean cudnnBenchmark, boolean cacheParent) {
    return new BenchArgs(device, size, batch, imageSize, warmup, steps, amp, dtype, fused, channelsLast, cudnnBenchmark, cacheParent,
        benchmarks, e2eImages, e2eFiles, e2eWarmupSteps, workers, resize, jpegDir, photoWidth, photoHeight, append, rowsOut, commit,
        deviceName, threads, variants, seed, memory);
  }
}
