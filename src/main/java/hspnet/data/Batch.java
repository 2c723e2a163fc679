package hspnet.data;

import java.util.List;

import org.bytedeco.pytorch.Tensor;

/**
 * One batch as the data loader yields it: {@code images} [B,3,S,S] float32 (CLIP-normalised),
 * {@code targets} [B,C] int64 multi-hot, the image paths as the list file names them, and every
 * image's index in the loader's sample list (ROLE and LL-Cp keep state per training image). The
 * tensors own their native memory; whoever receives a batch closes it.
 */
public record Batch(Tensor images, Tensor targets, List<String> paths, long[] indices) implements AutoCloseable {
  public Batch {
    paths = List.copyOf(paths);
    indices = indices.clone();
    if (indices.length != paths.size())
      throw new IllegalArgumentException(indices.length + " sample indices for " + paths.size() + " images");
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
