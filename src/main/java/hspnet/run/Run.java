package hspnet.run;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Locale;

import org.bytedeco.pytorch.Device;

import hspnet.cli.OptionWord;
import hspnet.config.RunConfig;
import hspnet.config.ConfigLoader;
import hspnet.config.ConfigException;
import hspnet.config.ImageDecode;
import hspnet.config.LossKind;
import hspnet.config.ResolvedConfig;
import hspnet.data.BatchLoader;
import hspnet.data.DeviceDecoding;
import hspnet.dist.DistGroup;
import hspnet.dist.StateSync;
import hspnet.model.Classifier;
import hspnet.model.HspNetFactory;
import hspnet.model.RelationCache;
import hspnet.nn.CpuNumerics;
import hspnet.report.ConsoleStyle;
import hspnet.report.RoundReport;
import hspnet.report.Versions;
import hspnet.train.ResumeState;
import hspnet.train.Tester;
import hspnet.train.TrainLog;
import hspnet.train.Trainer;
import java.util.List;

/**
 * One run of a config: a training into a new round folder, the continuation of a round's killed
 * training, or the test of a round. It owns everything it opens (data loaders, models, log, stop
 * notice) and closes them in reverse order, whatever happens. Everything that can fail on bad
 * input (config checks, data lists, CLIP weights, a resume state of other settings) is opened
 * before a new round folder or a log line exists.
 */
public final class Run implements AutoCloseable {
  /** What the run does. */
  public enum Mode {
    TRAIN, RESUME, TEST;

    /** The mode the command line ({@code -t}, {@code --resume}) and the config's test/resume keys ask for. */
    public static Mode choose(RunConfig cfg, boolean testFlag, boolean resumeFlag) {
      boolean test = testFlag || cfg.test(), resume = resumeFlag || cfg.resume();
      if (test && resume)
        throw new ConfigException(cfg.file() + ": test mode and resume both asked for (" + (testFlag ? "-t" : "test: true")
            + " with " + (resumeFlag ? "--resume" : "resume: true") + "): evaluate a round, or continue training it");
      return test ? TEST : resume ? RESUME : TRAIN;
    }
  }

  private final Deque<AutoCloseable> owned = new ArrayDeque<>();
  private final long start = System.nanoTime();
  private final Mode mode;
  private final RunConfig cfg;
  private final Path checkpointsRoot;
  private final Device device;
  private final int threads;
  private RunData data;
  private HspNetFactory factory;
  private Classifier model, ema;
  private Path folder;
  private TrainLog log;
  private ResumeState.Saved saved;
  private boolean writable = true;
  private PrintStream out = System.out;
  /** The log of ranks other than 0: they write nothing, and errors reach the console through the main. */
  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
  // a data-parallel rank (null: the single process of an ordinary run)
  private final DistGroup dist;
  private Trainer.Result trained;

  private Run(Mode mode, RunConfig cfg, Path checkpointsRoot, DistGroup dist) {
    this.mode = mode;
    this.dist = dist;
    this.cfg = cfg;
    this.checkpointsRoot = checkpointsRoot;
    this.device = Devices.select(cfg, dist == null ? 0 : dist.env().localRank());
    this.threads = Devices.configureCpuThreads(cfg);
    HspNetFactory.check(cfg);
    HspNetFactory.checkBackend(cfg, device.is_cuda());
  }

  /**
   * Opens a run: for TRAIN a new round folder; for RESUME and TEST round {@code round}, or the
   * latest round holding what the mode needs when it is null (rounds passed over are named on
   * {@code out}).
   */
  public static Run open(Mode mode, RunConfig cfg, Integer round, Path checkpointsRoot, PrintStream out, ConsoleStyle style)
      throws IOException {
    return open(mode, cfg, round, checkpointsRoot, out, style, null);
  }

  /**
   * As {@link #open(Mode, RunConfig, Integer, Path, PrintStream, ConsoleStyle)}, as one rank of a
   * data-parallel training when {@code dist} is not null (see docs/distributed.md): rank 0 prepares
   * the data and the relation cache, writes the round folder and logs; the other ranks wait for it,
   * then read what it prepared, and write nothing (their log is silent). Test mode runs on rank 0
   * only.
   */
  public static Run open(Mode mode, RunConfig cfg, Integer round, Path checkpointsRoot, PrintStream out, ConsoleStyle style,
      DistGroup dist) throws IOException {
    // LL-Cp's permanent corrections live on the rank that saw the sample; the ranks do not share them
    if (dist != null && mode != Mode.TEST && cfg.loss() == LossKind.LL_CP)
      throw cfg.error("loss", "LL-Cp keeps per-sample label corrections that data-parallel ranks do not share; train it in one process");
    Run run = new Run(mode, cfg, checkpointsRoot, dist);
    try {
      run.out = out;
      switch (mode) {
        case TRAIN -> run.openTraining(out, style);
        case RESUME -> run.openResume(round, out, style);
        case TEST -> {
          if (run.isMain()) run.openTest(round, out, style);
        }
      }
      return run;
    } catch (IOException | RuntimeException | Error e) {
      run.close();
      throw e;
    }
  }

