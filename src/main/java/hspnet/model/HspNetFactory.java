package hspnet.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

import hspnet.clip.ClipArch;
import hspnet.clip.ClipInit;
import hspnet.clip.ClipModel;
import hspnet.clip.ClipTokenizer;
import hspnet.config.Config;
import hspnet.config.ConfigException;
import hspnet.data.LabelSet;
import hspnet.io.Npy;
import hspnet.io.NpyArray;
import hspnet.nn.Ops;
import hspnet.nn.Tensors;

import static org.bytedeco.pytorch.global.torch.manual_seed;

/**
 * Builds HSPNet models from a configuration and a label set: the tokenizer, the CLIP model, the
 * tokenized prompts of both levels and the relation matrix, then as many HSPNet instances as the
 * run needs (the model, its EMA copy) — all of the same architecture.
 */
public final class HspNetFactory {
  private final Config cfg;
  private final LabelSet labels;
  private final ClipTokenizer tokenizer;
  private final ClipArch arch;
  private final Prompts prompts;
  private float[] relation;
  private int built;

  public HspNetFactory(Config cfg, LabelSet labels) {
    this.cfg = cfg;
    this.labels = labels;
    if (labels.labels().size() != cfg.numClasses())
      throw cfg.error("num_classes", "is " + cfg.numClasses() + " but the label set has " + labels.labels().size() + " labels");
    this.tokenizer = tokenizer(cfg);
    this.arch = arch(cfg, tokenizer);
    this.prompts = prompts(cfg, labels, tokenizer, arch.contextLength());
  }

  /**
   * The checks that need no data: the tokenizer's vocabulary and the CLIP architecture (or weights
   * file). Run before anything is written, so a bad value never leaves generated data behind.
   */
  public static void check(Config cfg) {
    ClipTokenizer tok = tokenizer(cfg);
    if (cfg.randomClip()) arch(cfg, tok);
    else throw cfg.error("clip_model", "loading released CLIP weights is not implemented yet; use clip_model: random");
  }

  /**
   * Refuses hgcn_backend 'fused' when its kernel library does not load for the run's device, before
   * anything is written.
   */
  public static void checkBackend(Config cfg, boolean cuda) {
    String problem = HgcnBackend.parse(cfg.hgcnBackend()).problem(cuda);
    if (problem != null)
      throw cfg.error("hgcn_backend", "'fused' needs the " + (cuda ? "CUDA" : "CPU") + " kernel library, which is not available: "
          + problem + (cuda ? " (it is built where nvcc is found; use 'auto' or 'libtorch')" : ""));
  }

  public ClipArch arch() { return arch; }

  public Prompts prompts() { return prompts; }

  public ClipTokenizer tokenizer() { return tokenizer; }

  /**
   * A new HSPNet. The first call seeds LibTorch's generator with the config's seed, so the initial
   * weights are a function of the seed alone; later calls (the EMA copy) get other random values
   * that are overwritten by a state copy anyway.
   */
  public HspNet build() {
    if (built++ == 0) manual_seed(cfg.seed());
    ClipModel clip = clipModel();
    if (relation == null) relation = relation(clip);
    HspNet model = new HspNet(clip, prompts, relation, cfg.reweightP());
    model.gcn.useBackend(HgcnBackend.parse(cfg.hgcnBackend()));
    return model;
  }

  private ClipModel clipModel() {
    if (!cfg.randomClip())
      throw cfg.error("clip_model", "loading released CLIP weights is not implemented yet; use clip_model: random");
    ClipModel clip = new ClipModel(arch);
    ClipInit.initialize(clip);
    return clip;
  }

  static ClipTokenizer tokenizer(Config cfg) {
    if (cfg.tokenizer().equals("bytes")) return ClipTokenizer.bytesOnly();
    Path vocab = Path.of(cfg.tokenizer());
    if (!java.nio.file.Files.isRegularFile(vocab))
      throw cfg.error("tokenizer", "vocabulary file '" + vocab + "' does not exist (or use 'bytes')");
    try {
      return ClipTokenizer.fromBpeFile(vocab);
    } catch (IllegalArgumentException e) {
      throw cfg.error("tokenizer", e.getMessage());
    }
  }

  static ClipArch arch(Config cfg, ClipTokenizer tokenizer) {
    int width = cfg.clipArchInt("vision_width");
    int heads = cfg.clipArch().containsKey("vision_heads") ? cfg.clipArchInt("vision_heads") : ClipArch.defaultVisionHeads(width);
    try {
      return new ClipArch(cfg.clipArchInt("embed_dim"), cfg.imageSize(), cfg.clipArchLayers(), width, heads,
          cfg.clipArchInt("context_length"), tokenizer.vocabSize(), cfg.clipArchInt("transformer_width"),
          cfg.clipArchInt("transformer_heads"), cfg.clipArchInt("transformer_layers"));
    } catch (IllegalArgumentException e) {
      throw cfg.error("clip_arch", e.getMessage());
    }
  }

  static Prompts prompts(Config cfg, LabelSet labels, ClipTokenizer tokenizer, int context) {
    List<String> parents = new ArrayList<>(), children = new ArrayList<>();
    for (String g : labels.groups()) parents.add(PromptTokens.parentPrompt(cfg.parentCtxInit(), g));
    for (String l : labels.labels()) children.add(PromptTokens.childPrompt(cfg.childNCtx(), l));
    try {
      return new Prompts(tokenizer.tokenize(parents, context, false), tokenizer.tokenize(children, context, false),
          labels.groupOf(), cfg.parentNCtx(), cfg.childNCtx());
    } catch (IllegalArgumentException e) {
      throw cfg.error("labels", "a prompt does not fit the text context: " + e.getMessage());
    }
  }

  /**
   * The (C+G)² relation matrix: the released file named by relation_file, or the cosine
   * similarities of CLIP text features of "a photo of a {name}." for the labels then the groups.
   */
  private float[] relation(ClipModel clip) {
    int n = labels.labels().size() + labels.groups().size();
    if (cfg.relationFile().isPresent()) {
      Path file = Path.of(cfg.relationFile().get());
      NpyArray a;
      try {
        a = Npy.read(file);
      } catch (IOException | IllegalArgumentException e) {
        throw cfg.error("relation_file", e.getMessage());
      }
      long[] shape = a.shape();
      if (shape.length != 2 || shape[0] != n || shape[1] != n)
        throw cfg.error("relation_file", file + " has shape " + java.util.Arrays.toString(shape) + ", expected [" + n + ", " + n
            + "] (" + labels.labels().size() + " labels + " + labels.groups().size() + " groups)");
      return a.floats();
    }
    return computedRelation(clip, labels, tokenizer, arch.contextLength());
  }

  /** Cosine similarities of CLIP text features of "a photo of a {name}.", labels then groups. */
  public static float[] computedRelation(ClipModel clip, LabelSet labels, ClipTokenizer tokenizer, int context) {
    List<String> texts = new ArrayList<>();
    for (String l : labels.labels()) texts.add(PromptTokens.parentPrompt("a photo of a", l));
    for (String g : labels.groups()) texts.add(PromptTokens.parentPrompt("a photo of a", g));
    long[][] tokens = tokenizer.tokenize(texts, context, true);
    try (NoGradGuard g = new NoGradGuard()) {
      Tensor f = Ops.l2Normalize(clip.encodeText(PromptTokens.asTensor(tokens), tokens));
      return Tensors.toFloats(f.matmul(f.t()));
    }
  }
}
