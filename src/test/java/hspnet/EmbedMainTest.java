package hspnet;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import hspnet.io.Npy;
import hspnet.io.NpyArray;
import hspnet.testutil.Fixtures;
import hspnet.testutil.NativeScope;
import hspnet.testutil.Parity;
import hspnet.testutil.Shared;

/**
 * The feature-extraction command end to end on the fixtures' CLIPs: texts (as strings through the
 * tokenizer, or as token ids) and image batches give the original's encode_text / encode_image;
 * usage problems exit 2, bad files exit 1, each with one line and no output file.
 */
@ExtendWith(NativeScope.class)
class EmbedMainTest {
  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    int exit = EmbedMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void textsAndImageBatchGiveTheOriginalsFeatures() throws Exception {
    for (String variant : List.of("rn", "vit")) {
      String p = "clip_" + variant + ".";
      List<String> args = new ArrayList<>(List.of("--clip", Shared.fixture(p + "jit.pt").toString(),
          "--vocab", Shared.fixture("bpe_simple_vocab_16e6.txt.gz").toString(),
          "--images-npy", Shared.fixture(p + "images.npy").toString(), "--text-heads", "2",
          "--out", dir.resolve(variant + "/features").toString()));
      if (variant.equals("vit")) args.addAll(List.of("--vision-heads", "2"));
      JsonNode texts = Fixtures.cases().at("/clip/" + variant + "/texts");
      texts.forEach(t -> {
        args.add("--text");
        args.add(t.asText());
      });
      Run r = run(args.toArray(String[]::new));
      assertEquals(0, r.exit(), r.err());
      assertTrue(r.out().contains("wrote " + dir.resolve(variant + "/features.text.npy") + " (4 x 64 float32)"), r.out());
      check(variant + " --text", dir.resolve(variant + "/features.text.npy"), Shared.fixture(p + "encode_text.npy"));
      check(variant + " --images-npy", dir.resolve(variant + "/features.image.npy"), Shared.fixture(p + "encode_image.npy"));
    }
  }

  @Test
  void tokenIdsInsteadOfTexts() throws Exception {
    Run r = run("--clip", Shared.fixture("clip_vit.state.pt").toString(), "--vision-heads=2", "--text-heads=2",
        "--tokens-npy", Shared.fixture("clip_vit.text_tokens.npy").toString(), "--out", dir.resolve("t").toString());
    assertEquals(0, r.exit(), r.err());
    check("vit --tokens-npy", dir.resolve("t.text.npy"), Shared.fixture("clip_vit.encode_text.npy"));
    assertFalse(Files.exists(dir.resolve("t.image.npy")), "no images asked for");
  }

  private static void check(String label, Path written, Path reference) throws Exception {
    NpyArray got = Npy.read(written);
    assertEquals(NpyArray.DType.FLOAT32, got.dtype());
    Parity.assertForward("EmbedMain " + label, got.toTensor(), reference);
  }

  @Test
  void usageProblemsExitTwo() throws Exception {
    assertEquals(0, run("--help").exit());
    assertTrue(run("-h").out().contains("--clip WEIGHTS"));
    usage(run(), "missing --clip WEIGHTS");
    usage(run("--clip", "w.pt", "--text", "a cat"), "missing --out PREFIX");
    usage(run("--clip", "w.pt", "--out", "x"), "nothing to embed");
    usage(run("--clip", "w.pt", "--out", "x", "--text", "a cat"), "--text needs --vocab");
    usage(run("--clip", "w.pt", "--out", "x", "--fast"), "unknown option '--fast'");
    usage(run("--clip", "--out", "x"), "option --clip needs a value");
    usage(run("--clip", "w.pt", "--out", "x", "--text-heads", "0", "--image", "a.jpg"), "head count of 1 or more, got '0'");
    usage(run("--clip", "w.pt", "--out", "x", "--image", "a.jpg", "--images-npy", "b.npy"), "either as --image or as --images-npy");
    // head counts the weights cannot tell are an argument problem too
    usage(run("--clip", Shared.fixture("clip_vit.state.pt").toString(), "--out", dir.resolve("h").toString(),
        "--images-npy", Shared.fixture("clip_vit.images.npy").toString()), "--text-heads");
    assertNoOutput();
  }

  @Test
  void badFilesExitOne() throws Exception {
    String vit = Shared.fixture("clip_vit.state.pt").toString();
    String out = dir.resolve("bad").toString();
    Path missing = dir.resolve("RN50.pt");
    bad(run("--clip", missing.toString(), "--out", out, "--image", "a.jpg"), missing + ": no such file");
    bad(run("--clip", vit, "--vision-heads", "2", "--text-heads", "2", "--out", out,
        "--images-npy", Shared.fixture("clip_rn.text_tokens.npy").toString()), "clip_rn.text_tokens.npy: images must be float32");
    Path small = dir.resolve("small.npy");
    Npy.write(small, NpyArray.ofFloats(new float[3 * 32 * 32], 1, 3, 32, 32));
    bad(run("--clip", vit, "--vision-heads", "2", "--text-heads", "2", "--out", out, "--images-npy", small.toString()),
        "must have shape (N, 3, 64, 64) for these weights, got [1, 3, 32, 32]");
    Path image = dir.resolve("photo.jpg");
    Files.writeString(image, "not a jpeg");
    bad(run("--clip", vit, "--vision-heads", "2", "--text-heads", "2", "--out", out, "--image", image.toString()),
        "photo.jpg: cannot decode image");
    bad(run("--clip", vit, "--vision-heads", "2", "--text-heads", "2", "--out", out, "--vocab", "bytes", "--text", "a cat"),
        "bytes: a vocabulary of 514 tokens, but the CLIP weights have 49408");
    Path tooLong = dir.resolve("ids.npy");
    Npy.write(tooLong, NpyArray.ofLongs(new long[] {49406, 50000, 49407}, 1, 3));
    bad(run("--clip", vit, "--vision-heads", "2", "--text-heads", "2", "--out", out, "--tokens-npy", tooLong.toString()),
        "token ids must have shape (N, 77), got [1, 3]");
    assertNoOutput();
  }

  private void assertNoOutput() throws Exception {
    try (var files = Files.walk(dir)) {
      assertEquals(List.of(), files.filter(f -> f.toString().endsWith(".text.npy") || f.toString().endsWith(".image.npy")).toList());
    }
  }

  private static void usage(Run r, String expected) {
    assertEquals(2, r.exit(), r.err());
    oneLine(r, expected);
  }

  private static void bad(Run r, String expected) {
    assertEquals(1, r.exit(), r.err());
    oneLine(r, expected);
  }

  private static void oneLine(Run r, String expected) {
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("error: ") && r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
  }
}
