package hspnet;

import java.io.PrintStream;
import java.nio.file.Path;

import hspnet.cli.ExitStatus;
import hspnet.cli.TrainArgs;
import hspnet.config.RunConfig;
import hspnet.config.ConfigLoader;
import hspnet.dist.DistEnv;
import hspnet.dist.DistGroup;
import hspnet.report.ConsoleStyle;
import hspnet.run.Devices;
import hspnet.run.Run;
import hspnet.nn.JavaCppTuning;

/**
 * {@code hspnet -c CONFIG [-t | --resume] [-r N]}: trains HSPNet into a new round folder, continues
 * a round's killed training, or evaluates a round.
 * Exit status: 0 done, 2 a configuration or command-line problem, 1 any other input problem
 * (a missing image, a corrupt checkpoint); the message is one line naming the file and key.
 */
public final class TrainMain {
  static {
    JavaCppTuning.apply(); // before the first native object (see JavaCppTuning)
  }

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
      RunConfig cfg = ConfigLoader.load(a.configFile(), a.overrides());
      Run.Mode mode = Run.Mode.choose(cfg, a.test(), a.resume());
      DistEnv env = DistEnv.from(System.getenv());
      if (!env.distributed()) {
        try (Run run = Run.open(mode, cfg, a.round(), checkpointsRoot, out, style)) {
          run.execute();
        }
        return 0;
      }
      // one rank of a data-parallel training (torchrun's environment; docs/distributed.md)
      try (DistGroup dist = DistGroup.join(env, cfg.distTimeoutS() * 1000L, cfg.distBackend(), Devices.cuda(cfg));
          Run run = Run.open(mode, cfg, a.round(), checkpointsRoot, out, style, dist)) {
        run.execute();
        // test mode runs on rank 0 alone (its length is not bounded by dist_timeout_s)
        if (mode != Run.Mode.TEST) dist.barrier("waiting for every rank to finish");
      }
      return 0;
    });
  }
}
