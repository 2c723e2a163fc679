package hspnet.config;

/**
 * The {@code model_name} key: HSPNet ({@code clip_gcn}, the original's value; {@code resnet50}, the
 * value in the original's base.yaml, means HSPNet too) or the baseline {@code clip_linear}: the same
 * CLIP image tower with a linear head, so that HSPNet and a baseline differ only in the method.
 */
public enum ModelKind {
  HSPNET, CLIP_LINEAR;

  /** The kind a model_name value stands for, or null for an unknown one. */
  public static ModelKind of(String modelName) {
    return switch (modelName) {
      case "clip_gcn", "resnet50" -> HSPNET;
      case "clip_linear" -> CLIP_LINEAR;
      default -> null;
    };
  }
}
