package hspnet.clip.tokenizer;

import java.util.Arrays;

/**
 * BPE merge ranks keyed by the ids of the two symbols: for a pair, its rank (lower merges first)
 * and the id of the merged symbol. An open-addressing hash table over primitive keys, because
 * every BPE step looks up every adjacent pair of a word. Immutable once built.
 */
final class MergeTable {
  private static final long EMPTY = -1L;

  private final long[] keys;
  private final int[] ranks;
  private final int[] results;
  private final int mask;
  private final int size;

  private MergeTable(long[] keys, int[] ranks, int[] results, int size) {
    this.keys = keys;
    this.ranks = ranks;
    this.results = results;
    this.mask = keys.length - 1;
    this.size = size;
  }

  /** Number of distinct pairs. */
  int size() {
    return size;
  }

  /** Rank of merging {@code left} then {@code right}, or -1 when that pair is never merged. */
  int rank(int left, int right) {
    int slot = find(pairKey(left, right));
    return slot < 0 ? -1 : ranks[slot];
  }

  /** Id of the merged symbol; only meaningful when {@link #rank} is not -1. */
  int result(int left, int right) {
    int slot = find(pairKey(left, right));
    return slot < 0 ? -1 : results[slot];
  }

  private int find(long key) {
    for (int slot = mix(key) & mask; ; slot = (slot + 1) & mask) {
      long k = keys[slot];
      if (k == key) {
        return slot;
      }
      if (k == EMPTY) {
        return -1;
      }
    }
  }

  private static long pairKey(int left, int right) {
    return ((long) left << 32) | (right & 0xFFFFFFFFL);
  }

  private static int mix(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 29));
  }

  /** Collects merges in rank order; a pair added twice keeps the later rank, as a Python dict. */
  static final class Builder {
    private long[] keys = new long[16];
    private int[] ranks = new int[16];
    private int[] results = new int[16];
    private int size;
    private int nextRank;

    Builder() {
      Arrays.fill(keys, EMPTY);
    }

    /** Adds the next merge: rank = number of merges added before it. */
    Builder add(int left, int right, int result) {
      if (left < 0 || right < 0 || result < 0) {
        throw new IllegalArgumentException("negative symbol id in merge " + left + " " + right);
      }
      if ((size + 1) * 2 > keys.length) {
        grow();
      }
      insert(pairKey(left, right), nextRank++, result);
      return this;
    }

    MergeTable build() {
      return new MergeTable(keys.clone(), ranks.clone(), results.clone(), size);
    }

    private void insert(long key, int rank, int result) {
      int mask = keys.length - 1;
      int slot = mix(key) & mask;
      while (keys[slot] != EMPTY && keys[slot] != key) {
        slot = (slot + 1) & mask;
      }
      if (keys[slot] == EMPTY) {
        size++;
      }
      keys[slot] = key;
      ranks[slot] = rank;
      results[slot] = result;
    }

    private void grow() {
      long[] oldKeys = keys;
      int[] oldRanks = ranks;
      int[] oldResults = results;
      keys = new long[oldKeys.length * 2];
      Arrays.fill(keys, EMPTY);
      ranks = new int[keys.length];
      results = new int[keys.length];
      size = 0;
      for (int i = 0; i < oldKeys.length; i++) {
        if (oldKeys[i] != EMPTY) {
          insert(oldKeys[i], oldRanks[i], oldResults[i]);
        }
      }
    }
  }
}
