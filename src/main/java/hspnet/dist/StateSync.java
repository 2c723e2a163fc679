package hspnet.dist;

import static org.bytedeco.pytorch.global.torch.cat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

import hspnet.nn.StateDicts;
import hspnet.nn.Tensors;

/**
 * Module state across the ranks: rank 0's whole state to every rank (parameters and buffers, at
 * the start, as DDP's constructor does), rank 0's BatchNorm running statistics after every step
 * (DDP's broadcast_buffers: each process normalises with its own batch's statistics, and the
 * running averages every rank keeps are rank 0's), and a fingerprint of a state's bytes to check
 * that the ranks hold the same weights.
 */
public final class StateSync {
  private StateSync() {}

  /** Every entry of the module's state dict replaced by rank 0's, one broadcast per entry. */
  public static void broadcastState(DistGroup group, Module module, String what) {
    try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      for (Map.Entry<String, Tensor> e : StateDicts.of(module).entrySet()) {
        Tensor t = e.getValue().detach();
        Tensor c = t.contiguous();
        group.broadcast(c, "the broadcast of " + what + " (" + e.getKey() + ")");
        if (!c.is_same(t)) t.copy_(c);
      }
    }
  }

  /** The module's BatchNorm running means and variances, in state-dict order (empty when it has none). */
  public static List<Tensor> runningStatistics(Module module) {
    List<Tensor> out = new ArrayList<>();
    StateDicts.of(module).forEach((name, t) -> {
      if ((name.endsWith("running_mean") || name.endsWith("running_var")) && t.is_floating_point()) out.add(t);
    });
    return out;
  }

  /** Replaces the given tensors (same dtype) with rank 0's, in one flattened broadcast. */
  public static void broadcastFlat(DistGroup group, List<Tensor> tensors, String what) {
    if (tensors.isEmpty()) return;
    try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      TensorVector flat = new TensorVector();
      for (Tensor t : tensors) flat.push_back(t.detach().reshape(-1));
      Tensor buffer = cat(flat).contiguous();
      group.broadcast(buffer, what);
      long offset = 0;
      for (Tensor t : tensors) {
        long n = t.numel();
        t.detach().copy_(buffer.narrow(0, offset, n).view_as(t));
        offset += n;
      }
    }
  }

  /** CRC-32 of the bytes of every floating entry of the module's state (on the CPU, contiguous). */
  public static long fingerprint(Module module) {
    CRC32 crc = new CRC32();
    try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      for (Tensor t : StateDicts.of(module).values()) {
        Tensor c = t.detach().cpu().contiguous();
        long bytes = c.numel() * c.element_size();
        if (bytes == 0) continue;
        byte[] data = new byte[Math.toIntExact(bytes)];
        new BytePointer(c.data_ptr()).capacity(bytes).get(data);
        crc.update(data);
      }
    }
    return crc.getValue();
  }

  /** Every rank's fingerprint, rank after rank. */
  public static long[] gatherFingerprints(DistGroup group, long own) {
    try (PointerScope scope = new PointerScope()) {
      Tensor mine = Tensors.ofLongs(new long[] {own}, 1);
      Tensor all = Tensors.ofLongs(new long[group.worldSize()], group.worldSize());
      group.allGather(all, mine, "the weights check");
      long[] out = new long[group.worldSize()];
      try (LongPointer p = all.data_ptr_long()) {
        p.get(out);
      }
      return out;
    }
  }
}
