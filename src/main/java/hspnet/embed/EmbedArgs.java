package hspnet.embed;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import hspnet.config.ConfigException;
import hspnet.config.OptionWord;

/**
 * EmbedMain's command line. Texts come as {@code --text} strings (tokenized with {@code --vocab})
 * or as a token-id {@code .npy}; images as files ({@code --image}, CLIP's preprocessing) or as an
 * already normalised {@code .npy} batch. Problems are ConfigExceptions (exit status 2).
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

  private static final java.util.Set<String> FLAGS = java.util.Set.of("-h", "--help", "--truncate");
  private static final java.util.Set<String> VALUED = java.util.Set.of("--clip", "--vocab", "--text", "--tokens-npy",
      "--image", "--images-npy", "--vision-heads", "--text-heads", "--out");

  public static EmbedArgs parse(String... args) {
    Path clip = null, tokensNpy = null, imagesNpy = null;
    String vocab = null, out = null;
    List<String> texts = new ArrayList<>();
    List<Path> images = new ArrayList<>();
    Integer visionHeads = null, textHeads = null;
    boolean truncate = false, help = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      OptionWord word = OptionWord.of(a);
      String value = word.value();
      a = word.name();
      if (!FLAGS.contains(a) && !VALUED.contains(a)) throw new ConfigException("unknown option '" + args[i] + "' (see --help)");
      if (VALUED.contains(a) && value == null) {
        // a text may start with '-'; every other value may not, so a forgotten value is caught
        if (++i >= args.length || (!a.equals("--text") && args[i].startsWith("-")))
          throw new ConfigException("option " + a + " needs a value (see --help)");
        value = args[i];
      }
      switch (a) {
        case "-h", "--help" -> help = true;
        case "--truncate" -> truncate = true;
        case "--clip" -> clip = once(clip, Path.of(value), a);
        case "--vocab" -> vocab = once(vocab, value, a);
        case "--text" -> texts.add(value);
        case "--tokens-npy" -> tokensNpy = once(tokensNpy, Path.of(value), a);
        case "--image" -> images.add(Path.of(value));
        case "--images-npy" -> imagesNpy = once(imagesNpy, Path.of(value), a);
        case "--vision-heads" -> visionHeads = once(visionHeads, count(value, a), a);
        case "--text-heads" -> textHeads = once(textHeads, count(value, a), a);
        case "--out" -> out = once(out, value, a);
        default -> throw new IllegalStateException("option " + a + " is listed but not handled");
      }
    }
    if (!help) {
      if (clip == null) throw new ConfigException("missing --clip WEIGHTS (see --help)");
      if (out == null) throw new ConfigException("missing --out PREFIX (see --help)");
      if (texts.isEmpty() && tokensNpy == null && images.isEmpty() && imagesNpy == null)
        throw new ConfigException("nothing to embed: give --text, --tokens-npy, --image or --images-npy (see --help)");
      if (!texts.isEmpty() && tokensNpy != null) throw new ConfigException("give texts either as --text or as --tokens-npy, not both");
      if (!images.isEmpty() && imagesNpy != null) throw new ConfigException("give images either as --image or as --images-npy, not both");
      if (!texts.isEmpty() && vocab == null)
        throw new ConfigException("--text needs --vocab (bpe_simple_vocab_16e6.txt.gz, the vocabulary CLIP was trained with)");
    }
    return new EmbedArgs(clip, vocab, List.copyOf(texts), tokensNpy, List.copyOf(images), imagesNpy, visionHeads, textHeads,
        truncate, out, help);
  }

  private static <T> T once(T previous, T value, String option) {
    if (previous != null) throw new ConfigException("option " + option + " given twice");
    return value;
  }

  private static int count(String value, String option) {
    try {
      int n = Integer.parseInt(value);
      if (n >= 1) return n;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException("option " + option + " needs a head count of 1 or more, got '" + value + "'");
  }
}
