package hspnet;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import org.bytedeco.pytorch.Device;

import hspnet.config.Config;
import hspnet.config.ConfigException;
import hspnet.config.ExitStatus;
import hspnet.config.ConfigLoader;
import hspnet.config.ResolvedConfig;
import hspnet.config.TrainArgs;
import hspnet.model.HspNet;
import hspnet.model.HspNetFactory;
import hspnet.model.RelationCache;
import hspnet.nn.CpuNumerics;
import hspnet.report.ConsoleStyle;
import hspnet.report.RoundReport;
import hspnet.report.Versions;
import hspnet.train.Devices;
import hspnet.train.ResumeState;
import hspnet.train.RoundFolder;
import hspnet.train.RunData;
import hspnet.train.StopNotice;
import hspnet.train.Tester;
import hspnet.train.TrainLog;
import hspnet.train.Trainer;

/**
 * {@code hspnet -c CONFIG [-t | --resume] [-r N]}: trains HSPNet into a new round folder, continues
 * a round's killed training, or evaluates a round.
 * Exit status: 0 done, 2 a configuration or command-line problem, 1 any other input problem
 * (a missing image, a corrupt checkpoint); the message is one line naming the file and key.
 */
public final class TrainMain {
  private TrainMain() {}

  public static void main(String[] args) {
    System.exit(run(args, Path.of("checkpoints"), System.out, System.err));
  }

  public static int run(String[] args, Path checkpointsRoot, PrintStream out, PrintStream err) {
    return run(args, checkpointsRoot, out, err, ConsoleStyle.of(out));
  }

  /** As {@link #run(String[], Path, PrintStream, PrintStream)}, with the progress lines' style given. */
  public static int run(String[] args, Path checkpointsRoot, PrintStream out, PrintStream err, ConsoleStyle style) {
    return ExitStatus.of(err, () -> {
      TrainArgs a = TrainArgs.parse(args);
      if (a.help()) {
        out.print(TrainArgs.USAGE);
        return 0;
      }
      Config cfg = ConfigLoader.load(a.configFile());
      boolean test = a.test() || cfg.test(), resume = a.resume() || cfg.resume();
      if (test && resume)
        throw new ConfigException(cfg.file() + ": test mode and resume both asked for (" + (a.test() ? "-t" : "test: true")
            + " with " + (a.resume() ? "--resume" : "resume: true") + "): evaluate a round, or continue training it");
      if (test) test(cfg, a.round(), checkpointsRoot, out, style);
      else if (resume) resume(cfg, a.round(), checkpointsRoot, out, style);
      else train(cfg, checkpointsRoot, out, style);
      return 0;
    });
  }

  static void train(Config cfg, Path checkpointsRoot, PrintStream out, ConsoleStyle style) throws IOException {
    long start = System.nanoTime();
    Device device = Devices.select(cfg);
    int threads = Devices.configureCpuThreads(cfg);
    HspNetFactory.check(cfg);
    HspNetFactory.checkBackend(cfg, device.is_cuda());
    // Everything that can fail on bad input is opened before the round folder exists.
    try (RunData data = RunData.open(cfg, true)) {
      HspNetFactory factory = factory(cfg, data, checkpointsRoot);
      HspNet model = factory.build();
      HspNet ema = factory.build();
      Path round = RoundFolder.createNext(checkpointsRoot, cfg.checkpoint());
      ResolvedConfig.write(round.resolve("config.yaml"), cfg);
      try (TrainLog log = new TrainLog(round.resolve(cfg.logFile()), out, style);
           StopNotice stop = StopNotice.install(round, log, round.resolve(cfg.logFile()), resumeCommand(cfg, round))) {
        log.info("Round folder " + round + " (config " + cfg.file() + ", device " + Devices.describe(device)
            + (device.is_cuda() ? "" : ", " + threads + " CPU thread(s)") + ")");
        logOrphans(log, RoundFolder.removeOrphans(RoundFolder.runFolder(checkpointsRoot, cfg.checkpoint())));
        data.badImages().warnTo(log::info);   // JPEGs decoded despite corrupt data, named once each
        logData(log, data);
        logCpuKernels(log, device);
        log.info("Relation matrix: " + factory.relationSource());
        Trainer.Result r = new Trainer(cfg, log, device).train(model, ema, data, round);
        logDone(log, r, round);
        report(log, RoundReport.afterTraining(round, data.labels(), runInfo(cfg, device, threads), seconds(start), r.seconds(),
            cfg.epochs(), cfg.totalEpochs()));
        if (data.badImages().count() > 0) log.info(data.badImages().summary());
        if (data.badImages().corruptJpegCount() > 0) log.info(data.badImages().corruptJpegSummary());
      }
    }
  }

