package hspnet;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import hspnet.report.ConsoleStyle;
import hspnet.testutil.NativeScope;
import hspnet.testutil.TrainedDemo;

/**
 * A round that failed before its first epoch (only config.yaml and the log) is passed over by
 * {@code -t} and {@code --resume}, which say so; naming it with {@code -r} is an error that says
 * what it lacks. Temporary files a killed write left in the round are removed when the round is
 * resumed, and the log says which.
 */
@ExtendWith(NativeScope.class)
class RoundChoiceTest {
  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  static Run run(Path checkpoints, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    int exit = TrainMain.run(args, checkpoints, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), ConsoleStyle.plain(Duration.ofDays(1)));
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void roundsWithNothingToTestOrResumeArePassedOverAndNamed() throws Exception {
    TrainedDemo.Run demo = TrainedDemo.get();
    assertEquals(0, demo.exit(), demo.err());
    Path root = dir.resolve("checkpoints");
    copyTree(demo.checkpoints(), root);
    Path round1 = root.resolve("e2e/round1"), round2 = Files.createDirectories(root.resolve("e2e/round2"));
    Files.copy(round1.resolve("config.yaml"), round2.resolve("config.yaml"));
    Files.writeString(round2.resolve("run.txt"), "2026-12-03 20:00:00,000 [INFO] Round folder ... (undecodable image in epoch 0)\n");
    Path orphan = Files.writeString(round1.resolve(".model-highest.ckpt.8812345678901234567.tmp"), "half a checkpoint");

    Run test = run(root, "-c", demo.config().toString(), "-t");
    System.out.println(test.out() + test.err());
    assertEquals(0, test.exit(), test.err());
    assertTrue(test.out().contains("note: round2 of 'e2e' holds no model-highest.ckpt") && test.out().contains("using round1"), test.out());
    assertTrue(test.out().contains("Testing " + round1.resolve("model-highest.ckpt")), test.out());

    Run named = run(root, "-c", demo.config().toString(), "-t", "-r", "2");
    assertEquals(1, named.exit());
    assertEquals("error: " + round2.resolve("model-highest.ckpt") + ": no such checkpoint (did that training finish an epoch?)",
        named.err().strip());

    Path more = dir.resolve("seven.yaml");
    Files.writeString(more, Files.readString(demo.config()).replace("epochs: 6\n", "epochs: 7\n"));
    Run resumed = run(root, "-c", more.toString(), "--resume");
    System.out.println(resumed.out() + resumed.err());
    assertEquals(0, resumed.exit(), resumed.err());
    assertTrue(resumed.out().contains("note: round2 of 'e2e' holds no resume.pt") && resumed.out().contains("using round1"), resumed.out());
    assertFalse(Files.exists(orphan), "the orphaned temporary file is removed when the round is resumed");
    assertTrue(Files.readString(round1.resolve("run.txt")).contains("Removed 1 temporary file(s) an interrupted write left: " + orphan),
        "and the log says so");
    try (Stream<Path> s = Files.list(round1)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left by the resumed run");
    }
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path q = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(q);
        else Files.copy(p, q, StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
  }
}
