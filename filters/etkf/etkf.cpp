#include "filters/etkf/etkf.hpp"

namespace landda::filters {

AnalysisStats Etkf::analyse(Eigen::Ref<Eigen::MatrixXd> X, const AnalysisInput& in) {
  const auto& inf = p_.common.inflation;
  AnalysisStats stats;
  if (in.obs.size() == 0) return stats;
  const Eigen::VectorXd prior_spread = ensemble_spread(X);
  const ObsSpace s = make_obs_space(in.HX, in.obs, inf.prior_factor());
  inflate(X, inf.prior_factor());
  if (inf.adaptive == "enkf_n") {
    stats.inflation = inf.factor * solver_.enkf_n_weights(s.Y, s.d, s.rinv, W_, inf.enkf_n_strength);
  } else {
    solver_.weights(s.Y, s.d, s.rinv, W_, members() - 1.0);
    stats.inflation = inf.factor;
  }
  apply_weights(X, W_);
  relax_to_prior_spread(X, prior_spread, inf.rtps);
  inflate(X, inf.posterior_factor());
  return stats;
}

}  // namespace landda::filters