  /**
   * Continues round N (default: the latest) from the resume state its last completed epoch
   * wrote, in the same folder and log, up to the config's epochs.
   */
  static void resume(Config cfg, Integer round, Path checkpointsRoot, PrintStream out, ConsoleStyle style) throws IOException {
    long start = System.nanoTime();
    Device device = Devices.select(cfg);
    int threads = Devices.configureCpuThreads(cfg);
    HspNetFactory.check(cfg);
    HspNetFactory.checkBackend(cfg, device.is_cuda());
    Path folder = roundFolder(cfg, round, checkpointsRoot, "resume", ResumeState.FILE, out);
    // checked before anything is built or logged: the saved run's settings and progress
    ResumeState.Saved saved = ResumeState.read(folder.resolve(ResumeState.FILE), ResumeState.settingsOf(cfg), device);
    if (saved.epochsDone() >= cfg.epochs())
      throw cfg.error("epochs", "is " + cfg.epochs() + " but " + folder + " has already trained " + saved.epochsDone()
          + " epoch(s); raise it (up to total_epochs " + cfg.totalEpochs() + ") to train further");
    try (RunData data = RunData.open(cfg, true)) {
      HspNetFactory factory = factory(cfg, data, checkpointsRoot);
      HspNet model = factory.build();
      HspNet ema = factory.build();
      try (TrainLog log = new TrainLog(folder.resolve(cfg.logFile()), out, style);
           StopNotice stop = StopNotice.install(folder, log, folder.resolve(cfg.logFile()), resumeCommand(cfg, folder))) {
        log.info("Resuming round folder " + folder + " (config " + cfg.file() + ", device " + Devices.describe(device)
            + (device.is_cuda() ? "" : ", " + threads + " CPU thread(s)") + ")");
        logOrphans(log, RoundFolder.removeOrphans(folder, RoundFolder.runFolder(checkpointsRoot, cfg.checkpoint())));
        data.badImages().warnTo(log::info);   // JPEGs decoded despite corrupt data, named once each
        logData(log, data);
        logCpuKernels(log, device);
        log.info("Relation matrix: " + factory.relationSource());
        Trainer.Result r = new Trainer(cfg, log, device).train(model, ema, data, folder, saved);
        ResolvedConfig.write(folder.resolve("config.yaml"), cfg);
        logDone(log, r, folder);
        report(log, RoundReport.afterTraining(folder, data.labels(), runInfo(cfg, device, threads), seconds(start), r.seconds(),
            cfg.epochs(), cfg.totalEpochs()));
        if (data.badImages().count() > 0) log.info(data.badImages().summary());
        if (data.badImages().corruptJpegCount() > 0) log.info(data.badImages().corruptJpegSummary());
      }
    }
  }

  private static HspNetFactory factory(Config cfg, RunData data, Path checkpointsRoot) {
    return new HspNetFactory(cfg, data.labels())
        .cacheRelationIn(RoundFolder.runFolder(checkpointsRoot, cfg.checkpoint()).resolve(RelationCache.FILE));
  }

  private static void logData(TrainLog log, RunData data) {
    log.info(String.format(Locale.ROOT, "Data: %d training images (single positive), %d validation images, %d labels in %d groups",
        data.trainSamples().size(), data.valSamples().size(), data.labels().numClasses(), data.labels().numGroups()));
  }

  /** Which CPU kernels compute the run (they decide its exact numbers; see CpuNumerics). */
  private static void logCpuKernels(TrainLog log, Device device) {
    if (!device.is_cuda()) log.info("CPU kernels: " + CpuNumerics.pin().describe());
  }

  private static void logDone(TrainLog log, Trainer.Result r, Path round) {
    log.info(String.format(Locale.ROOT, "Training done in %.1f s: highest_mAP = %.2f at epoch %d; best model in %s",
        r.seconds(), r.highestMap(), r.bestEpoch(), round.resolve("model-highest.ckpt")));
  }

