package hspnet.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import hspnet.cli.OptionParser;

import hspnet.testutil.SyntheticHspNet;
import java.util.function.BooleanSupplier;
import java.util.Locale;

/**
 * BenchMain's options. Sizes default by device: the protocol on CUDA (RN50, batch 128,
 * 224 px, 10 warm-up and 30 timed steps, fp16 autocast), a seconds-long smoke run on the CPU.
 */
public record BenchArgs(String device, SyntheticHspNet.Size size, int batch, int imageSize, int warmup, int steps,
    boolean amp, String ampDtype, boolean fused, boolean channelsLast, boolean cudnnBenchmark, boolean cacheParent,
    List<String> benchmarks, int e2eImages, int e2eFiles, int e2eWarmupSteps, int workers, String resize, Path jpegDir,
    int photoWidth, int photoHeight, Path append, Path rowsOut, String commit, String deviceName, int threads,
    boolean variants, long seed, String memory, boolean help) {

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

  private static final OptionParser PARSER = new OptionParser("BenchMain")
      .value("--device").value("--size").value("--batch").value("--image-size").value("--warmup").value("--steps")
      .value("--amp").value("--amp-dtype").value("--fused").value("--channels-last").value("--cudnn-benchmark")
      .value("--cache-parent").value("--only").value("--e2e-images").value("--e2e-files").value("--e2e-warmup")
      .value("--workers").value("--resize").value("--jpeg-dir").value("--photo-size").value("--append").value("--rows-out")
      .value("--commit").value("--device-name").value("--threads").value("--seed").value("--memory")
      .flag("--variants");

  public static BenchArgs parse(String[] args, boolean cudaAvailable) {
    return parse(args, () -> cudaAvailable);
  }

  /**
   * The options; {@code cudaProbe} is asked only once the command line parsed (it loads LibTorch),
   * and not for help, when {@link #help()} alone is meaningful.
   */
  public static BenchArgs parse(String[] args, BooleanSupplier cudaProbe) {
    OptionParser.Parsed o = PARSER.parse(args);
    boolean cudaAvailable = !o.help() && cudaProbe.getAsBoolean();
    String device = o.value("--device", "auto");
    if (!List.of("auto", "cpu", "cuda").contains(device)) throw o.error("--device must be auto, cpu or cuda, not " + device);
    if (!o.help() && device.equals("cuda") && !cudaAvailable)
      throw o.error("--device cuda was asked for but LibTorch sees no CUDA device (CUDA natives: mvn -Pgpu package)");
    boolean gpu = device.equals("cuda") || (device.equals("auto") && cudaAvailable);
    String sizeName = o.value("--size", gpu ? "rn50" : "small");
    if (!List.of("rn50", "small").contains(sizeName.toLowerCase(Locale.ROOT)))
      throw o.error("--size must be rn50 or small, not " + sizeName);
    SyntheticHspNet.Size size = SyntheticHspNet.Size.valueOf(sizeName.toUpperCase(Locale.ROOT));
    int batch = integer(o, "--batch", gpu ? 128 : 8);
    int image = integer(o, "--image-size", gpu || size == SyntheticHspNet.Size.RN50 ? 224 : 64);
    if (image % 32 != 0) throw o.error("--image-size must be a multiple of 32 (the ResNet's stride), not " + image);
    List<String> benchmarks = new ArrayList<>(List.of(o.value("--only", "train-step,eval-forward,end-to-end").split(",")));
    for (String b : benchmarks)
      if (!List.of("train-step", "eval-forward", "end-to-end").contains(b))
        throw o.error("--only: '" + b + "' is not train-step, eval-forward or end-to-end");
    String dtype = o.value("--amp-dtype", "float16");
    if (!List.of("float16", "bfloat16").contains(dtype)) throw o.error("--amp-dtype must be float16 or bfloat16");
    String resize = o.value("--resize", "pil");
    if (!List.of("pil", "opencv").contains(resize)) throw o.error("--resize must be pil or opencv");
    String[] photo = o.value("--photo-size", gpu ? "640x480" : "160x120").split("x");
    if (photo.length != 2) throw o.error("--photo-size must be WIDTHxHEIGHT");
    int cores = Runtime.getRuntime().availableProcessors();
    BenchArgs a = new BenchArgs(gpu ? "cuda" : "cpu", size, batch, image, integer(o, "--warmup", gpu ? 10 : 2),
        integer(o, "--steps", gpu ? 30 : 5), onOff(o, "--amp", true), dtype, onOff(o, "--fused", false),
        onOff(o, "--channels-last", true), onOff(o, "--cudnn-benchmark", true), onOff(o, "--cache-parent", true), benchmarks,
        integer(o, "--e2e-images", gpu ? 2048 : 4 * batch), integer(o, "--e2e-files", gpu ? 512 : 2 * batch),
        integer(o, "--e2e-warmup", gpu ? 4 : 1), integer(o, "--workers", Math.max(1, gpu ? cores - 1 : cores)), resize,
        o.path("--jpeg-dir"), o.integer(photo[0], "--photo-size width", 1, "a width"),
        o.integer(photo[1], "--photo-size height", 1, "a height"), o.path("--append"), o.path("--rows-out"),
        o.value("--commit"), o.value("--device-name"), integer(o, "--threads", 0), o.has("--variants"), integer(o, "--seed", 0),
        o.value("--memory", "auto"), o.help());
    if (!List.of("auto", "allocator", "driver", "none").contains(a.memory))
      throw o.error("--memory must be auto, allocator, driver or none");
    if (a.batch < 1 || a.steps < 1 || a.warmup < 0 || a.e2eImages < a.batch || a.e2eFiles < 1 || a.workers < 1)
      throw o.error("sizes must be positive (and --e2e-images at least one batch)");
    return a;
  }

  private static int integer(OptionParser.Parsed o, String key, int fallback) {
    return o.integer(key, Integer.MIN_VALUE, "an integer", fallback);
  }

  private static boolean onOff(OptionParser.Parsed o, String key, boolean fallback) {
    String v = o.value(key);
    if (v == null) return fallback;
    return switch (v) {
      case "on", "true" -> true;
      case "off", "false" -> false;
      default -> throw o.error(key + " must be on or off, not '" + v + "'");
    };
  }

  public boolean cuda() { return device.equals("cuda"); }

  /** The same options with another variant of the numerics-changing switches. */
  public BenchArgs with(String dtype, boolean fused, boolean channelsLast, boolean cudnnBenchmark, boolean cacheParent) {
    return new BenchArgs(device, size, batch, imageSize, warmup, steps, amp, dtype, fused, channelsLast, cudnnBenchmark, cacheParent,
        benchmarks, e2eImages, e2eFiles, e2eWarmupSteps, workers, resize, jpegDir, photoWidth, photoHeight, append, rowsOut, commit,
        deviceName, threads, variants, seed, memory, help);
  }
}
