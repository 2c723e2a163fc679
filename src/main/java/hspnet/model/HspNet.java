package hspnet.model;

import hspnet.nn.Registered;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

import hspnet.clip.ClipModel;
import hspnet.clip.ImageTower;
import hspnet.clip.TextEncoder;
import hspnet.nn.Ops;
import hspnet.nn.Tensors;
import java.util.ArrayList;
import org.bytedeco.pytorch.Device;
import java.util.List;
import org.bytedeco.pytorch.global.torch.ScalarType;
import hspnet.nn.StateDicts;

/**
 * HSPNet (SPEC §2). Group prompts → text encoder → GCN over groups → meta-net → context of every
 * label prompt → text encoder → the same GCN over labels → L2 normalisation; logits are 10 × the
 * cosine between image features and label features.
 *
 * <p>Registered children and their order follow the original's state dict: {@code logit_scale},
 * {@code parent_prompt_learner}, {@code child_prompt_learner}, {@code image_encoder},
 * {@code text_encoder}, {@code gcn}. The two relation matrices are not in the state dict (the
 * original rebuilds them from its relation file), so they are plain fields here too.
 */
public final class HspNet extends Classifier {
  /** The fixed scale of the cosine logits (not CLIP's logit_scale). */
  public static final double LOGIT_SCALE = 10.0;

  final ParentPromptLearner parentPromptLearner;
  final ChildPromptLearner childPromptLearner;
  final ImageTower imageEncoder;
  final TextEncoder textEncoder;
  final HierarchicalGcn gcn;
  private Tensor relationChild, relationParent;
  /** The group prompts through the frozen text tower: the same every step until a weight changes. */
  private final FrozenFeatures parentFeatures;

  /** What one forward pass computes, for tests and analysis. */
  public record Intermediates(Tensor imageFeatures, Tensor parentFeatures, Tensor parentFeaturesGcn, Tensor metaOut,
      Tensor childPrompts, Tensor childFeatures, Tensor childFeaturesGcn, Tensor textFeaturesNorm, Tensor logits) {}

  /**
   * @param clip the CLIP model whose image tower and text path HSPNet takes over
   * @param prompts tokenized prompts of both levels and the label → group index
   * @param relation (C+G)×(C+G) cosine similarities, labels first, row-major
   * @param reweightP p of the relation split
   */
  public HspNet(ClipModel clip, Prompts prompts, float[] relation, double reweightP) {
    Registered.parameter(this, "logit_scale", clip.logitScale());
    Tensor parentEmbedding, childEmbedding;
    try (NoGradGuard g = new NoGradGuard()) {
      parentEmbedding = clip.embedTokens(PromptTokens.asTensor(prompts.parentTokens()));
      childEmbedding = clip.embedTokens(PromptTokens.asTensor(prompts.childTokens()));
    }
    parentPromptLearner = child("parent_prompt_learner",
        new ParentPromptLearner(parentEmbedding, prompts.parentTokens(), prompts.parentNCtx()));
    childPromptLearner = child("child_prompt_learner",
        new ChildPromptLearner(childEmbedding, prompts.childTokens(), prompts.groupOf(), prompts.childNCtx(), clip.arch().embedDim()));
    imageEncoder = child("image_encoder", clip.visual());
    textEncoder = child("text_encoder", clip.textEncoder());
    gcn = child("gcn", new HierarchicalGcn(clip.arch().embedDim()));

    int c = prompts.numLabels(), g = prompts.numGroups();
    if (relation.length != (c + g) * (c + g))
      throw new IllegalArgumentException("relation matrix has " + relation.length + " entries, expected ("
          + c + " labels + " + g + " groups)^2 = " + (c + g) * (c + g));
    relationChild = Tensors.ofFloats(RelationSplit.split(RelationSplit.block(relation, c + g, 0, c), c, reweightP), c, c);
    relationParent = Tensors.ofFloats(RelationSplit.split(RelationSplit.block(relation, c + g, c, g), g, reweightP), g, g);
    parentFeatures = new FrozenFeatures(() -> {
      List<Tensor> inputs = new ArrayList<>(StateDicts.of(textEncoder).values());
      inputs.add(StateDicts.of(parentPromptLearner).get("embedding"));
      return inputs;
    });
  }

  @Override
  public ImageTower imageEncoder() { return imageEncoder; }

