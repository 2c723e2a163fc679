package hspnet;

import java.io.PrintStream;

import hspnet.cli.ExitStatus;
import hspnet.embed.EmbedArgs;
import hspnet.embed.FeatureExtractor;
import hspnet.nn.JavaCppTuning;

/**
 * {@code hspnet-embed --clip WEIGHTS ... --out PREFIX}: CLIP text and image features as .npy files.
 * Exit status: 0 done, 2 a command-line problem, 1 bad input (a missing or corrupt file); the
 * message is one line naming the file.
 */
public final class EmbedMain {
  static {
    JavaCppTuning.apply(); // before the first native object (see JavaCppTuning)
  }

  private EmbedMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  public static int run(String[] args, PrintStream out, PrintStream err) {
    return ExitStatus.of(err, () -> {
      EmbedArgs a = EmbedArgs.parse(args);
      if (a.help()) {
        out.print(EmbedArgs.USAGE);
        return 0;
      }
      FeatureExtractor.run(a, out);
      return 0;
    });
  }
}
