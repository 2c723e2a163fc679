package hspnet.train;

import static org.bytedeco.pytorch.global.torch.scalar_tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.ArchiveWriter;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.Tuple;
import org.bytedeco.pytorch.global.torch.ScalarType;

import hspnet.io.TorchScriptReader;

/**
 * LibTorch's Adam state as plain data, and back. The presets give no access to an optimizer's
 * per-parameter state except through {@code Optimizer.save/load} and LibTorch's archives, whose
 * loader ({@code torch::jit::load}) runs the code stored in the archive. So:
 * <ul>
 *   <li>saving: Adam writes its archive (to a temporary file, through a Java callback, so a full
 *       disk is an IOException here, never a C++ error), and its {@code data.pkl} is read back by
 *       the restricted reader into {@code {groups: [{lr, beta1, beta2, eps, weight_decay, amsgrad,
 *       params: [{step, exp_avg, exp_avg_sq[, max_exp_avg_sq]} | None, …]}, …]}};</li>
 *   <li>loading: an archive of exactly that schema is built here from the checked values (fixed
 *       key names, numbers and tensors only: nothing of the user's file becomes code) and handed
 *       to {@code Adam.load}.</li>
 * </ul>
 * Values go through unchanged (doubles and tensors bit for bit), so resuming stays exact.
 */
final class AdamStateArchive {
  private AdamStateArchive() {}

