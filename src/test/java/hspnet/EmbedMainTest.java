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

import hspnet.clip.ClipArch;
import hspnet.io.Npy;
import hspnet.io.NpyArray;
import hspnet.testutil.ClipVariants;
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

  /**
   * --vision-heads / --text-heads for the head counts the weights cannot tell: those where
   * build_model's width / 64 rule (cases.json build_model_inferred) differs from the real count.
   */
  static List<String> headArgs(String variant) throws Exception {
    JsonNode c = Fixtures.variant("clip", variant);
    ClipArch arch = Fixtures.clipArch(variant);
    List<String> out = new ArrayList<>();
    if (c.at("/build_model_inferred/vision_heads").asInt() != arch.vision().heads())
      out.addAll(List.of("--vision-heads", String.valueOf(arch.vision().heads())));
    if (c.at("/build_model_inferred/transformer_heads").asInt() != arch.transformerHeads())
      out.addAll(List.of("--text-heads", String.valueOf(arch.transformerHeads())));
    return out;
  }

  @ClipVariants
  void textsAndImageBatchGiveTheOriginalsFeatures(String variant) throws Exception {
    String p = "clip_" + variant + ".";
    List<String> args = new ArrayList<>(List.of("--clip", Shared.fixture(p + "jit.pt").toString(),
        "--vocab", Shared.fixture("bpe_simple_vocab_16e6.txt.gz").toString(),
        "--images-npy", Shared.fixture(p + "images.npy").toString(),
        "--out", dir.resolve(variant + "/features").toString()));
    args.addAll(headArgs(variant));
    JsonNode texts = Fixtures.variant("clip", variant).get("texts");
    texts.forEach(t -> {
      args.add("--text");
      args.add(t.asText());
    });
    Run r = run(args.toArray(String[]::new));
    assertEquals(0, r.exit(), r.err());
    int embed = Fixtures.clipArch(variant).embedDim();
    assertTrue(r.out().contains("wrote " + dir.resolve(variant + "/features.text.npy") + " (" + texts.size() + " x " + embed + " float32)"),
        r.out());
    check(variant + " --text", dir.resolve(variant + "/features.text.npy"), Shared.fixture(p + "encode_text.npy"));
    check(variant + " --images-npy", dir.resolve(variant + "/features.image.npy"), Shared.fixture(p + "encode_image.npy"));
  }

  @Test
  void tokenIdsInsteadOfTexts() throws Exception {
    List<String> args = new ArrayList<>(List.of("--clip", Shared.fixture("clip_vit.state.pt").toString(),
        "--tokens-npy", Shared.fixture("clip_vit.text_tokens.npy").toString(), "--out", dir.resolve("t").toString()));
    // the --name=value form of the head options
    List<String> heads = headArgs("vit");
    for (int i = 0; i < heads.size(); i += 2) args.add(heads.get(i) + "=" + heads.get(i + 1));
    Run r = run(args.toArray(String[]::new));
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
    // head counts the weights cannot tell (the tiny ViT's, where build_model's rule is wrong) are an
    // argument problem too; the text heads are asked first
    List<String> heads = headArgs("vit");
    if (!heads.isEmpty()) {
      String asked = heads.contains("--text-heads") ? "--text-heads" : "--vision-heads";
      usage(run("--clip", Shared.fixture("clip_vit.state.pt").toString(), "--out", dir.resolve("h").toString(),
          "--images-npy", Shared.fixture("clip_vit.images.npy").toString()), asked);
    }
    assertNoOutput();
  }

  @Test
  void badFilesExitOne() throws Exception {
    String vit = Shared.fixture("clip_vit.state.pt").toString();
    ClipArch arch = Fixtures.clipArch("vit");
    int res = arch.imageResolution(), half = res / 2;
    List<String> heads = headArgs("vit");
    String out = dir.resolve("bad").toString();
    Path missing = dir.resolve("RN50.pt");
    bad(run("--clip", missing.toString(), "--out", out, "--image", "a.jpg"), missing + ": no such file");
    bad(run(withHeads(heads, "--clip", vit, "--out", out, "--images-npy", Shared.fixture("clip_vit.text_tokens.npy").toString())),
        "clip_vit.text_tokens.npy: images must be float32");
    Path small = dir.resolve("small.npy");
    Npy.write(small, NpyArray.ofFloats(new float[3 * half * half], 1, 3, half, half));
    bad(run(withHeads(heads, "--clip", vit, "--out", out, "--images-npy", small.toString())),
        "must have shape (N, 3, " + res + ", " + res + ") for these weights, got [1, 3, " + half + ", " + half + "]");
    Path image = dir.resolve("photo.jpg");
    Files.writeString(image, "not a jpeg");
    bad(run(withHeads(heads, "--clip", vit, "--out", out, "--image", image.toString())), "photo.jpg: cannot decode image");
    bad(run(withHeads(heads, "--clip", vit, "--out", out, "--vocab", "bytes", "--text", "a cat")),
        "bytes: a vocabulary of 514 tokens, but the CLIP weights have " + arch.vocabSize());
    Path tooLong = dir.resolve("ids.npy");
    Npy.write(tooLong, NpyArray.ofLongs(new long[] {49406, 50000, 49407}, 1, 3));
    bad(run(withHeads(heads, "--clip", vit, "--out", out, "--tokens-npy", tooLong.toString())),
        "token ids must have shape (N, " + arch.contextLength() + "), got [1, 3]");
    assertNoOutput();
  }

  private static String[] withHeads(List<String> heads, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(heads);
    return all.toArray(String[]::new);
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
