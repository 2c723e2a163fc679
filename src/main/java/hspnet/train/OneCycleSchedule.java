package hspnet.train;

/**
 * The one-cycle learning-rate and Adam beta1 schedule of torch's {@code OneCycleLR} (two phases,
 * cosine annealing, cycle_momentum on), reproduced formula for formula in double arithmetic.
 * LibTorch's C++ API has no such scheduler, so the trainer asks this class for the values and
 * writes them into the optimizer's parameter groups.
 *
 * <p>{@code lr(g, k)} and {@code beta1(k)} are what torch holds in the optimizer while optimizer step
 * {@code k} runs (step 0: right after construction); step {@code totalSteps} is what the scheduler
 * sets after the last step, and asking further raises as torch does.
 */
public final class OneCycleSchedule {
  /** pct_start, div_factor, final_div_factor, base / max momentum as train.py leaves them (torch defaults). */
  public static final double DEFAULT_PCT_START = 0.2;
  public static final double DEFAULT_DIV_FACTOR = 25;
  public static final double DEFAULT_FINAL_DIV_FACTOR = 1e4;
  public static final double DEFAULT_BASE_MOMENTUM = 0.85;
  public static final double DEFAULT_MAX_MOMENTUM = 0.95;

  private final double[] maxLr;
  private final double[] initialLr;
  private final double[] minLr;
  private final long totalSteps;
  private final double baseMomentum;
  private final double maxMomentum;
  /** torch: {@code float(pct_start * total_steps) - 1}, a float that need not be an integer. */
  private final double phase1End;
  private final double phase2End;

  public OneCycleSchedule(double[] maxLr, long totalSteps, double pctStart, double divFactor,
      double finalDivFactor, double baseMomentum, double maxMomentum) {
    if (maxLr == null || maxLr.length == 0)
      throw new IllegalArgumentException("maxLr needs one value per parameter group; got none");
    for (int g = 0; g < maxLr.length; g++)
      if (!Double.isFinite(maxLr[g]) || maxLr[g] < 0)
        throw new IllegalArgumentException("maxLr[" + g + "] must be a finite value >= 0, got " + maxLr[g]);
    if (totalSteps <= 0)
      throw new IllegalArgumentException("totalSteps must be a positive integer, got " + totalSteps);
    if (!(pctStart >= 0 && pctStart <= 1))
      throw new IllegalArgumentException("pctStart must be between 0 and 1, got " + pctStart);
    if (!(divFactor > 0) || !(finalDivFactor > 0))
      throw new IllegalArgumentException("divFactor and finalDivFactor must be > 0, got " + divFactor
          + " and " + finalDivFactor);
    if (!Double.isFinite(baseMomentum) || !Double.isFinite(maxMomentum))
      throw new IllegalArgumentException("momenta must be finite, got " + baseMomentum + " and " + maxMomentum);
    this.phase1End = pctStart * totalSteps - 1;
    this.phase2End = totalSteps - 1;
    // torch computes step 0 at construction and divides by the phase length: 0/0 raises there.
    if (phase1End == 0 || phase2End == phase1End)
      throw new IllegalArgumentException("pctStart " + pctStart + " with totalSteps " + totalSteps
          + " gives a warm-up phase of zero length (torch raises ZeroDivisionError)");
    this.maxLr = maxLr.clone();
    this.initialLr = new double[maxLr.length];
    this.minLr = new double[maxLr.length];
    for (int g = 0; g < maxLr.length; g++) {
      initialLr[g] = maxLr[g] / divFactor;
      minLr[g] = initialLr[g] / finalDivFactor;
    }
    this.totalSteps = totalSteps;
    this.baseMomentum = baseMomentum;
    this.maxMomentum = maxMomentum;
  }

  /** The schedule train.py builds: pct_start 0.2, div 25, final div 1e4, momentum 0.85 → 0.95. */
  public static OneCycleSchedule withDefaults(double[] maxLr, long totalSteps) {
    return new OneCycleSchedule(maxLr, totalSteps, DEFAULT_PCT_START, DEFAULT_DIV_FACTOR,
        DEFAULT_FINAL_DIV_FACTOR, DEFAULT_BASE_MOMENTUM, DEFAULT_MAX_MOMENTUM);
  }

  public int groups() { return maxLr.length; }

  public long totalSteps() { return totalSteps; }

  /** Learning rate of parameter group {@code group} during optimizer step {@code step}. */
  public double lr(int group, long step) {
    if (group < 0 || group >= maxLr.length)
      throw new IllegalArgumentException("group " + group + " out of range: the schedule has "
          + maxLr.length + " parameter groups");
    checkStep(step);
    return step <= phase1End
        ? anneal(initialLr[group], maxLr[group], step / phase1End)
        : anneal(maxLr[group], minLr[group], (step - phase1End) / (phase2End - phase1End));
  }

  /** Adam's beta1 during optimizer step {@code step}: max → base momentum in warm-up, then back. */
  public double beta1(long step) {
    checkStep(step);
    return step <= phase1End
        ? anneal(maxMomentum, baseMomentum, step / phase1End)
        : anneal(baseMomentum, maxMomentum, (step - phase1End) / (phase2End - phase1End));
  }

  private void checkStep(long step) {
    if (step < 0 || step > totalSteps)
      throw new IllegalArgumentException("step " + step + " is outside the schedule [0, " + totalSteps
          + "] (torch raises when stepped beyond total_steps)");
  }

  /**
   * torch's {@code _annealing_cos}, same operation order: {@code end + (start - end) / 2 * (cos(pi*pct) + 1)}.
   * StrictMath keeps the cosine identical on every JVM.
   */
  private static double anneal(double start, double end, double pct) {
    double cosOut = StrictMath.cos(Math.PI * pct) + 1;
    return end + (start - end) / 2.0 * cosOut;
  }
}
