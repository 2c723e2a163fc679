package hspnet.embed;

import java.nio.file.Path;
import java.util.List;

import hspnet.cli.OptionParser;

/**
 * EmbedMain's command line. Texts come as {@code --text} strings (tokenized with {@code --vocab})
 * or as a token-id {@code .npy}; images as files ({@code --image}, CLIP's preprocessing) or as an
 * already normalised {@code .npy} batch. Problems are UsageExceptions (exit status 2).
 */
public record EmbedArgs(Path clip, String vocab, List<String> texts, Path tokensNpy, List<Path> images, Path imagesNpy,
    Integer visionHeads, Integer textHeads, boolean truncate, String out, boolean help) {
  public static final String USAGE = String.join("\n",
      "usage: hspnet-embed --clip WEIGHTS [--vocab VOCAB|bytes] [--text TEXT]... [--tokens-npy FILE]",
      "                    [--image FILE]... [--images-npy FILE] [--truncate]",
      "                    [--vision-heads N] [--text-heads N] --out PREFIX",
      "",
      "CLIP features as CLIP's encode_text / encode_image compute them (before normalisation), written as",
      "float32 .npy files: PREFIX.text.npy (one row per text, in order) and PREFIX.image.npy (one row per image).",
      "",
      "options:",
      "  --clip WEIGHTS       CLIP weights: OpenAI's TorchScript .pt (RN50.pt, ViT-B-32.pt, ...), a torch.save",
      "                       state dict, or .safetensors; the architecture is read from the weights",
      "  --vocab VOCAB        BPE vocabulary for --text: bpe_simple_vocab_16e6.txt.gz, a folder holding the",
      "                       Hugging Face vocab.json + merges.txt, or 'bytes' (byte-level, no merges)",
      "  --text TEXT          a text to embed (repeatable)",
      "  --tokens-npy FILE    token ids instead of texts: int64 (N, context_length), as clip.tokenize gives",
      "  --truncate           cut texts longer than the context (as clip.tokenize(truncate=True)) instead of failing",
      "  --image FILE         an image to embed (repeatable): resized, center-cropped and normalised as CLIP does",
      "  --images-npy FILE    images instead of files: float32 (N, 3, R, R), already normalised",
      "  --vision-heads N     image-tower heads, for weights whose heads are not 64 wide (no OpenAI release)",
      "  --text-heads N       text-transformer heads, likewise",
      "  --out PREFIX         output prefix: writes PREFIX.text.npy and/or PREFIX.image.npy",
      "  -h, --help           show this help and exit",
      "",
      "example: hspnet-embed --clip weights/RN50.pt --vocab weights/bpe_simple_vocab_16e6.txt.gz \\",
      "             --text \"a photo of a dog\" --image dog.jpg --out features/dog",
      "");

  private static final OptionParser PARSER = new OptionParser("hspnet-embed")
      .flag("--truncate")
      .value("--clip")
      .value("--vocab")
      .anyValue("--text")       // a text may start with '-'; every other value may not, so a forgotten value is caught
      .value("--tokens-npy")
      .repeated("--image")
      .value("--images-npy")
      .value("--vision-heads")
      .value("--text-heads")
      .value("--out");

  public static EmbedArgs parse(String... args) {
    OptionParser.Parsed p = PARSER.parse(args);
    p.require("--clip", "WEIGHTS");
    p.require("--out", "PREFIX");
    List<String> texts = p.values("--text");
    List<Path> images = p.values("--image").stream().map(Path::of).toList();
    Path tokensNpy = p.path("--tokens-npy"), imagesNpy = p.path("--images-npy");
    String vocab = p.value("--vocab");
    Integer visionHeads = p.integer("--vision-heads", 1, "a head count"), textHeads = p.integer("--text-heads", 1, "a head count");
    if (!p.help()) {
      if (texts.isEmpty() && tokensNpy == null && images.isEmpty() && imagesNpy == null)
        throw p.error("nothing to embed: give --text, --tokens-npy, --image or --images-npy");
      if (!texts.isEmpty() && tokensNpy != null) throw p.error("give texts either as --text or as --tokens-npy, not both");
      if (!images.isEmpty() && imagesNpy != null) throw p.error("give images either as --image or as --images-npy, not both");
      if (!texts.isEmpty() && vocab == null)
        throw p.error("--text needs --vocab (bpe_simple_vocab_16e6.txt.gz, the vocabulary CLIP was trained with)");
    }
    return new EmbedArgs(p.path("--clip"), vocab, texts, tokensNpy, images, imagesNpy, visionHeads, textHeads,
        p.has("--truncate"), p.value("--out"), p.help());
  }
}
