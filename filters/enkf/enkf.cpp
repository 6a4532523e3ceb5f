#include "filters/enkf/enkf.hpp"

#include <Eigen/Cholesky>

#include "core/error.hpp"

namespace landda::filters {

void StochasticEnkf::Params::visit(config::Visitor& v) {
  common.visit(v);
  v("centre_perturbations", centre_perturbations,
    config::doc("remove the ensemble mean of the observation perturbations so that the analysis mean is the "
                "Kalman update of the forecast mean (Pham 2001)"));
}

StochasticEnkf::StochasticEnkf(const Params& p) : p_(p) {
  if (p_.common.inflation.adaptive != "none")
    throw ConfigError(cat("filter.inflation.adaptive = ", p_.common.inflation.adaptive,
                          " is available for the etkf and letkf filters, not the stochastic enkf"));
}

AnalysisStats StochasticEnkf::analyse(Eigen::Ref<Eigen::MatrixXd> X, const AnalysisInput& in) {
  const auto& inf = p_.common.inflation;
  const int N = members();
  AnalysisStats stats;
  stats.inflation = inf.factor;
  if (in.obs.size() == 0) return stats;
  if (!in.member_rng || static_cast<int>(in.member_rng->size()) != N)
    throw NumericalError("enkf: one observation-perturbation stream per member is required");
  const Index p = in.obs.size();
  const Eigen::VectorXd prior_spread = ensemble_spread(X);
  const ObsSpace s = make_obs_space(in.HX, in.obs, inf.prior_factor());
  inflate(X, inf.prior_factor());
  // Perturbed observations: member j draws from its own stream, so the draws
  // do not depend on which rank asks.
  Eigen::MatrixXd E(p, N);
  for (int j = 0; j < N; ++j) {
    RandomStream& rng = (*in.member_rng)[static_cast<std::size_t>(j)];
    for (Index i = 0; i < p; ++i) E(i, j) = rng.normal() * in.obs.error[i];
  }
  if (p_.centre_perturbations && N > 1) {
    const Eigen::VectorXd m = ensemble_mean(E);
    E.colwise() -= m;
    E *= std::sqrt(N / (N - 1.0));  // keep the perturbation variance equal to R
  }
  // D_j = y + e_j - H x_j, with H x_j the inflated member.
  Eigen::MatrixXd D = E;
  D.colwise() += s.d;
  D -= s.Y;
  // K D = Xp (Y' R^-1 Y + (N-1) I)^-1 Y' R^-1 D  (push-through identity).
  const Eigen::MatrixXd C = s.Y.transpose() * s.rinv.asDiagonal();
  Eigen::MatrixXd A = C * s.Y;
  A.diagonal().array() += N - 1.0;
  Eigen::MatrixXd W = A.llt().solve(C * D);
  W.diagonal().array() += 1.0;
  apply_weights(X, W);
  relax_to_prior_spread(X, prior_spread, inf.rtps);
  inflate(X, inf.posterior_factor());
  return stats;
}

}  // namespace landda::filters
