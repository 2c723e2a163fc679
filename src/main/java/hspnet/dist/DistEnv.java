package hspnet.dist;

import java.util.Map;

/**
 * Where this process sits in a data-parallel training, read from the environment torchrun sets
 * (and {@code bin/hspnet --nproc-per-node} sets the same way): {@code RANK}, {@code WORLD_SIZE},
 * {@code LOCAL_RANK}, {@code LOCAL_WORLD_SIZE}, {@code MASTER_ADDR}, {@code MASTER_PORT}.
 * Without {@code WORLD_SIZE}, or with 1, it is the single process of an ordinary run.
 */
public record DistEnv(int rank, int worldSize, int localRank, int localWorldSize, String masterAddr, int masterPort) {
  /** The single process of an ordinary run. */
  public static final DistEnv SINGLE = new DistEnv(0, 1, 0, 1, "127.0.0.1", 0);

  public DistEnv {
    if (worldSize < 1) throw new IllegalArgumentException("WORLD_SIZE must be at least 1, got " + worldSize);
    if (rank < 0 || rank >= worldSize)
      throw new IllegalArgumentException("RANK " + rank + " is outside [0, WORLD_SIZE=" + worldSize + ")");
    if (localRank < 0 || localRank >= localWorldSize)
      throw new IllegalArgumentException("LOCAL_RANK " + localRank + " is outside [0, LOCAL_WORLD_SIZE=" + localWorldSize + ")");
  }

  /** True when more than one process trains. */
  public boolean distributed() {
    return worldSize > 1;
  }

  /** The process that writes the round folder (logs, checkpoints, metrics, resume state). */
  public boolean main() {
    return rank == 0;
  }

  /**
   * Whether torchrun's agent already serves the store at MASTER_ADDR:MASTER_PORT
   * ({@code TORCHELASTIC_USE_AGENT_STORE=True}, as torchrun sets it): then rank 0 connects to it
   * like the others instead of serving it.
   */
  public static boolean agentStore(Map<String, String> env) {
    return "true".equalsIgnoreCase(env.getOrDefault("TORCHELASTIC_USE_AGENT_STORE", "").strip());
  }

  /** The environment's placement; {@link #SINGLE} when WORLD_SIZE is absent or 1. */
  public static DistEnv from(Map<String, String> env) {
    String world = env.get("WORLD_SIZE");
    if (world == null || world.isBlank() || integer(env, "WORLD_SIZE", world) == 1) return SINGLE;
    int size = integer(env, "WORLD_SIZE", world);
    int rank = integer(env, "RANK", need(env, "RANK"));
    String lr = env.get("LOCAL_RANK"), lws = env.get("LOCAL_WORLD_SIZE");
    int localRank = lr == null ? rank : integer(env, "LOCAL_RANK", lr);
    int localSize = lws == null ? size : integer(env, "LOCAL_WORLD_SIZE", lws);
    int port = integer(env, "MASTER_PORT", need(env, "MASTER_PORT"));
    if (port < 1 || port > 65535) throw new IllegalArgumentException("MASTER_PORT must be a TCP port (1-65535), got " + port);
    return new DistEnv(rank, size, localRank, localSize, need(env, "MASTER_ADDR"), port);
  }

  private static String need(Map<String, String> env, String key) {
    String v = env.get(key);
    if (v == null || v.isBlank())
      throw new IllegalArgumentException("WORLD_SIZE=" + env.get("WORLD_SIZE") + " asks for a distributed run, but " + key
          + " is not set (torchrun sets RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT; or use bin/hspnet --nproc-per-node N)");
    return v.strip();
  }

  private static int integer(Map<String, String> env, String key, String value) {
    try {
      return Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("environment variable " + key + " must be an integer, got '" + value + "'");
    }
  }

  @Override
  public String toString() {
    return "rank " + rank + "/" + worldSize + " (local " + localRank + "/" + localWorldSize + ", master " + masterAddr + ":" + masterPort + ")";
  }
}
