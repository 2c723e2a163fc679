package hspnet.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

import hspnet.clip.ClipArch;
import hspnet.clip.ClipHeads;
import hspnet.clip.ClipLoader;
import hspnet.clip.ClipWeights;
import hspnet.clip.HeadCountException;
import hspnet.clip.ClipInit;
import hspnet.clip.ClipModel;
import hspnet.clip.tokenizer.ClipTokenizer;
import hspnet.config.RunConfig;
import hspnet.config.ModelKind;
import hspnet.config.RandomClipArch;
import hspnet.data.LabelSet;
import hspnet.nn.Ops;
import hspnet.nn.Tensors;

import static org.bytedeco.pytorch.global.torch.manual_seed;
import java.nio.file.Files;
import java.io.UncheckedIOException;

/**
 * Builds HSPNet models from a configuration and a label set: the tokenizer, the CLIP model (weights
 * read once from clip_model, or a random CLIP of clip_arch), the tokenized prompts of both levels
 * and the relation matrix, then as many HSPNet instances as the run needs (the model, its EMA
 * copy) — all of the same architecture.
 */
public final class HspNetFactory {
  private final RunConfig cfg;
  private final LabelSet labels;
  private final ClipTokenizer tokenizer;
  private final ClipArch arch;
  /** The loaded CLIP weights, or null for a randomly initialised CLIP. */
  private final ClipWeights weights;
  private final Prompts prompts;
  private float[] relation;
  private RelationCache relationCache;
  private String relationSource;
  private int built;

  public HspNetFactory(RunConfig cfg, LabelSet labels) {
    this.cfg = cfg;
    this.labels = labels;
    if (labels.labels().size() != cfg.numClasses())
      throw cfg.error("num_classes", "is " + cfg.numClasses() + " but the label set has " + labels.labels().size() + " labels");
    this.tokenizer = tokenizer(cfg);
    if (cfg.randomClip()) {
      this.weights = null;
      this.arch = arch(cfg, tokenizer);
    } else {
      this.weights = weights(cfg);
      this.arch = weights.arch();
      checkFits(cfg, arch, tokenizer);
    }
    this.prompts = prompts(cfg, labels, tokenizer, arch.contextLength());
  }

  /**
   * The checks that need no data: the tokenizer's vocabulary and the CLIP architecture (or weights
   * file, read completely and then freed). Run before anything is written, so a bad value never
   * leaves generated data behind.
   */
  public static void check(RunConfig cfg) {
    ClipTokenizer tok = tokenizer(cfg);
    if (cfg.randomClip()) {
      arch(cfg, tok);
      return;
    }
    try (PointerScope scope = new PointerScope()) {
      checkFits(cfg, weights(cfg).arch(), tok);
    }
  }

  /**
   * Refuses hgcn_backend 'fused' when its kernel library does not load for the run's device, before
   * anything is written.
   */
  public static void checkBackend(RunConfig cfg, boolean cuda) {
    String problem = HgcnKernelChoice.problem(cfg.hgcnBackend(), cuda);
    if (problem != null)
      throw cfg.error("hgcn_backend", "'fused' needs the " + (cuda ? "CUDA" : "CPU") + " kernel library, which is not available: "
          + problem + (cuda ? " (it is built where nvcc is found; use 'auto' or 'libtorch')" : ""));
  }

  /**
   * Keeps a relation matrix computed from CLIP text features in {@code file} (with its
   * fingerprint beside it) and reuses it while labels, groups, tokenizer and CLIP text weights
   * are unchanged. Has no effect when the config names a relation_file.
   */
  public HspNetFactory cacheRelationIn(Path file) {
    this.relationCache = new RelationCache(file);
    return this;
  }

  /** Same, reading a matching cache but never writing one. */
  public HspNetFactory readRelationFrom(Path file) {
    this.relationCache = new RelationCache(file, false);
    return this;
  }

