package hspnet;

import java.io.PrintStream;
import java.nio.file.Path;

import hspnet.cli.ExitStatus;
import hspnet.predict.PredictArgs;
import hspnet.predict.PredictCommand;
import hspnet.nn.JavaCppTuning;

/**
 * {@code hspnet-predict -c CONFIG [-r N | --checkpoint FILE] IMAGES_OR_FOLDERS...}: the labels of
 * images under a trained model. Exit status: 0 done (unreadable images are listed and skipped),
 * 2 a configuration or command-line problem, 1 any other input problem (no readable image, a
 * missing checkpoint or one that does not fit the config); the message is one line.
 */
public final class PredictMain {
  static {
    JavaCppTuning.apply(); // before the first native object (see JavaCppTuning)
  }

  private PredictMain() {}

  public static void main(String[] args) {
    System.exit(run(args, Path.of("checkpoints"), System.out, System.err));
  }

  public static int run(String[] args, Path checkpointsRoot, PrintStream out, PrintStream err) {
    return ExitStatus.of(err, () -> {
      PredictArgs a = PredictArgs.parse(args);
      if (a.help()) {
        out.print(PredictArgs.USAGE);
        return 0;
      }
      PredictCommand.run(a, checkpointsRoot, out, err);
      return 0;
    });
  }
}
