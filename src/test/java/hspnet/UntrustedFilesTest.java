package hspnet;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import hspnet.testutil.Crafted;
import hspnet.testutil.Crafted.Pickle;
import hspnet.testutil.Crafted.Rec;
import hspnet.testutil.NativeScope;
import hspnet.testutil.TrainedDemo;
import java.util.function.BiFunction;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import hspnet.io.SafetensorsReader;
import hspnet.testutil.Shared;
import hspnet.io.TorchScriptReader;
import hspnet.io.TorchZipReader;
import hspnet.clip.WeightFormat;

/**
 * Crafted and damaged files fed to every entry point that reads weights ({@code hspnet-embed
 * --clip}, {@code clip_model:} of a training, {@code hspnet-predict --checkpoint}, a round's
 * {@code resume.pt}) through each reader (TorchScript zip, torch.save zip, safetensors, npy). Each
 * must end in one line "error: FILE: …" and exit status 1: no stack trace, no file created by
 * the input, and memory bounded (the peak resident set is measured around each run and printed;
 * the bombs declare gigabytes).
 */
@ExtendWith(NativeScope.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UntrustedFilesTest {
  @TempDir static Path dir;
  private final List<String> table = Collections.synchronizedList(new ArrayList<>());

  record Run(int exit, String out, String err, long peakGrowthKb) {}

  // ------------------------------------------------------------------------------ weights files

  /** TorchScript archive whose class restores itself with __setstate__ code that would write a file. */
  private static Path torchScriptWithCode(Path marker) throws IOException {
    byte[] pickle = new Pickle().global("__torch__", "Evil").op(')', 0x81).str("/etc/hostname").op(0x85, 'b').bytes();
    String code = "class Evil(Module):\n  def __setstate__(self, state: Tuple[str]) -> None:\n"
        + "    _0 = torch.from_file(\"" + marker + "\", True, 4)\n    _1 = torch.fill_(_0, 1)\n"
        + "    while True:\n      pass\n    return None\n";
    return Crafted.write(dir.resolve("setstate.pt"), Crafted.zip(List.of(Rec.stored("setstate/data.pkl", pickle),
        Rec.text("setstate/code/__torch__.py", code), Rec.stored("setstate/constants.pkl", new Pickle().op(')').bytes()),
        Rec.text("setstate/version", "3\n"))));
  }

  /** Every crafted weights file, with what its error must say. */
  private static List<String[]> cached;

  private static synchronized List<String[]> weightFiles() throws IOException {
    if (cached == null) cached = craft();
    return cached;
  }

  private static List<String[]> craft() throws IOException {
    List<String[]> cases = new ArrayList<>();
    Path marker = dir.resolve("pwned");
    cases.add(new String[] {torchScriptWithCode(marker).toString(), "__setstate__ code, which this reader does not run"});

    // 1e9 bytes of zeros deflated into ~1 MB, declared as a storage of 250M floats
    long zeros = 1_000_000_000L;
    byte[] deflated = Crafted.deflatedZeros(zeros);
    byte[] bombPickle = new Pickle().op('}').str("positional_embedding").tensor("0", zeros / 4, new long[] {zeros / 4}, new long[] {1}).op('s').bytes();
    cases.add(new String[] {Crafted.write(dir.resolve("deflate-bomb.pt"), Crafted.torchSave("deflate-bomb", bombPickle,
        List.of(new Rec("deflate-bomb/data/0", deflated, 8, zeros, -1)))).toString(), "decompression bomb"});

    // a stored record whose directory declares 4 GB in a 4 MB file
    byte[] four = new byte[4 << 20];
    byte[] liarPickle = new Pickle().op('}').str("w").tensor("0", 1_000_000_000L, new long[] {1_000_000_000L}, new long[] {1}).op('s').bytes();
    cases.add(new String[] {Crafted.write(dir.resolve("declared-4gb.pt"), Crafted.torchSave("declared-4gb", liarPickle,
        List.of(new Rec("declared-4gb/data/0", four, 0, 4_000_000_000L, -1)))).toString(), "stored but declares"});

    // 1000 directory entries naming one 4 MB record: 4 GB of storages from a 4 MB file
    Pickle many = new Pickle().op('}');
    List<Rec> recs = new ArrayList<>(List.of(Rec.text("alias/byteorder", "little"), Rec.stored("alias/data/0", four)));
    for (int i = 0; i < 1000; i++) {
      many.str("t" + i).tensor(Integer.toString(i), 1 << 20, new long[] {1 << 20}, new long[] {1}).op('s');
      if (i > 0) recs.add(new Rec("alias/data/" + i, four, 0, four.length, 1));
    }
    recs.add(Rec.stored("alias/data.pkl", many.bytes()));
    cases.add(new String[] {Crafted.write(dir.resolve("aliased.pt"), Crafted.zip(recs)).toString(), "share the bytes"});

    // a storage claiming 1e12 elements, held in 16 bytes
    byte[] hugePickle = new Pickle().op('}').str("w").tensor("0", 1_000_000_000_000L, new long[] {1_000_000_000_000L}, new long[] {1}).op('s').bytes();
    cases.add(new String[] {Crafted.write(dir.resolve("storage-1e12.pt"), Crafted.torchSave("storage-1e12", hugePickle,
        List.of(Rec.stored("storage-1e12/data/0", new byte[16])))).toString(), "needs 4000000000000"});

    // a shape whose product overflows 64 bits
    byte[] overflowPickle = new Pickle().op('}').str("w").tensor("0", 1, new long[] {1L << 40, 1L << 40}, new long[] {0, 0}).op('s').bytes();
    cases.add(new String[] {Crafted.write(dir.resolve("overflow.pt"), Crafted.torchSave("overflow", overflowPickle,
        List.of(Rec.stored("overflow/data/0", new byte[4])))).toString(), "overflows 64-bit sizes"});

    // pickles nested 100,000 lists deep, and a list that contains itself
    Pickle deep = new Pickle();
    for (int i = 0; i < 100_000; i++) deep.op(']');
    for (int i = 0; i < 99_999; i++) deep.op('a');
    cases.add(new String[] {Crafted.write(dir.resolve("deep.pt"), Crafted.torchSave("deep", deep.bytes(), List.of())).toString(),
        "deep; refused"});
    byte[] selfRef = new Pickle().op(']', 'q', 0, 'h', 0, 'a').bytes();
    cases.add(new String[] {Crafted.write(dir.resolve("self.pt"), Crafted.torchSave("self", selfRef, List.of())).toString(),
        "contains itself"});
    int n = 50_000;
    Pickle deepScript = new Pickle();
    for (int i = 0; i < n; i++) deepScript.global("__torch__", "M").op(')', 0x81).op('r', i & 0xff, (i >> 8) & 0xff, i >> 16, 0).op('0');
    for (int i = 0; i < n - 1; i++)
      deepScript.op('j', i & 0xff, (i >> 8) & 0xff, i >> 16, 0).op('}').str("m").op('j', (i + 1) & 0xff, ((i + 1) >> 8) & 0xff, (i + 1) >> 16, 0)
          .op('s', 'b', '0');
    deepScript.op('j', 0, 0, 0, 0);
    cases.add(new String[] {Crafted.write(dir.resolve("deep-script.pt"), Crafted.zip(List.of(Rec.stored("ds/data.pkl", deepScript.bytes()),
        Rec.stored("ds/constants.pkl", new Pickle().op(')').bytes())))).toString(), "deep; refused"});
    byte[] selfScript = new Pickle().global("__torch__", "M").op(')', 0x81, 'q', 0).op('}').str("m").op('h', 0, 's', 'b').bytes();
    cases.add(new String[] {Crafted.write(dir.resolve("self-script.pt"), Crafted.zip(List.of(Rec.stored("ss/data.pkl", selfScript),
        Rec.stored("ss/constants.pkl", new Pickle().op(')').bytes())))).toString(), "contains itself"});

    // safetensors: 1000 entries each spanning the whole 16 MB data section
    StringBuilder h = new StringBuilder("{");
    for (int i = 0; i < 1000; i++) h.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":{\"dtype\":\"F32\",\"shape\":[4194304],\"data_offsets\":[0,16777216]}");
    cases.add(new String[] {Crafted.write(dir.resolve("overlap.safetensors"), Crafted.safetensors(h + "}", 16 << 20)).toString(),
        "overlapping data_offsets"});
    cases.add(new String[] {Crafted.write(dir.resolve("overflow.safetensors"), Crafted.safetensors(
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[1099511627776,1099511627776],\"data_offsets\":[0,4]}}", 4)).toString(), "overflows 64-bit sizes"});
    cases.add(new String[] {Crafted.write(dir.resolve("storage-1e12.safetensors"), Crafted.safetensors(
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[1000000000000],\"data_offsets\":[0,4000000000000]}}", 16)).toString(), "truncated file"});
    return cases;
  }

  @Test
  void eachReaderRefusesItsCraftedFilesForTheReasonCrafted() throws Exception {
    for (String[] c : weightFiles()) {
      Path f = Path.of(c[0]);
      long before = rssKb();
      resetPeak();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
        if (c[0].endsWith(".safetensors")) SafetensorsReader.read(f);
        else if (WeightFormat.detect(f) == WeightFormat.TORCHSCRIPT) TorchScriptReader.readStateDict(f);
        else TorchZipReader.readStateDict(f);
      }, c[0]);
      long growth = Math.max(0, peakKb() - before);
      System.out.printf("| %-28s | %7.1f MiB | %6.1f MiB | %s |%n", f.getFileName(), Files.size(f) / 1048576.0, growth / 1024.0,
          e.getMessage().replace(dir.toString() + "/", ""));
      assertTrue(e.getMessage().startsWith(c[0]) && e.getMessage().contains(c[1]), e.getMessage());
      assertFalse(e.getMessage().contains("\n"), "one line");
      assertTrue(growth < 256 * 1024, "peak resident memory grew by " + growth / 1024 + " MiB");
    }
  }

  @Test
  void embedRefusesEveryCraftedWeightsFileInOneLine() throws Exception {
    Path marker = dir.resolve("pwned");
    for (String[] c : weightFiles()) {
      Path out = dir.resolve("features");
      Run r = run((o, e) -> EmbedMain.run(new String[] {"--clip", c[0], "--vocab", "bytes", "--text", "a", "--out", out.toString()},
          o, e), "--clip " + c[0]);
      assertOneLineError(r, c[0], null);
      assertFalse(Files.exists(dir.resolve("features.text.npy")), "nothing written");
    }
    assertFalse(Files.exists(marker), "the archive's __setstate__ code never ran");
    printTable();
  }

  @Test
  void trainingWithACraftedClipModelStopsBeforeItsRoundExists() throws Exception {
    TrainedDemo.Run demo = TrainedDemo.get();
    Path checkpoints = dir.resolve("checkpoints-clip");
    for (String[] c : List.of(weightFiles().get(0), weightFiles().get(1), weightFiles().get(weightFiles().size() - 3))) {
      Path cfg = dir.resolve("clip.yaml");
      Files.writeString(cfg, Files.readString(demo.config()).replace("clip_model: random", "clip_model: " + c[0]));
      Run r = run((o, e) -> TrainMain.run(new String[] {"-c", cfg.toString()}, checkpoints, o, e), "clip_model: " + c[0]);
      assertOneLineError(r, c[0], null);
      assertFalse(Files.exists(checkpoints.resolve("e2e")), "no round folder created");
    }
  }

  @Test
  void predictAndResumeRefuseCraftedCheckpointsAndResumeStates() throws Exception {
    TrainedDemo.Run demo = TrainedDemo.get();
    List<String[]> zips = weightFiles().stream().filter(c -> c[0].endsWith(".pt") && !c[0].contains("setstate")
        && !c[0].contains("-script")).toList();
    Path images = demo.data().resolve("images/val/00000.png");
    for (String[] c : zips) {
      Run p = run((o, e) -> PredictMain.run(new String[] {"-c", demo.config().toString(), "--checkpoint", c[0], images.toString()},
          demo.checkpoints(), o, e), "--checkpoint " + c[0]);
      assertOneLineError(p, c[0], null);

      Path root = dir.resolve("resume-" + Path.of(c[0]).getFileName());
      Path round = Files.createDirectories(root.resolve("e2e/round1"));
      Files.copy(Path.of(c[0]), round.resolve("resume.pt"));
      Run r = run((o, e) -> TrainMain.run(new String[] {"-c", demo.config().toString(), "--resume"}, root,
          o, e), "resume.pt " + c[0]);
      assertOneLineError(r, round.resolve("resume.pt").toString(), c[1]);
      try (Stream<Path> s = Files.list(round)) {
        assertEquals(List.of("resume.pt"), s.map(f -> f.getFileName().toString()).toList(), "nothing written into the round");
      }
    }
    // a TorchScript archive named as resume.pt (LibTorch's own format, which the old resume.pt was) is refused unread
    Path root = dir.resolve("resume-script");
    Path round = Files.createDirectories(root.resolve("e2e/round1"));
    Files.copy(torchScriptWithCode(dir.resolve("pwned2")), round.resolve("resume.pt"));
    Run r = run((o, e) -> TrainMain.run(new String[] {"-c", demo.config().toString(), "--resume"}, root,
        o, e), "resume.pt (TorchScript)");
    assertOneLineError(r, round.resolve("resume.pt").toString(), "TorchScript archive");
    assertFalse(Files.exists(dir.resolve("pwned2")));
    printTable();
  }

  @Test
  void craftedNpyArraysAreOneLineErrors() throws Exception {
    byte[] header = "{'descr': '<i8', 'fortran_order': False, 'shape': (1099511627776, 1099511627776), }".getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.allocate(10 + header.length + 1 + 8).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) (header.length + 1)).put(header).put((byte) '\n');
    Path npy = Crafted.write(dir.resolve("overflow.npy"), b.array());
    Run r = run((o, e) -> EmbedMain.run(new String[] {"--clip", Shared.fixture("clip_vit.state.pt").toString(),
        "--vision-heads", "2", "--text-heads", "2", "--tokens-npy", npy.toString(), "--out", dir.resolve("n").toString()},
        o, e), "--tokens-npy " + npy);
    assertOneLineError(r, npy.toString(), "overflows 64-bit sizes", false);
  }

  @Test
  void craftedYamlConfigsAreOneLineErrors() throws Exception {
    StringBuilder laughs = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 12; i++) laughs.append("a").append(i).append(": &a").append(i).append(" [").append(("*a" + (i - 1) + ", ").repeat(9)).append("*a").append(i - 1).append("]\n");
    byte[] latin1 = "checkpoint: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
    for (Object[] c : List.of(new Object[] {"deep.yaml", ("checkpoint: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n").getBytes(StandardCharsets.UTF_8)},
        new Object[] {"laughs.yaml", laughs.toString().getBytes(StandardCharsets.UTF_8)}, new Object[] {"latin1.yaml", latin1})) {
      Path cfg = Crafted.write(dir.resolve((String) c[0]), (byte[]) c[1]);
      Run r = run((o, e) -> TrainMain.run(new String[] {"-c", cfg.toString()}, dir.resolve("yaml-checkpoints"), o, e), "-c " + c[0]);
      String all = r.out() + r.err();
      assertEquals(2, r.exit(), all);
      assertEquals(1, r.err().strip().lines().count(), all);
      assertTrue(r.err().startsWith("error: " + cfg), all);
      assertFalse(all.contains("Exception") || all.contains("\tat "), all);
      assertFalse(Files.exists(dir.resolve("yaml-checkpoints")), "nothing created");
    }
    printTable();
  }

  // ------------------------------------------------------------------------------ helpers

  private Run run(BiFunction<PrintStream, PrintStream, Integer> main, String label) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    PrintStream o = printer(out), e = printer(err);
    long before = rssKb();
    resetPeak();
    int exit = main.apply(o, e);
    long growth = Math.max(0, peakKb() - before);
    Run r = new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), growth);
    table.add(String.format("| %-60s | %d | %6.1f MiB | %s |", label.replace(dir.toString() + "/", ""), exit, growth / 1024.0,
        r.err().strip().replace(dir.toString() + "/", "")));
    return r;
  }

  private static PrintStream printer(ByteArrayOutputStream b) {
    return new PrintStream(b, true, StandardCharsets.UTF_8);
  }

  private void assertOneLineError(Run r, String file, String says) {
    assertOneLineError(r, file, says, true);
  }

  /** {@code weights}: the input is a weights file, whose refusal must cost no memory (the npy check comes after CLIP's load). */
  private void assertOneLineError(Run r, String file, String says, boolean weights) {
    String all = r.out() + r.err();
    assertEquals(1, r.exit(), all);
    assertFalse(all.contains("Exception") || all.contains("\tat ") || all.contains("Error:"), "no stack trace: " + all);
    List<String> errLines = r.err().strip().lines().toList();
    assertEquals(1, errLines.size(), "one line: " + r.err());
    assertTrue(errLines.get(0).startsWith("error: "), r.err());
    assertTrue(errLines.get(0).contains(file), "names " + file + ": " + r.err());
    if (says != null) assertTrue(errLines.get(0).contains(says), "says '" + says + "': " + r.err());
    // the bombs declare gigabytes; refused before allocating, a run costs what the JVM's own work does
    if (weights) assertTrue(r.peakGrowthKb() < 256 * 1024, "peak resident memory grew by " + r.peakGrowthKb() / 1024 + " MiB on " + file);
  }

  private void printTable() {
    System.out.println("| input | exit | peak RSS growth | message |");
    table.forEach(System.out::println);
    table.clear();
  }

  private static long rssKb() {
    return status("VmRSS:");
  }

  private static long peakKb() {
    return status("VmHWM:");
  }

  private static long status(String key) {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status")))
        if (l.startsWith(key)) return Long.parseLong(l.replaceAll("[^0-9]", ""));
    } catch (IOException | RuntimeException e) {
      // not Linux: no figure
    }
    return 0;
  }

  /** Linux: writing 5 to clear_refs resets the peak resident set (VmHWM) to the current one. */
  private static void resetPeak() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    } catch (IOException | RuntimeException e) {
      // not available: the figure is the process's peak so far
    }
  }

  @SuppressWarnings("unused")
  private static Set<String> names(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return new TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
    }
  }
}
