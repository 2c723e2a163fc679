package hspnet.testutil;

import java.nio.file.Path;

/** A small, fast demo configuration for tests (600 training images, 6 epochs of 19 steps). */
public final class DemoConfigs {
  private DemoConfigs() {}

  public static String small(Path data, String checkpoint) {
    return String.join("\n",
        "checkpoint: " + checkpoint, "log_file: run.txt", "data: " + data, "dataset_kind: demo",
        "demo_train_images: 600", "demo_val_images: 200", "num_classes: 16", "image_size: 64",
        "batch_size: 32", "workers: 2", "epochs: 6", "total_epochs: 7", "lr: 0.001", "gcn_lr: 0.001",
        "ema_decay: 0.95", "log_every: 10", "device: cpu", "clip_model: random", "tokenizer: bytes",
        "clip_arch:", "  vision_layers: [1, 1, 1, 1]", "  vision_width: 16", "  embed_dim: 64",
        "  context_length: 77", "  transformer_width: 64", "  transformer_heads: 2", "  transformer_layers: 2", "");
  }
}
