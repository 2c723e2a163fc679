package hspnet.data;

import java.util.List;

import org.bytedeco.pytorch.Tensor;

/**
 * One batch as the data loader yields it: {@code images} [B,3,S,S] float32 (CLIP-normalised),
 * {@code targets} [B,C] int64 multi-hot, and the image paths as the list file names them. The
 * tensors own their native memory; whoever receives a batch closes it.
 */
public record Batch(Tensor images, Tensor targets, List<String> paths) implements AutoCloseable {
  public Batch {
    paths = List.copyOf(paths);
  }

  public int size() {
    return paths.size();
  }

  @Override
  public void close() {
    images.close();
    targets.close();
  }
}
