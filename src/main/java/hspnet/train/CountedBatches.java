package hspnet.train;

import java.util.Iterator;

import hspnet.data.Batch;
import hspnet.report.ProgressMeter;

/**
 * Evaluation batches that count into a progress line: a batch counts as done when the consumer
 * asks for the next one (it has been scored by then), the last one when the batches run out.
 */
final class CountedBatches implements Iterator<Batch> {
  private final Iterator<Batch> batches;
  private final ProgressMeter meter;
  private int pendingImages = -1;

  CountedBatches(Iterator<Batch> batches, ProgressMeter meter) {
    this.batches = batches;
    this.meter = meter;
  }

  @Override
  public boolean hasNext() {
    boolean more = batches.hasNext();
    if (!more) flush();
    return more;
  }

  @Override
  public Batch next() {
    flush();
    Batch b = batches.next();
    pendingImages = b.size();
    return b;
  }

  private void flush() {
    if (pendingImages < 0) return;
    meter.evalStep(pendingImages);
    pendingImages = -1;
  }
}