  public TextEncoder textEncoder() { return textEncoder; }

  public Tensor relationChild() { return relationChild; }

  public Tensor relationParent() { return relationParent; }

  /**
   * Moves the module and its plain (non-state) tensors — relation matrices, prompt indices — to a
   * device, all at once, so that no forward pass copies anything from the host.
   */
  @Override
  public void moveTo(Device device) {
    to(device, false);
    Tensor child = relationChild, parent = relationParent;
    relationChild = Tensors.kept(() -> child.to(device, ScalarType.Float));
    relationParent = Tensors.kept(() -> parent.to(device, ScalarType.Float));
    parentPromptLearner.indicesTo(device);
    childPromptLearner.indicesTo(device);
    parentFeatures.forget();
  }

  /**
   * Whether the group features are computed once and reused while the text tower and the group
   * prompts are unchanged (default on; off recomputes them every forward, as the original does).
   */
  public void cacheParentFeatures(boolean on) {
    parentFeatures.setEnabled(on);
  }

  /**
   * Puts the modules in the modes the original's freshly built model has: HSPNet and its learners
   * in train mode, the CLIP parts (image tower, text transformer, ln_final) in eval mode. During
   * the first epoch BatchNorm therefore normalises with (and does not update) running statistics.
   */
  @Override
  public void modesAsBuilt() {
    train(true);
    imageEncoder.train(false);
    textEncoder.transformer().train(false);
    textEncoder.lnFinal().train(false);
  }

  /**
   * Freezes CLIP's text tower as the original's trainer does (requires_grad off for every parameter
   * whose name contains "text_encoder"): it only turns prompts into features. Idempotent.
   */
  @Override
  public void freezeTextEncoder() {
    StateDicts.of(this).forEach((name, t) -> {
      if (name.contains("text_encoder") && t.requires_grad()) t.requires_grad_(false);
    });
  }

  /** Label text features (C, E), L2-normalised: they depend on the weights only, not on the images. */
  @Override
  public Tensor labelFeatures() {
    return forwardText().textFeaturesNorm();
  }

  @Override
  public Tensor forward(Tensor images) {
    return logits(imageEncoder.forward(images), labelFeatures());
  }

  /** 10 · normalise(image features) · label featuresᵀ. */
  @Override
  public Tensor logits(Tensor imageFeatures, Tensor textFeaturesNorm) {
    Tensor img = Ops.l2Normalize(imageFeatures);
    return img.matmul(textFeaturesNorm.to(img.scalar_type()).t()).mul(Ops.s(LOGIT_SCALE));
  }

  /** The whole forward pass with every intermediate kept. */
  public Intermediates forwardAll(Tensor images) {
    Intermediates t = forwardText();
    Tensor imageFeatures = imageEncoder.forward(images);
    return new Intermediates(imageFeatures, t.parentFeatures(), t.parentFeaturesGcn(), t.metaOut(), t.childPrompts(),
        t.childFeatures(), t.childFeaturesGcn(), t.textFeaturesNorm(), logits(imageFeatures, t.textFeaturesNorm()));
  }

  /** The group prompts through the text tower (G, E): a function of frozen tensors only. */
  private Tensor groupFeatures() {
    ParentPromptLearner p = parentPromptLearner;
    return textEncoder.forward(p.prompts(), p.eot.to(p.embedding.device(), ScalarType.Long), p.length);
  }

  private Intermediates forwardText() {
    Tensor device = parentPromptLearner.embedding;
    Tensor parentFeatures = this.parentFeatures.get(this::groupFeatures);
    Tensor parentGcn = gcn.forward(parentFeatures, relationParent.to(parentFeatures.scalar_type()));
    Tensor metaOut = childPromptLearner.metaNet(parentGcn);
    Tensor childPrompts = childPromptLearner.prompts(metaOut);
    Tensor childFeatures = textEncoder.forward(childPrompts,
        childPromptLearner.eot.to(device.device(), ScalarType.Long), childPromptLearner.length);
    Tensor childGcn = gcn.forward(childFeatures, relationChild.to(childFeatures.scalar_type()));
    Tensor norm = Ops.l2Normalize(childGcn);
    return new Intermediates(null, parentFeatures, parentGcn, metaOut, childPrompts, childFeatures, childGcn, norm, null);
  }
}
