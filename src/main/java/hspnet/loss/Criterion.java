package hspnet.loss;

import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/**
 * The loss one training step calls, whatever its family: the step hands it the logits, the batch's
 * single-positive targets, the batch's indices in the training set and the 0-based epoch, and gets
 * back the loss and the targets it trained against. Losses with state of their own (ROLE's label
 * estimator, LL-Cp's corrected labels) expose it here, so that the optimizer and the resume state
 * can carry it without knowing which loss it is.
 */
public interface Criterion {
  /** The scalar loss and the targets it used (after any correction), with the input targets' dtype. */
  record Result(Tensor loss, Tensor targets) {}

  /**
   * @param logits        {@code [B, C]} logits (a non-float32 tensor is lifted to float32 first)
   * @param targets       {@code [B, C]} int64 single-positive targets
   * @param sampleIndices the batch's rows in the training set (ROLE and LL-Cp keep per-sample state)
   * @param epoch         0-based epoch
   */
  Result forward(Tensor logits, Tensor targets, long[] sampleIndices, int epoch);

  /** Learnable tensors of the loss itself (ROLE's estimator), optimised beside the model. */
  default List<Tensor> parameters() { return List.of(); }

  /** State a resumed run needs besides its parameters' values (kept on the CPU), by name. */
  default Map<String, Tensor> state() { return Map.of(); }

  /** Puts back what {@link #state()} returned; {@code source} names the file for messages. */
  default void loadState(Map<String, Tensor> saved, String source) {
    if (!saved.isEmpty()) throw new IllegalArgumentException(source + ": loss state " + saved.keySet() + " for a loss that keeps none");
  }

  /**
   * The (constant) learning rate of the Adam that optimises {@link #parameters()} — their authors
   * give the loss's own parameters an optimizer group of their own; unused without parameters.
   */
  default double parameterLr() { return 0; }

  /**
   * Whether the loss is a sum over the batch (SPLC) rather than a mean (the baselines): a
   * data-parallel training then sums the ranks' gradients instead of averaging them, so that
   * either way they make the gradient of the whole global batch.
   */
  default boolean sumsOverBatch() { return false; }

  /** Moves the loss's own tensors to the training device. */
  default void moveTo(Device device) {}
}
