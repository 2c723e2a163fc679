package hspnet.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;

import org.bytedeco.pytorch.Tensor;

/**
 * A weights file opened for reading, its tensors not read yet: the names and shapes the file
 * declares can be checked against what a model needs before any tensor memory is allocated.
 */
public interface StateDictFile extends AutoCloseable {
  Path file();

  /** Every entry's shape, in the file's order (no data read). */
  LinkedHashMap<String, long[]> shapes();

  /**
   * The tensors, in the file's order, each a contiguous CPU tensor of its own in the file's dtype.
   *
   * @throws IllegalArgumentException naming the file and entry when the data is inconsistent
   */
  LinkedHashMap<String, Tensor> tensors() throws IOException;

  @Override
  void close() throws IOException;
}
