package hspnet.model;

/**
 * Everything HSPNet needs to know about the label space, already tokenized: the group prompts
 * "a photo of a {group}.", the label prompts "X X X X {label}.", and the group of every label.
 */
public record Prompts(long[][] parentTokens, long[][] childTokens, int[] groupOf, int parentNCtx, int childNCtx) {
  public Prompts {
    if (childTokens.length != groupOf.length)
      throw new IllegalArgumentException(childTokens.length + " label prompts but " + groupOf.length + " group indices");
    for (int c = 0; c < groupOf.length; c++)
      if (groupOf[c] < 0 || groupOf[c] >= parentTokens.length)
        throw new IllegalArgumentException("label " + c + " has group " + groupOf[c] + ", outside [0, " + parentTokens.length + ")");
  }

  public int numLabels() { return childTokens.length; }

  public int numGroups() { return parentTokens.length; }
}