  /** Adam's state as plain data; {@code scratch} is a folder for the temporary archive. */
  static Map<String, Object> save(Adam adam, Path scratch) throws IOException {
    Path tmp = Files.createTempFile(scratch, ".resume.pt.optimizer.", ".tmp");
    try {
      try (OutputArchive archive = new OutputArchive()) {
        adam.save(archive);
        saveTo(archive, tmp);
      }
      return plain(TorchScriptReader.readTree(tmp), tmp);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Puts a state {@link #save} made back into {@code adam}, its tensors mapped to {@code device}.
   *
   * @throws IllegalArgumentException naming {@code source} when the data does not have the schema
   */
  static void load(Adam adam, Object saved, Device device, Path scratch, String source) throws IOException {
    Path tmp = Files.createTempFile(scratch, ".resume.pt.optimizer.", ".tmp");
    try {
      try (OutputArchive archive = archiveOf(saved, source)) {
        saveTo(archive, tmp);
      } catch (IOException e) {
        throw new IOException(source + ": cannot restore the optimizer state (it goes through a temporary file in "
            + scratch + "): " + e.getMessage(), e);
      }
      InputArchive in = new InputArchive();
      try {
        in.load_from(tmp.toString(), new DeviceOptional(device));
        adam.load(in);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(source + ": the optimizer state does not load: " + firstLine(e.getMessage()), e);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  // ------------------------------------------------------------------------------ LibTorch -> plain

  @SuppressWarnings("unchecked")
  private static Map<String, Object> plain(Object tree, Path tmp) {
    Map<String, Object> root = (Map<String, Object>) tree;
    Map<String, Object> state = (Map<String, Object>) root.get("state");
    Map<String, Object> groupsArchive = (Map<String, Object>) root.get("param_groups");
    long groups = ((Tensor) groupsArchive.get("param_groups/size")).item_long();
    List<Object> groupList = new ArrayList<>();
    for (long g = 0; g < groups; g++) {
      Map<String, Object> ga = (Map<String, Object>) groupsArchive.get("param_groups/" + g);
      Map<String, Object> options = (Map<String, Object>) ga.get("options");
      List<Object> betas = (List<Object>) options.get("betas");
      Map<String, Object> group = new LinkedHashMap<>();
      group.put("lr", options.get("lr"));
      group.put("beta1", betas.get(0));
      group.put("beta2", betas.get(1));
      group.put("eps", options.get("eps"));
      group.put("weight_decay", options.get("weight_decay"));
      group.put("amsgrad", options.get("amsgrad"));
      long n = ((Tensor) ga.get("params/size")).item_long();
      List<Object> params = new ArrayList<>();
      for (long j = 0; j < n; j++) {
        Map<String, Object> s = (Map<String, Object>) state.get((String) ga.get("params/" + j));
        if (s == null) {
          params.add(null);
          continue;
        }
        Map<String, Object> p = new LinkedHashMap<>();
        for (String k : List.of("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"))
          if (s.containsKey(k)) p.put(k, s.get(k));
        params.add(p);
      }
      group.put("params", params);
      groupList.add(group);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("groups", groupList);
    return out;
  }

  // ------------------------------------------------------------------------------ plain -> LibTorch

  private static OutputArchive archiveOf(Object saved, String source) {
    Schema s = new Schema(source);
    List<?> groups = s.list(s.map(saved, "optimizer").get("groups"), "optimizer.groups");
    OutputArchive root = new OutputArchive();
    root.write("pytorch_version", new IValue("1.5.0"));
    OutputArchive state = new OutputArchive();
    OutputArchive groupArchives = new OutputArchive();
    long key = 1;
    for (int g = 0; g < groups.size(); g++) {
      String where = "optimizer.groups[" + g + "]";
      Map<String, Object> group = s.map(groups.get(g), where);
      List<?> params = s.list(group.get("params"), where + ".params");
      OutputArchive ga = new OutputArchive();
      ga.write("params/size", longScalar(params.size()));
      for (int j = 0; j < params.size(); j++) {
        String k = Long.toString(key++);
        ga.write("params/" + j, new IValue(k));
        if (params.get(j) == null) continue;
        String pw = where + ".params[" + j + "]";
        Map<String, Object> p = s.map(params.get(j), pw);
        OutputArchive pa = new OutputArchive();
        pa.write("step", new IValue(s.integer(p.get("step"), pw + ".step")));
        pa.write("exp_avg", s.tensor(p.get("exp_avg"), pw + ".exp_avg"));
        pa.write("exp_avg_sq", s.tensor(p.get("exp_avg_sq"), pw + ".exp_avg_sq"));
        if (p.containsKey("max_exp_avg_sq")) pa.write("max_exp_avg_sq", s.tensor(p.get("max_exp_avg_sq"), pw + ".max_exp_avg_sq"));
        state.write(k, pa);
      }
      OutputArchive options = new OutputArchive();
      options.write("lr", new IValue(s.number(group.get("lr"), where + ".lr")));
      options.write("betas", new IValue(Tuple.create(new IValue(s.number(group.get("beta1"), where + ".beta1")),
          new IValue(s.number(group.get("beta2"), where + ".beta2")))));
      options.write("eps", new IValue(s.number(group.get("eps"), where + ".eps")));
      options.write("weight_decay", new IValue(s.number(group.get("weight_decay"), where + ".weight_decay")));
      options.write("amsgrad", new IValue(s.bool(group.get("amsgrad"), where + ".amsgrad")));
      ga.write("options", options);
      groupArchives.write("param_groups/" + g, ga);
    }
    groupArchives.write("param_groups/size", longScalar(groups.size()));
    root.write("state", state);
    root.write("param_groups", groupArchives);
    return root;
  }

  private static Tensor longScalar(long v) {
    return scalar_tensor(new Scalar(v), new TensorOptions().dtype(new ScalarTypeOptional(ScalarType.Long)));
  }

  /** Type checks of the plain data with messages naming the file and the path inside it. */
  private record Schema(String source) {
    @SuppressWarnings("unchecked")
    Map<String, Object> map(Object o, String where) {
      if (o instanceof Map<?, ?> m) return (Map<String, Object>) m;
      throw bad(where, "a dict", o);
    }

    List<?> list(Object o, String where) {
      if (o instanceof List<?> l) return l;
      throw bad(where, "a list", o);
    }

    long integer(Object o, String where) {
      if (o instanceof Long l && l >= 0) return l;
      throw bad(where, "a non-negative int", o);
    }

    double number(Object o, String where) {
      if (o instanceof Double d) return d;
      throw bad(where, "a float", o);
    }

    boolean bool(Object o, String where) {
      if (o instanceof Boolean b) return b;
      throw bad(where, "a bool", o);
    }

    Tensor tensor(Object o, String where) {
      if (o instanceof Tensor t) return t;
      throw bad(where, "a tensor", o);
    }

    private IllegalArgumentException bad(String where, String want, Object got) {
      return new IllegalArgumentException(source + ": '" + where + "' is not " + want + " (found "
          + (got == null ? "nothing" : got.getClass().getSimpleName()) + ")");
    }
  }

  /**
   * Writes an archive through a Java callback: an I/O error is remembered and rethrown here after
   * LibTorch's writer has finished, so that the writer itself never sees a failed write (its error
   * path can end the process).
   */
  private static void saveTo(OutputArchive archive, Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      IOException[] failed = {null};
      ArchiveWriter writer = new ArchiveWriter() {
        @Override
        public long call(Pointer data, long size) {
          if (failed[0] == null && size > 0) {
            try {
              ByteBuffer b = new BytePointer(data).capacity(size).limit(size).asByteBuffer();
              while (b.hasRemaining()) ch.write(b);
            } catch (IOException e) {
              failed[0] = e;
            }
          }
          return size;
        }
      };
      try {
        archive.save_to(writer);
      } catch (RuntimeException e) {
        throw new IOException(file + ": cannot write the optimizer state: " + firstLine(e.getMessage()), e);
      } finally {
        writer.close();
      }
      if (failed[0] != null) throw failed[0];
    }
  }

  private static String firstLine(String s) {
    if (s == null) return "unknown error";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
