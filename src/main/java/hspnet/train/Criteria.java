package hspnet.train;

import org.bytedeco.pytorch.Tensor;

import hspnet.config.RunConfig;
import hspnet.loss.ColeLoss;
import hspnet.loss.Criterion;
import hspnet.loss.LargeLoss;
import hspnet.loss.Role;
import hspnet.loss.Splc;

/** The loss a config's {@code loss} key names, with its parameters from the config. */
public final class Criteria {
  private Criteria() {}

  /**
   * @param trainLabels the training set's observed labels {@code [N_train, C]} (ROLE initialises its
   *                    estimator from them; LL-Cp keeps its label changes in a matrix of that shape)
   */
  public static Criterion of(RunConfig cfg, Tensor trainLabels) {
    RunConfig.BaselineKeys b = cfg.baselines();
    long[] shape = trainLabels.sizes().vec().get();
    return switch (cfg.loss()) {
      // the original builds SPLC with margin 1 and gamma 2 (SPEC 3)
      case SPLC -> new Splc(cfg.tau(), cfg.changeEpoch(), 1.0, 2.0);
      case AN -> new ColeLoss(ColeLoss.Kind.AN, b.lsCoef(), b.expectedNumPos());
      case AN_LS -> new ColeLoss(ColeLoss.Kind.AN_LS, b.lsCoef(), b.expectedNumPos());
      case WAN -> new ColeLoss(ColeLoss.Kind.WAN, b.lsCoef(), b.expectedNumPos());
      case EPR -> new ColeLoss(ColeLoss.Kind.EPR, b.lsCoef(), b.expectedNumPos());
      // the estimator's initial values: their own stream of the run's seed
      case ROLE -> new Role(trainLabels, b.expectedNumPos(), cfg.seed() ^ 0x524f4c45L, cfg.lr() * b.roleLrMult());
      case LL_R -> new LargeLoss(LargeLoss.Scheme.REJECT, b.deltaRel(), shape);
      case LL_CT -> new LargeLoss(LargeLoss.Scheme.CORRECT_TEMPORARY, b.deltaRel(), shape);
      case LL_CP -> new LargeLoss(LargeLoss.Scheme.CORRECT_PERMANENT, b.deltaRel(), shape);
    };
  }
}