  /** Where the relation matrix came from (known after the first build), for the run's log. */
  public String relationSource() { return relationSource; }

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
    model.gcn.useBackend(cfg.hgcnBackend());
    return model;
  }

  /**
   * A new model of the config's model_name: HSPNet ({@link #build()}), or the clip_linear baseline
   * (the same CLIP image tower with a linear head; no prompts, relation matrix or GCN). Seeded as
   * {@link #build()} is.
   */
  public Classifier buildModel() {
    if (cfg.modelKind() == ModelKind.HSPNET) return build();
    if (built++ == 0) manual_seed(cfg.seed());
    relationSource = "not used (model_name clip_linear)";
    return new ClipLinear(clipModel(), cfg.numClasses());
  }

  private ClipModel clipModel() {
    if (weights != null) return weights.newModel();
    ClipModel clip = new ClipModel(arch);
    ClipInit.initialize(clip);
    return clip;
  }

  static ClipTokenizer tokenizer(RunConfig cfg) {
    if (cfg.tokenizer().equals("bytes")) return ClipTokenizer.bytesOnly();
    Path vocab = Path.of(cfg.tokenizer());
    if (!Files.exists(vocab))
      throw cfg.error("tokenizer", "vocabulary file '" + vocab + "' does not exist (or use 'bytes')");
    try {
      return ClipTokenizer.fromPath(vocab);
    } catch (IllegalArgumentException e) {
      throw cfg.error("tokenizer", e.getMessage());
    }
  }

  /**
   * The weights named by clip_model. Head counts come from clip_vision_heads / clip_text_heads when
   * set; a file that is not loadable CLIP weights is bad input (IllegalArgumentException naming it).
   */
  static ClipWeights weights(RunConfig cfg) {
    Path file = Path.of(cfg.clipModel());
    if (!Files.isRegularFile(file))
      throw cfg.error("clip_model", "CLIP weights file '" + file + "' does not exist (OpenAI's RN50.pt, ViT-B-32.pt, ...:"
          + " see docs/weights-and-formats.md), or use 'random'");
    try {
      return ClipLoader.read(file, new ClipHeads(cfg.clipVisionHeads().orElse(null), cfg.clipTextHeads().orElse(null)));
    } catch (HeadCountException e) {
      throw cfg.error(e.visionTower() ? "clip_vision_heads" : "clip_text_heads", e.getMessage());
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  /** Loaded weights fix the image size and the vocabulary: the config and tokenizer must agree. */
  static void checkFits(RunConfig cfg, ClipArch arch, ClipTokenizer tokenizer) {
    if (cfg.imageSize() != arch.imageResolution())
      throw cfg.error("image_size", "is " + cfg.imageSize() + " but the CLIP weights in " + cfg.clipModel() + " take "
          + arch.imageResolution() + "x" + arch.imageResolution() + " images (the size their positional embedding was"
          + " trained for); set image_size: " + arch.imageResolution());
    if (tokenizer.vocabSize() != arch.vocabSize())
      throw cfg.error("tokenizer", "'" + cfg.tokenizer() + "' has " + tokenizer.vocabSize() + " tokens but the CLIP weights in "
          + cfg.clipModel() + " have a vocabulary of " + arch.vocabSize() + "; use the vocabulary they were trained with"
          + " (bpe_simple_vocab_16e6.txt.gz for OpenAI's models)");
  }

  static ClipArch arch(RunConfig cfg, ClipTokenizer tokenizer) {
    RandomClipArch a = cfg.clipArch().orElseThrow(() -> cfg.error("clip_model", "is not 'random': no clip_arch to build"));
    int heads = a.visionHeads().orElse(ClipArch.defaultVisionHeads(a.visionWidth()));
    try {
      return ClipArch.resNet(a.embedDim(), cfg.imageSize(), a.visionLayers(), a.visionWidth(), heads, a.contextLength(),
          tokenizer.vocabSize(), a.transformerWidth(), a.transformerHeads(), a.transformerLayers());
    } catch (IllegalArgumentException e) {
      throw cfg.error("clip_arch", e.getMessage());
    }
  }

  static Prompts prompts(RunConfig cfg, LabelSet labels, ClipTokenizer tokenizer, int context) {
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
   * similarities of CLIP text features of "a photo of a {name}." for the labels then the groups
   * (from the cache when one is set and still valid).
   */
  private float[] relation(ClipModel clip) {
    int c = labels.labels().size(), g = labels.groups().size();
    if (cfg.relationFile().isPresent()) {
      Path file = Path.of(cfg.relationFile().get());
      try {
        float[] r = RelationFile.read(file, c, g);
        relationSource = "relation_file " + file;
        return r;
      } catch (IOException | IllegalArgumentException e) {
        throw cfg.error("relation_file", e.getMessage());
      }
    }
    long[][] tokens = relationPromptTokens(labels, tokenizer, arch.contextLength());
    if (relationCache == null) {
      relationSource = "computed from CLIP text features";
      return computedRelation(clip, tokens);
    }
    String fingerprint = RelationCache.fingerprint(clip, labels.labels(), labels.groups(), tokens);
    try {
      RelationCache.Lookup r = relationCache.getOrCompute(fingerprint, c, g, () -> computedRelation(clip, tokens));
      relationSource = (r.cached() ? "read from the cache " : "computed from CLIP text features, cached in ") + relationCache.file();
      return r.relation();
    } catch (IOException e) {
      throw new UncheckedIOException(new IOException(relationCache.file() + ": cannot cache the relation matrix: " + e.getMessage(), e));
    }
  }

  /** Cosine similarities of CLIP text features of "a photo of a {name}.", labels then groups. */
  public static float[] computedRelation(ClipModel clip, LabelSet labels, ClipTokenizer tokenizer, int context) {
    return computedRelation(clip, relationPromptTokens(labels, tokenizer, context));
  }

  /** Token ids of "a photo of a {name}." for every label, then every group. */
  static long[][] relationPromptTokens(LabelSet labels, ClipTokenizer tokenizer, int context) {
    List<String> texts = new ArrayList<>();
    for (String l : labels.labels()) texts.add(PromptTokens.parentPrompt("a photo of a", l));
    for (String g : labels.groups()) texts.add(PromptTokens.parentPrompt("a photo of a", g));
    return tokenizer.tokenize(texts, context, true);
  }

  static float[] computedRelation(ClipModel clip, long[][] tokens) {
    try (NoGradGuard g = new NoGradGuard()) {
      Tensor f = Ops.l2Normalize(clip.encodeText(PromptTokens.asTensor(tokens), tokens));
      return Tensors.toFloats(f.matmul(f.t()));
    }
  }
}
