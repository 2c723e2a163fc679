package hspnet.dist;

import java.util.function.Supplier;

import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.AllgatherOptions;
import org.bytedeco.pytorch.AllreduceOptions;
import org.bytedeco.pytorch.Backend;
import org.bytedeco.pytorch.BarrierOptions;
import org.bytedeco.pytorch.BroadcastOptions;
import org.bytedeco.pytorch.GlooDeviceVector;
import org.bytedeco.pytorch.PrefixStore;
import org.bytedeco.pytorch.ProcessGroupGloo;
import org.bytedeco.pytorch.Store;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.TCPStoreOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.Work;
import org.bytedeco.pytorch.gloo.Device;
import org.bytedeco.pytorch.nccl.ProcessGroupNCCL;

import hspnet.config.DistBackend;

/**
 * The ranks of one data-parallel training, through PyTorch's c10d as the presets map it: a
 * {@link TCPStore} at {@code MASTER_ADDR:MASTER_PORT} (rank 0 serves it) for the rendezvous, and
 * a {@link ProcessGroupGloo} (or, on CUDA with {@code dist_backend: nccl}, a
 * {@link ProcessGroupNCCL}) for the collectives. Every collective waits at most the timeout
 * ({@code dist_timeout_s}); a failure or a timeout (a rank that died closes its sockets, one that
 * hangs lets the timeout pass) becomes a {@link DistFault} with a one-line message.
 *
 * <p>Tensors handed to a collective must be contiguous; Gloo reads and writes their memory.
 */
public final class DistGroup implements AutoCloseable {
  private final DistEnv env;
  private final long timeoutMs;
  private final Store store;
  private final PrefixStore prefixed;
  private final Backend group;
  private boolean closed;

  private DistGroup(DistEnv env, long timeoutMs, Store store, PrefixStore prefixed, Backend group) {
    this.env = env;
    this.timeoutMs = timeoutMs;
    this.store = store;
    this.prefixed = prefixed;
    this.group = group;
  }

  /**
   * Joins the group: rank 0 starts the store, the others connect to it (retrying until the
   * timeout), then Gloo connects every pair of ranks. {@code GLOO_SOCKET_IFNAME} picks the network
   * interface, as in PyTorch; otherwise Gloo takes the address the host name resolves to.
   *
   * <p>{@code backend} NCCL needs {@code cuda} (it reduces CUDA tensors only) and the CUDA build of
   * the presets, the only one with NCCL's natives; AUTO and GLOO take Gloo, which reduces CPU and
   * CUDA tensors.
   */
  public static DistGroup join(DistEnv env, long timeoutMs, DistBackend backend, boolean cuda) {
    if (!env.distributed()) throw new IllegalArgumentException("a process group needs WORLD_SIZE > 1");
    boolean nccl = backend == DistBackend.NCCL;
    if (nccl && !cuda)
      throw new DistFault("dist_backend nccl reduces CUDA tensors only and this run is on the CPU; use gloo (or auto)");
    Store store = null;
    try {
      TCPStoreOptions so = new TCPStoreOptions();
      so.port((short) env.masterPort());
      so.isServer(env.main() && !DistEnv.agentStore(System.getenv()));
      so.waitWorkers(false);
      so.useLibUV(false);
      so.timeout(new Milliseconds(timeoutMs));
      store = new TCPStore(env.masterAddr(), so);
    } catch (RuntimeException e) {
      throw new DistFault(env.main()
          ? "rank 0 could not serve the rendezvous store on port " + env.masterPort() + ": " + firstLine(e)
          : "rank " + env.rank() + " could not reach the rendezvous store at " + env.masterAddr() + ":" + env.masterPort()
              + " within " + timeoutMs / 1000 + " s (is rank 0 running?): " + firstLine(e), e);
    }
    PrefixStore prefixed = null;
    Backend group = null;
    try {
      prefixed = new PrefixStore("hspnet/", store);
      group = nccl ? nccl(env, timeoutMs, prefixed) : gloo(env, timeoutMs, prefixed);
      DistGroup g = new DistGroup(env, timeoutMs, store, prefixed, group);
      g.barrier("joining the process group");
      return g;
    } catch (DistFault e) {
      release(group, prefixed, store);
      throw e;
    } catch (RuntimeException e) {
      release(group, prefixed, store);
      throw new DistFault("rank " + env.rank() + " could not connect the " + (nccl ? "NCCL" : "Gloo") + " process group of "
          + env.worldSize() + " ranks within " + timeoutMs / 1000 + " s (did another rank stop?): " + firstLine(e), e);
    }
  }

  /**
   * Frees a group that failed to form in {@link #close()}'s order: the group, the prefix store,
   * then the store. Freeing the store first left the prefix store to free it again when the
   * garbage collector came to it: heap corruption that crashed the JVM later.
   */
  private static void release(Backend group, PrefixStore prefixed, Store store) {
    if (group != null) group.close();
    if (prefixed != null) prefixed.close();
    store.close();
  }

  /** {@link #join(DistEnv, long, DistBackend, boolean)} on Gloo. */
  public static DistGroup join(DistEnv env, long timeoutMs) {
    return join(env, timeoutMs, DistBackend.GLOO, false);
  }

