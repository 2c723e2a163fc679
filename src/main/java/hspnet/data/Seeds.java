package hspnet.data;

/**
 * Turns structured seeds (a run seed plus an epoch, a split, an index) into well-mixed Random
 * seeds: java.util.Random seeded with neighbouring values gives strongly correlated first draws
 * (the first swap of a shuffle would be the same in consecutive epochs).
 */
final class Seeds {
  private Seeds() {}

  /** SplitMix64's finaliser: a bijection on longs that scatters neighbouring inputs. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  static long mix(long seed, long a, long b) {
    return mix(seed * 0x9E3779B97F4A7C15L + a * 0xD1B54A32D192ED03L + b * 0x8CB92BA72F3D8DD7L);
  }
}