  private void openTraining(PrintStream out, ConsoleStyle style) throws IOException {
    if (!prepareData()) return;
    folder = RoundFolder.createNext(checkpointsRoot, cfg.checkpoint());
    ResolvedConfig.write(folder.resolve("config.yaml"), cfg);
    openLog(out, style, true);
    log.info("Round folder " + folder + " (config " + cfg.file() + ", device " + describeDevice() + ")");
    logSetup(RoundFolder.removeOrphans(RoundFolder.runFolder(checkpointsRoot, cfg.checkpoint())));
  }

  /**
   * Opens the data and builds the models. In a data-parallel training rank 0 does it first (it
   * writes the data and the relation cache) and the others then read what it wrote; they log
   * nothing. Returns whether this process goes on to open the round's folder and log (rank 0, or
   * the only process).
   */
  private boolean prepareData() throws IOException {
    if (!isMain()) dist.barrier("waiting for rank 0 to prepare the data and the models");
    openData(true);
    buildModels();
    if (!isMain()) {
      log = own(TrainLog.consoleOnly(QUIET));
      return false;
    }
    if (dist != null) dist.barrier("waiting for the other ranks to join");
    return true;
  }

  private void openResume(Integer round, PrintStream out, ConsoleStyle style) throws IOException {
    folder = RoundFolder.choose(checkpointsRoot, cfg.checkpoint(), round, "resume", ResumeState.FILE, out);
    // checked before anything is built or logged: the saved run's settings and progress
    saved = ResumeState.read(folder.resolve(ResumeState.FILE), ResumeState.settingsOf(cfg), device);
    saved.checkEpochsLeft(cfg, folder);
    if (!prepareData()) return;
    openLog(out, style, true);
    log.info("Resuming round folder " + folder + " (config " + cfg.file() + ", device " + describeDevice() + ")");
    logSetup(RoundFolder.removeOrphans(folder, RoundFolder.runFolder(checkpointsRoot, cfg.checkpoint())));
  }

  private void openTest(Integer round, PrintStream out, ConsoleStyle style) throws IOException {
    folder = RoundFolder.choose(checkpointsRoot, cfg.checkpoint(), round, "test", "model-highest.ckpt", out);
    Path ckpt = checkpoint();
    if (!Files.isRegularFile(ckpt)) throw new IllegalArgumentException(ckpt + ": no such checkpoint (did that training finish an epoch?)");
    // a read-only round (an archived run) is tested all the same: the results are printed, not written
    writable = RoundFolder.canWrite(folder);
    openData(false);
    openLog(out, style, false);
    if (!writable)
      log.info("Round folder " + folder + " is not writable: testing without writing its log, summary or test results"
          + " (they are printed only)");
    factory = new HspNetFactory(cfg, data.labels());
    if (RoundFolder.canWrite(RoundFolder.runFolder(checkpointsRoot, cfg.checkpoint()))) factory.cacheRelationIn(relationCache());
    model = own(factory.buildModel());
  }

  private void openData(boolean withTrain) throws IOException {
    DeviceDecoding.Spec onDevice = cfg.imageDecode() == ImageDecode.GPU ? DeviceDecoding.Spec.nvJpeg(device) : null;
    boolean sharded = dist != null && mode != Mode.TEST;
    data = own(RunData.open(cfg, withTrain, sharded ? dist.rank() : 0, sharded ? dist.worldSize() : 1, onDevice));
  }

  private void buildModels() {
    factory = new HspNetFactory(cfg, data.labels());
    if (isMain()) factory.cacheRelationIn(relationCache());
    else factory.readRelationFrom(relationCache());   // rank 0 wrote it before the others started
    model = own(factory.buildModel());
    ema = own(factory.buildModel());
  }

  private void openLog(PrintStream out, ConsoleStyle style, boolean training) throws IOException {
    Path logFile = folder.resolve(cfg.logFile());
    log = own(writable ? new TrainLog(logFile, out, style) : TrainLog.consoleOnly(out));
    data.badImages().warnTo(log::info);   // JPEGs decoded despite corrupt data, named once each
    if (training) own(StopNotice.install(folder, log, logFile, resumeCommand()));
  }

  private void logSetup(List<String> orphans) {
    if (!orphans.isEmpty())
      log.info("Removed " + orphans.size() + " temporary file(s) an interrupted write left: " + String.join(", ", orphans));
    log.info(String.format(Locale.ROOT, "Data: %d training images (single positive), %d validation images, %d labels in %d groups",
        data.trainSamples().size(), data.valSamples().size(), data.labels().numClasses(), data.labels().numGroups()));
    // which CPU kernels compute the run (they decide its exact numbers)
    if (!device.is_cuda()) log.info("CPU kernels: " + CpuNumerics.pin().describe());
    if (cfg.imageDecode() == ImageDecode.GPU)
      log.info("Images: JPEGs decoded and resized on " + Devices.describe(device) + " (nvJPEG, antialiased bicubic), other files on"
          + " the CPU path");
    log.info("Relation matrix: " + factory.relationSource());
  }

