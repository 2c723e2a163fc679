package hspnet.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static hspnet.config.KeySpec.optional;
import static hspnet.config.KeySpec.required;
import static hspnet.config.KeySpec.unused;

/**
 * Every key a configuration file may hold. The original's keys keep their names and meaning so its
 * YAML files load unchanged; the keys after them are this project's additions. Defaults live in
 * {@code configs/base.yaml}, not here, so that the file a user reads is the whole truth.
 */
public final class ConfigKeys {
  private ConfigKeys() {}

  public static final List<KeySpec> TOP_LEVEL = List.of(
      // --- the original's keys -------------------------------------------------------------
      required("checkpoint", KeyType.STRING, "run name: rounds are written to checkpoints/{checkpoint}/roundN"),
      required("log_file", KeyType.STRING, "log file name inside the round folder"),
      required("data", KeyType.STRING, "dataset root folder"),
      optional("dataset", KeyType.STRING, "COCO: the single-positive training list (the original's name for it)"),
      optional("train_dataset", KeyType.STRING, "training list file, lines `path,i j k` (one index: single positive)"),
      optional("val_dataset", KeyType.STRING, "validation list file with all positives of every image"),
      required("num_classes", KeyType.INT, "number of labels C"),
      optional("child_num", KeyType.INT, "number of child (label) prompts; must equal num_classes"),
      required("lr", KeyType.DOUBLE, "peak learning rate of the non-GCN parameter groups (OneCycle max_lr)"),
      required("gcn_lr", KeyType.DOUBLE, "peak learning rate of the GCN parameter groups"),
      required("weight_decay", KeyType.DOUBLE, "L2 weight decay of the decay groups (Adam, coupled)"),
      required("batch_size", KeyType.INT, "images per training and validation batch"),
      required("workers", KeyType.INT, "image decoding threads"),
      required("thre", KeyType.DOUBLE, "score threshold for P_C/R_C/F_C/P_O/R_O/F_O in test mode"),
      required("loss", KeyType.STRING, "training loss: SPLC (the method's) or a baseline AN, AN-LS, WAN, EPR, ROLE, LL-R, LL-Ct, LL-Cp (docs/baselines.md)"),
      required("epochs", KeyType.INT, "epochs actually trained"),
      required("total_epochs", KeyType.INT, "epochs the OneCycle schedule is laid out for (80 while 60 run)"),
      optional("test", KeyType.BOOL, "evaluate instead of train (the -t flag sets it)"),
      optional("resume", KeyType.BOOL, "continue the latest round's training after its last completed epoch (as --resume)"),
      required("parent_n_ctx", KeyType.INT, "context tokens of the group prompts (words of parent_ctx_init)"),
      required("parent_ctx_init", KeyType.STRING, "group prompt text before the group name"),
      required("child_n_ctx", KeyType.INT, "context vectors the meta-net makes for every label prompt"),
      required("change_epoch", KeyType.INT, "SPLC: first epoch (0-based) of pseudo-label correction"),
      required("tau", KeyType.DOUBLE, "SPLC: probability above which an unknown label becomes positive"),
      required("reweight_p", KeyType.DOUBLE, "relation re-weighting p: off-diagonal mass of each row"),
      optional("relation_file", KeyType.STRING, "released (C+G)x(C+G) relation .npy; absent: computed from CLIP text features"),
      optional("super_labels", KeyType.STRING, "group names, one a line (the original's file); with super_labels_index, overrides the built-in groups"),
      optional("super_labels_index", KeyType.STRING, "group index of every label (.npy, the original's file); used with super_labels"),
      required("image_size", KeyType.INT, "input resolution (shorter side resized, then center crop)"),
      required("model_name", KeyType.STRING, "clip_gcn or resnet50 (the original's values): HSPNet; clip_linear: the baseline, CLIP's image tower with a linear head (docs/baselines.md)"),
      unused("meta_lr", KeyType.DOUBLE, "accepted, not used (the original never reads it)"),
      unused("ratio", KeyType.DOUBLE, "accepted, not used"),
      unused("n_ctx", KeyType.INT, "accepted, not used"),
      unused("child_ctx_init", KeyType.STRING, "accepted, not used (child prompts are 'X X X X {label}.')"),
      // --- this project's keys -------------------------------------------------------------
      required("seed", KeyType.INT, "seed of initialisation, shuffling and data generation: same seed, same run"),
      required("device", KeyType.STRING, "auto | cpu | cuda (auto: cuda when available)"),
      required("amp", KeyType.BOOL, "fp16 autocast with dynamic loss scaling on CUDA (ignored on CPU)"),
      required("amp_dtype", KeyType.STRING, "float16 (default, the original's, with loss scaling) or bfloat16 (no loss scaling; slightly different numbers)"),
      required("fused_optimizer", KeyType.BOOL, "Adam as one fused kernel per group, loss-scale check and skip on the GPU without a host synchronisation (default false; slightly different numbers)"),
      required("clip_model", KeyType.STRING, "CLIP weights file, or 'random' to build clip_arch with random weights"),
      optional("clip_arch", KeyType.MAP, "architecture of a randomly initialised CLIP (see the table in docs/configuration.md)"),
      optional("clip_vision_heads", KeyType.INT, "image-tower heads of the CLIP weights (ViT blocks or ResNet attention pool); absent: OpenAI's rule (64-wide heads), right for every released model"),
      optional("clip_text_heads", KeyType.INT, "text-transformer heads of the CLIP weights; absent: width/64, right for every released model"),
      required("tokenizer", KeyType.STRING, "CLIP BPE vocabulary (bpe_simple_vocab_16e6.txt.gz, or a folder with Hugging Face's vocab.json + merges.txt), or 'bytes' for the byte-level demo tokenizer"),
      required("dataset_kind", KeyType.STRING, "auto | coco | voc | nuswide | cub | list | demo (auto: from 'data' as the original does)"),
      optional("labels", KeyType.STRING, "label set YAML: groups, then every label with its group (default: built in for voc, nuswide, cub; COCO's from its json)"),
      optional("ema_decay", KeyType.DOUBLE, "EMA decay per step; absent: 0.82^(1/K), K the dataset's steps per epoch at batch 128"),
      required("bn_eval_first_epoch", KeyType.BOOL, "reproduce the original: BatchNorm in eval mode during epoch 0"),
      required("log_every", KeyType.INT, "log a training line every N steps"),
      required("hgcn_backend", KeyType.STRING, "auto | libtorch | fused: the hierarchical GCN as LibTorch ops or as the fused native kernel (auto: fused on CUDA when its library loads)"),
      required("cpu_threads", KeyType.INT, "LibTorch threads for CPU math; 0: half the cores (the image decoders use the rest)"),
      required("demo_train_images", KeyType.INT, "demo dataset: training images to generate"),
      required("demo_val_images", KeyType.INT, "demo dataset: validation images to generate"),
      required("skip_bad_images", KeyType.BOOL, "skip missing or undecodable images and report their count (default false: stop with the list file and line)"),
      required("image_resize", KeyType.STRING, "pil (default): PIL's antialiased bicubic, as CLIP and the original; opencv: cv::resize INTER_CUBIC (faster, no antialiasing)"),
      required("image_decode", KeyType.STRING, "cpu (default): Pillow-exact decoding and resize on the CPU; gpu: nvJPEG and LibTorch's antialiased bicubic on the CUDA device (CUDA build; no training augmentations)"),
      required("aug_hflip", KeyType.BOOL, "training augmentation: random horizontal flip (default false)"),
      required("aug_random_resized_crop", KeyType.BOOL, "training augmentation: torchvision's RandomResizedCrop instead of resize + center crop (default false)"),
      required("aug_crop_min_scale", KeyType.DOUBLE, "smallest area fraction of a random resized crop (default 0.08)"),
      required("aug_cutout", KeyType.DOUBLE, "training augmentation: Cutout square side as a fraction of the image side, random colour (default 0: off)"),
      required("aug_randaugment_ops", KeyType.INT, "training augmentation: RandAugment operations per image (default 0: off; 2 is usual)"),
      required("aug_randaugment_magnitude", KeyType.INT, "RandAugment magnitude, 0..30 (default 9)"),
      required("dist_backend", KeyType.STRING, "data-parallel collectives when WORLD_SIZE > 1 (docs/distributed.md): auto | gloo | nccl (auto: gloo; nccl: CUDA only, with the CUDA build)"),
      required("dist_timeout_s", KeyType.INT, "seconds a distributed rank waits for the others (rendezvous, every collective) before it stops with an error"),
      required("ls_coef", KeyType.DOUBLE, "AN-LS: label smoothing coefficient (Cole et al.: 0.1)"),
      required("expected_num_pos", KeyType.DOUBLE, "EPR, ROLE: expected number of positives per image in the regulariser (Cole et al.: 2.9, COCO's)"),
      required("role_lr_mult", KeyType.DOUBLE, "ROLE: the label estimator's learning rate as a multiple of lr (Cole et al.: 10), constant, own Adam"),
      required("delta_rel", KeyType.DOUBLE, "LL-R, LL-Ct, LL-Cp: drop of the clean rate after every epoch (Kim et al.: 0.02, their command line's 2 / 100)"));

  /** Keys of the {@code clip_arch} mapping (a randomly initialised CLIP; ModifiedResNet image tower). */
  public static final List<KeySpec> CLIP_ARCH_KEYS = List.of(
      required("vision_layers", KeyType.INT_LIST, "bottleneck blocks in each of the four ResNet stages"),
      required("vision_width", KeyType.INT, "ResNet stem width w (stages use w, 2w, 4w, 8w)"),
      optional("vision_heads", KeyType.INT, "attention-pool heads (default 32w/64, at least 1)"),
      required("embed_dim", KeyType.INT, "joint embedding width E"),
      required("context_length", KeyType.INT, "text positions (77 in CLIP)"),
      required("transformer_width", KeyType.INT, "text transformer width"),
      required("transformer_heads", KeyType.INT, "text transformer heads"),
      required("transformer_layers", KeyType.INT, "text transformer layers"));

  static Map<String, KeySpec> index(List<KeySpec> specs) {
    Map<String, KeySpec> m = new LinkedHashMap<>();
    for (KeySpec s : specs) m.put(s.name(), s);
    return m;
  }
}
