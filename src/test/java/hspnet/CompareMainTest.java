package hspnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import hspnet.testutil.DemoConfigs;

/** hspnet-compare on a tiny demo: one run folder per method, one table (Markdown, CSV) and one chart; bad arguments exit 2. */
class CompareMainTest {
  @TempDir Path dir;

  record Result(int exit, String out, String err) {}

  private Result run(Path root, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    int exit = CompareMain.run(args, root, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void trainsEveryMethodInItsOwnFolderAndWritesOneTable() throws Exception {
    Path cfg = dir.resolve("cmp.yaml");
    Files.writeString(cfg, DemoConfigs.small(dir.resolve("demo"), "cmp")
        .replace("demo_train_images: 600", "demo_train_images: 48").replace("demo_val_images: 200", "demo_val_images: 32")
        .replace("epochs: 6", "epochs: 1"));
    Path root = dir.resolve("checkpoints"), out = dir.resolve("table");
    Result r = run(root, "-c", cfg.toString(), "--losses", "AN,LL-R", "--with-hspnet", "--out", out.toString());
    assertEquals(0, r.exit(), r.err());
    for (String folder : List.of("cmp-clip_linear-AN", "cmp-clip_linear-LL-R", "cmp-HSPNet-SPLC"))
      assertTrue(Files.isRegularFile(root.resolve(folder).resolve("round1/model-highest.ckpt")), folder);
    List<String> csv = Files.readAllLines(out.resolve("comparison.csv"));
    assertEquals("method,map,best_epoch,seconds_per_epoch,run_folder", csv.get(0));
    assertEquals(4, csv.size(), csv.toString());
    assertTrue(csv.get(1).startsWith("clip_linear + AN,") && csv.get(3).startsWith("HSPNet + SPLC,"), csv.toString());
    assertTrue(Files.readString(out.resolve("comparison.md")).contains("| clip_linear + LL-R |"));
    assertTrue(Files.size(out.resolve("comparison.png")) > 1000);
  }

  @Test
  void badArgumentsExitTwo() throws Exception {
    Path cfg = dir.resolve("cmp.yaml");
    Files.writeString(cfg, DemoConfigs.small(dir.resolve("demo"), "cmp"));
    Result unknown = run(dir, "-c", cfg.toString(), "--losses", "AN,XYZ");
    assertEquals(2, unknown.exit(), unknown.err());
    assertTrue(unknown.err().contains("unknown loss 'XYZ'"), unknown.err());
    Result missing = run(dir, "-c", cfg.toString());
    assertEquals(2, missing.exit(), missing.err());
    assertTrue(missing.err().contains("--losses"), missing.err());
  }
}