  /** Trains, continues or tests, as opened; then writes the round's results. */
  public void execute() throws IOException {
    if (mode == Mode.TEST && !isMain()) return;   // rank 0 tests alone
    switch (mode) {
      case TRAIN, RESUME -> train();
      case TEST -> test();
    }
    if (data.badImages().count() > 0) log.info(data.badImages().summary());
    if (data.badImages().corruptJpegCount() > 0) log.info(data.badImages().corruptJpegSummary());
    for (BatchLoader loader : Arrays.asList(data.train(), data.val()))
      if (loader != null) loader.deviceDecoding().ifPresent(d -> log.info(String.format(Locale.ROOT,
          "%s images: %d decoded on the device, %d on the CPU path", loader == data.train() ? "Training" : "Validation",
          d.decodedOnDevice(), d.decodedOnCpu())));
  }

  private void train() throws IOException {
    Trainer trainer = new Trainer(cfg, log, device).distributed(dist);
    Trainer.Result r = trainer.train(model, ema, data.train(), data.val(), folder, saved);
    trained = r;
    if (dist != null)
      out.println(String.format(Locale.ROOT, "rank %d/%d: training done; weights fingerprint %08x (model), %08x (EMA)", dist.rank(),
          dist.worldSize(), StateSync.fingerprint(model), StateSync.fingerprint(ema)));
    if (!isMain()) return;
    if (mode == Mode.RESUME) ResolvedConfig.write(folder.resolve("config.yaml"), cfg);
    log.info(String.format(Locale.ROOT, "Training done in %.1f s: highest_mAP = %.2f at epoch %d; best model in %s",
        r.seconds(), r.highestMap(), r.bestEpoch(), checkpoint()));
    report(RoundReport.afterTraining(folder, data.labels(), runInfo(), (System.nanoTime() - start) / 1e9, r.seconds(),
        cfg.epochs(), cfg.totalEpochs()));
  }

  private void test() throws IOException {
    Path ckpt = checkpoint();
    log.info("Testing " + ckpt + " on " + data.valSamples().size() + " validation images");
    Tester.Result r = Tester.test(cfg, model, data.val(), ckpt, device, log);
    if (writable)
      report(RoundReport.afterTest(folder, data.labels(), runInfo(), ckpt, r.images(), cfg.thre(), r.map(), r.threshold(),
          r.apPerClass()));
  }

  /** What the training reported (highest mAP, best epoch, mAP per epoch, seconds); null before a training ran. */
  public Trainer.Result trainingResult() { return trained; }

  /** The round folder of this run. */
  public Path folder() { return folder; }

  /** One line naming the result files (the round's metrics, charts and summary), then any warning. */
  private void report(RoundReport.Written w) {
    if (!w.files().isEmpty())
      log.info("Results in " + w.files().get(0).getParent() + ": "
          + String.join(", ", w.files().stream().map(f -> f.getFileName().toString()).toList()));
    for (String warning : w.warnings()) log.info("warning: " + warning);
  }

  private RoundReport.RunInfo runInfo() {
    return new RoundReport.RunInfo(cfg.file(), Versions.device(device, threads));
  }

  private String describeDevice() {
    return Devices.describe(device) + (device.is_cuda() ? "" : ", " + threads + " CPU thread(s)");
  }

  /** Rank 0 of a data-parallel training, or the single process of an ordinary run. */
  private boolean isMain() {
    return dist == null || dist.main();
  }

  private Path relationCache() {
    return RoundFolder.runFolder(checkpointsRoot, cfg.checkpoint()).resolve(RelationCache.FILE);
  }

  private Path checkpoint() {
    return folder.resolve("model-highest.ckpt");
  }

  /** What the user types to continue this round: the same config, and the same overrides (resume compares them). */
  private String resumeCommand() {
    return "hspnet -c " + cfg.file() + " --resume -r " + roundNumber()
        + String.join("", ConfigLoader.overrides(cfg).stream().map(o -> " -o " + OptionWord.shellQuoted(o)).toList());
  }

  private String roundNumber() {
    return folder.getFileName().toString().substring("round".length());
  }

  private <T extends AutoCloseable> T own(T resource) {
    owned.push(resource);
    return resource;
  }

  /** Closes what the run opened, last first; the first failure is thrown after all were tried. */
  @Override
  public void close() throws IOException {
    Throwable first = null;
    while (!owned.isEmpty()) {
      try {
        owned.pop().close();
      } catch (Exception | Error e) {
        if (first == null) first = e;
        else first.addSuppressed(e);
      }
    }
    if (first instanceof IOException io) throw io;
    if (first instanceof RuntimeException re) throw re;
    if (first instanceof Error er) throw er;
    if (first != null) throw new IOException(first);
  }
}