  private static RoundReport.RunInfo runInfo(Config cfg, Device device, int threads) {
    return new RoundReport.RunInfo(cfg.file(), Versions.device(device, threads));
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** One line naming the result files (the round's metrics, charts and summary), then any warning. */
  private static void report(TrainLog log, RoundReport.Written w) {
    if (!w.files().isEmpty())
      log.info("Results in " + w.files().get(0).getParent() + ": "
          + String.join(", ", w.files().stream().map(f -> f.getFileName().toString()).toList()));
    for (String warning : w.warnings()) log.info("warning: " + warning);
  }

  /**
   * Round N, or when N is not given the latest round holding {@code needed} (later rounds without
   * it, such as one killed in its first epoch, are named on {@code out} and passed over); a clear
   * error when there is none.
   */
  private static Path roundFolder(Config cfg, Integer round, Path checkpointsRoot, String purpose, String needed, PrintStream out) {
    if (round != null) return RoundFolder.existing(checkpointsRoot, cfg.checkpoint(), round);
    Path run = RoundFolder.runFolder(checkpointsRoot, cfg.checkpoint());
    RoundFolder.Choice c = RoundFolder.latestWith(run, needed);
    String skipped = c.skipped().isEmpty() ? "" : "round" + String.join(", round", c.skipped().stream().map(String::valueOf).toList());
    if (c.round() == 0)
      throw new ConfigException("'" + cfg.checkpoint() + "' has no " + (skipped.isEmpty() ? "trained round" : "round with " + needed)
          + " under " + checkpointsRoot + " to " + purpose + (skipped.isEmpty() ? "" : " (" + skipped + (c.skipped().size() == 1 ? " holds" : " hold") + " none: stopped or failed before"
          + " completing an epoch)"));
    if (!skipped.isEmpty())
      out.println("note: " + skipped + " of '" + cfg.checkpoint() + "' " + (c.skipped().size() == 1 ? "holds" : "hold") + " no " + needed + " (stopped or failed before completing an"
          + " epoch); using round" + c.round() + " (-r N picks another)");
    return run.resolve("round" + c.round());
  }

  private static String resumeCommand(Config cfg, Path round) {
    return "hspnet -c " + cfg.file() + " --resume -r " + round.getFileName().toString().substring("round".length());
  }

  private static void logOrphans(TrainLog log, java.util.List<String> removed) {
    if (!removed.isEmpty())
      log.info("Removed " + removed.size() + " temporary file(s) an interrupted write left: " + String.join(", ", removed));
  }

  static void test(Config cfg, Integer round, Path checkpointsRoot, PrintStream out, ConsoleStyle style) throws IOException {
    Device device = Devices.select(cfg);
    int threads = Devices.configureCpuThreads(cfg);
    HspNetFactory.check(cfg);
    HspNetFactory.checkBackend(cfg, device.is_cuda());
    Path folder = roundFolder(cfg, round, checkpointsRoot, "test", "model-highest.ckpt", out);
    Path ckpt = folder.resolve("model-highest.ckpt");
    if (!Files.isRegularFile(ckpt)) throw new IllegalArgumentException(ckpt + ": no such checkpoint (did that training finish an epoch?)");
    // a read-only round (an archived run) is tested all the same: the results are printed, not written
    boolean writable = RoundFolder.canWrite(folder);
    try (RunData data = RunData.open(cfg, false);
         TrainLog log = writable ? new TrainLog(folder.resolve(cfg.logFile()), out, style) : TrainLog.consoleOnly(out)) {
      if (!writable)
        log.info("Round folder " + folder + " is not writable: testing without writing its log, summary or test results"
            + " (they are printed only)");
      data.badImages().warnTo(log::info);   // JPEGs decoded despite corrupt data, named once each
      Path run = RoundFolder.runFolder(checkpointsRoot, cfg.checkpoint());
      HspNet model = (RoundFolder.canWrite(run) ? factory(cfg, data, checkpointsRoot) : new HspNetFactory(cfg, data.labels())).build();
      log.info("Testing " + ckpt + " on " + data.valSamples().size() + " validation images");
      Tester.Result r = Tester.test(cfg, model, data, ckpt, device, log);
      if (writable)
        report(log, RoundReport.afterTest(folder, data.labels(), runInfo(cfg, device, threads), ckpt, r.images(), cfg.thre(),
            r.map(), r.threshold(), r.apPerClass()));
      if (data.badImages().count() > 0) log.info(data.badImages().summary());
      if (data.badImages().corruptJpegCount() > 0) log.info(data.badImages().corruptJpegSummary());
    }
  }
}
