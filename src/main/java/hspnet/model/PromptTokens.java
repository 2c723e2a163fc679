package hspnet.model;

import org.bytedeco.pytorch.Tensor;

import hspnet.clip.ClipModel;

import hspnet.nn.Tensors;

/** The prompt texts of HSPNet's two levels and helpers around their token ids. */
public final class PromptTokens {
  private PromptTokens() {}

  /** "a photo of a {group}." with '_' shown as a space, as the original builds group prompts. */
  public static String parentPrompt(String ctxInit, String group) {
    return ctxInit.trim() + " " + group.replace('_', ' ') + ".";
  }

  /** "X X X X {label}.": n_ctx placeholders the meta-net's context vectors will replace. */
  public static String childPrompt(int nCtx, String label) {
    return "X ".repeat(nCtx) + label.replace('_', ' ') + ".";
  }

  /** The end-of-text position of every row, as an int64 tensor. */
  static Tensor eotIndex(long[][] tokens) {
    long[] eot = new long[tokens.length];
    for (int i = 0; i < tokens.length; i++) eot[i] = ClipModel.eotPosition(tokens[i]);
    return Tensors.ofLongs(eot, eot.length);
  }

  /** The rows as an (N, context) int64 tensor. */
  public static Tensor asTensor(long[][] tokens) {
    int n = tokens.length, len = tokens[0].length;
    long[] flat = new long[n * len];
    for (int i = 0; i < n; i++) System.arraycopy(tokens[i], 0, flat, i * len, len);
    return Tensors.ofLongs(flat, n, len);
  }
}
