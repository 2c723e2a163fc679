package hspnet.clip;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * OpenAI's build_model, the reading part: the architecture of a CLIP from the names and shapes of
 * its state dict. A ViT iff {@code visual.proj} exists; layer counts from the key names; widths,
 * embedding size, context, vocabulary from shapes; the image resolution from the positional
 * embedding (ResNet: 32 × the attention pool's grid; ViT: patch × grid). Head counts come from
 * {@link ClipHeads}, or else from OpenAI's rule.
 */
public final class ClipArchInference {
  /** Buffers of OpenAI's TorchScript archives that build_model deletes before loading. */
  public static final List<String> TORCHSCRIPT_EXTRAS = List.of("input_resolution", "context_length", "vocab_size");

  private ClipArchInference() {}

  /**
   * @param shapes state-dict key → shape (without the TorchScript extras)
   * @param source the file the state comes from, for messages
   * @throws IllegalArgumentException naming the source and the key that is missing or misshapen
   * @throws HeadCountException when a head count does not fit its tower's width
   */
  public static ClipArch infer(Map<String, long[]> shapes, ClipHeads heads, String source) {
    Reader r = new Reader(shapes, source);
    int embedDim = r.dim("text_projection", 2, 1);
    int contextLength = r.dim("positional_embedding", 2, 0);
    int vocabSize = r.dim("token_embedding.weight", 2, 0);
    int textWidth = r.dim("ln_final.weight", 1, 0);
    int textLayers = r.blockCount("transformer.resblocks.");
    if (textLayers == 0) throw r.missing("transformer.resblocks.0.*");
    int textHeads = heads(false, textWidth, heads.text(), ruleTextHeads(textWidth), source);
    try {
      if (shapes.containsKey("visual.proj")) {
        int width = r.dim("visual.conv1.weight", 4, 0);
        int patch = r.dim("visual.conv1.weight", 4, 3);
        int layers = (int) shapes.keySet().stream()
            .filter(k -> k.startsWith("visual.") && k.endsWith(".attn.in_proj_weight")).count();
        int grid = r.grid("visual.positional_embedding");
        int visionHeads = heads(true, width, heads.vision(), ruleVisionHeads(false, width), source);
        return ClipArch.vit(embedDim, patch * grid, layers, width, patch, visionHeads, contextLength, vocabSize,
            textWidth, textHeads, textLayers);
      }
      List<Integer> layers = new ArrayList<>();
      for (int b = 1; b <= 4; b++) layers.add(r.blockCount("visual.layer" + b + "."));
      int width = r.dim("visual.layer1.0.conv1.weight", 4, 0);
      int grid = r.grid("visual.attnpool.positional_embedding");
      int visionHeads = heads(true, width * 32, heads.vision(), ruleVisionHeads(true, width), source);
      return ClipArch.resNet(embedDim, grid * 32, layers, width, visionHeads, contextLength, vocabSize, textWidth,
          textHeads, textLayers);
    } catch (HeadCountException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      if (e.getMessage().startsWith(source)) throw e;
      throw new IllegalArgumentException(source + ": the weights describe no valid CLIP: " + e.getMessage(), e);
    }
  }

  /** build_model's image-tower heads: 32·w/64 for the ResNet attention pool, w/64 for a ViT (0 when narrower). */
  public static int ruleVisionHeads(boolean resNet, int visionWidth) {
    return resNet ? visionWidth * 32 / 64 : visionWidth / 64;
  }

  /** build_model's text heads: width / 64 (0 when narrower than 64). */
  public static int ruleTextHeads(int transformerWidth) {
    return transformerWidth / 64;
  }

  private static int heads(boolean vision, int width, Integer given, int rule, String source) {
    String tower = vision ? "image tower" : "text transformer";
    String option = vision ? "clip_vision_heads / --vision-heads" : "clip_text_heads / --text-heads";
    if (given == null) {
      if (rule < 1 || width % rule != 0)
        throw new HeadCountException(vision, source + ": the " + tower + " is " + width + " wide and CLIP's rule"
            + " (64-wide heads) gives " + rule + " heads; head counts cannot be read from weights, so give it"
            + " explicitly (" + option + ")");
      return rule;
    }
    if (width % given != 0)
      throw new HeadCountException(vision, source + ": the " + tower + " is " + width + " wide, which " + given
          + " heads do not divide (" + option + ")");
    return given;
  }

  /** Shape look-ups that fail with the key's name. */
  private record Reader(Map<String, long[]> shapes, String source) {
    IllegalArgumentException missing(String key) {
      return new IllegalArgumentException(source + ": not a CLIP state dict: key '" + key + "' is missing");
    }

    int dim(String key, int rank, int index) {
      long[] s = shapes.get(key);
      if (s == null) throw missing(key);
      if (s.length != rank)
        throw new IllegalArgumentException(source + ": '" + key + "' has shape " + Arrays.toString(s) + "; CLIP's has "
            + rank + " dimension(s)");
      if (s[index] < 1 || s[index] > Integer.MAX_VALUE)
        throw new IllegalArgumentException(source + ": '" + key + "' has shape " + Arrays.toString(s));
      return (int) s[index];
    }

    /** Distinct block indices after a prefix ("transformer.resblocks." → 0, 1, …). */
    int blockCount(String prefix) {
      Set<String> ids = new TreeSet<>();
      for (String k : shapes.keySet())
        if (k.startsWith(prefix)) ids.add(k.substring(prefix.length()).split("\\.", 2)[0]);
      return ids.size();
    }

    /** g for a positional embedding of g² + 1 rows (a class token and a g × g grid). */
    int grid(String key) {
      int rows = dim(key, 2, 0);
      int grid = (int) Math.round(Math.sqrt(rows - 1));
      if (grid < 1 || grid * grid + 1 != rows)
        throw new IllegalArgumentException(source + ": '" + key + "' has " + rows + " rows, not g*g + 1 for a square"
            + " grid of g*g cells plus the class token");
      return grid;
    }
  }
}
