package hspnet.config;

/**
 * The {@code loss} key: SPLC (the method's loss) or one of the field's single-positive baselines,
 * written as their papers name them (docs/baselines.md).
 */
public enum LossKind implements Choice {
  SPLC("SPLC"), AN("AN"), AN_LS("AN-LS"), WAN("WAN"), EPR("EPR"), ROLE("ROLE"), LL_R("LL-R"), LL_CT("LL-Ct"), LL_CP("LL-Cp");

  private final String word;

  LossKind(String word) { this.word = word; }

  /** The name as the papers (and config files) write it. */
  @Override
  public String word() { return word; }

  /** The kind a name such as "LL-Ct" stands for, or null. */
  public static LossKind named(String name) {
    for (LossKind k : values()) if (k.word.equals(name)) return k;
    return null;
  }
}