  private static Backend gloo(DistEnv env, long timeoutMs, Store store) {
    String ifname = System.getenv("GLOO_SOCKET_IFNAME");
    Device device = ifname != null && !ifname.isBlank() ? ProcessGroupGloo.createDeviceForInterface(ifname.strip())
        : ProcessGroupGloo.createDefaultDevice();
    ProcessGroupGloo.Options options = ProcessGroupGloo.Options.create(new Milliseconds(timeoutMs));
    options.devices(new GlooDeviceVector(device));
    return new ProcessGroupGloo(store, env.rank(), env.worldSize(), options);
  }

  private static Backend nccl(DistEnv env, long timeoutMs, Store store) {
    try {
      ProcessGroupNCCL.Options options = ProcessGroupNCCL.Options.create();
      options.timeout(new Milliseconds(timeoutMs));
      return new ProcessGroupNCCL(store, env.rank(), env.worldSize(), options);
    } catch (LinkageError e) {
      // the CPU natives carry no NCCL, so the class cannot load its library
      throw new DistFault("dist_backend nccl needs the CUDA build of the presets (mvn -Pgpu package): " + e, e);
    }
  }

  public DistEnv env() { return env; }

  public int rank() { return env.rank(); }

  public int worldSize() { return env.worldSize(); }

  /** Rank 0: the one that writes. */
  public boolean main() { return env.main(); }

  /** Waits until every rank got here. */
  public void barrier(String what) {
    run(what, () -> {
      try (BarrierOptions o = new BarrierOptions()) {
        o.timeout(new Milliseconds(timeoutMs));
        return group.barrier(o);
      }
    });
  }

  /** Replaces {@code t} (contiguous) with rank 0's values. */
  public void broadcast(Tensor t, String what) {
    run(what, () -> {
      try (BroadcastOptions o = new BroadcastOptions(); TensorVector v = new TensorVector(t)) {
        o.rootRank(0);
        o.rootTensor(0);
        o.timeout(new Milliseconds(timeoutMs));
        return group.broadcast(v, o);
      }
    });
  }

  /** Sums {@code t} (contiguous) over the ranks, in place. */
  public void allReduceSum(Tensor t, String what) {
    run(what, () -> {
      try (AllreduceOptions o = new AllreduceOptions(); TensorVector v = new TensorVector(t)) {
        o.timeout(new Milliseconds(timeoutMs));
        return group.allreduce(v, o);
      }
    });
  }

  /** Every rank's {@code t} (contiguous, the same shape on every rank) into {@code out}, rank after rank along dim 0. */
  public void allGather(Tensor out, Tensor t, String what) {
    run(what, () -> {
      try (AllgatherOptions o = new AllgatherOptions()) {
        o.timeout(new Milliseconds(timeoutMs));
        return group._allgather_base(out, t, o);
      }
    });
  }

  /**
   * A collective under way (started by {@link #startAllReduceSum}): {@link #await()} waits for it,
   * at most the timeout, and releases it.
   */
  public final class Pending {
    private final Work work;
    private final String what;

    private Pending(Work work, String what) {
      // it may be started inside a PointerScope that closes before it is awaited (a gradient hook's)
      work.retainReference();
      this.work = work;
      this.what = what;
    }

    public void await() {
      finish(work, what);
    }
  }

  /**
   * Starts summing {@code t} (contiguous) over the ranks, in place, and returns at once: Gloo
   * reduces on its own threads while the caller goes on (the gradient all-reduce overlaps backward
   * this way). Every rank must start its collectives in the same order.
   */
  public Pending startAllReduceSum(Tensor t, String what) {
    return new Pending(start(what, () -> {
      try (AllreduceOptions o = new AllreduceOptions(); TensorVector v = new TensorVector(t)) {
        o.timeout(new Milliseconds(timeoutMs));
        return group.allreduce(v, o);
      }
    }), what);
  }

  private void run(String what, Supplier<Work> start) {
    finish(start(what, start), what);
  }

  private Work start(String what, Supplier<Work> start) {
    try {
      return start.get();
    } catch (RuntimeException e) {
      throw new DistFault(prefix() + what + " failed (another rank stopped or is unreachable?): " + firstLine(e), e);
    }
  }

  private void finish(Work w, String what) {
    try {
      if (!w._wait(new Milliseconds(timeoutMs)))
        throw new DistFault(prefix() + what + ": no answer within " + timeoutMs / 1000 + " s (dist_timeout_s): another rank stopped or hangs");
    } catch (DistFault e) {
      throw e;
    } catch (RuntimeException e) {
      throw new DistFault(prefix() + what + " failed (another rank stopped or is unreachable?): " + firstLine(e), e);
    } finally {
      w.close();
    }
  }

  private String prefix() {
    return "rank " + env.rank() + "/" + env.worldSize() + ": ";
  }

  private static String firstLine(Throwable e) {
    String m = e.getMessage();
    if (m == null) return e.getClass().getSimpleName();
    int nl = m.indexOf('\n');
    String line = (nl < 0 ? m : m.substring(0, nl)).strip();
    // Gloo prefixes its messages with the source file of its build machine: [/home/.../pair.cc:547]
    return line.replaceFirst("^\\[[^\\]]*\\.(cc|cpp|h|hpp):\\d+\\]\\s*", "");
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    group.close();
    prefixed.close();
    store.close();
  }
}
