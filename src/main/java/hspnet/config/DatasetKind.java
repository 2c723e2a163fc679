package hspnet.config;

import java.util.Locale;

/**
 * The {@code dataset_kind} key: where a dataset's images and labels live (SPEC §5). AUTO is
 * resolved from the {@code data} path as the original's build_dataset does.
 */
public enum DatasetKind implements Choice {
  AUTO, COCO, VOC, NUSWIDE, CUB, LIST, DEMO;

  /** Kinds the original recognises in the data path, in the order it tests them. */
  private static final DatasetKind[] GUESSED = {COCO, NUSWIDE, VOC, CUB, DEMO};

  /** This kind, or for AUTO the first known name that {@code dataPath} contains; null when none does. */
  public DatasetKind resolve(String dataPath) {
    if (this != AUTO) return this;
    String data = dataPath.toLowerCase(Locale.ROOT);
    for (DatasetKind k : GUESSED) if (data.contains(k.word())) return k;
    return null;
  }
}
