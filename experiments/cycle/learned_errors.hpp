#pragma once
// Observation errors learned from the data, per source and location, beside
// the constant and per-value file errors.
//   innovations: the innovation covariance E[d d'] = HPH' + R (Dee 1995; the
//     internal diagnostic of the adaptive EnKF of Reichle, Crow & Keppenne 2008)
//     gives R = var(O - B) - HPH' at each location, from exponentially weighted
//     means over the location's observations (e-folding `learn_memory_days`),
//     bounded to [lo, hi] times the nominal error and used once a location has
//     `learn_min_count` observations (before: the nominal error).
//   Errors that persist from one observation to the next count as fewer
//   independent observations: R is inflated by (1 + r) / (1 - r), r the lag-1
//   autocorrelation of the location's innovations (r >= 0, at most 0.9), the
//   variance factor of the mean of an AR(1) series (Wilks 1997; the
//   inflation of correlated observation errors of Liu & Rabier 2003). The
//   innovations of a well-specified filter are white (Mehra 1970), so r is
//   near 0 where the errors are right.
//   tc: triple collocation of the source with two others (`learn_tc_with`),
//     per location on daily means of the rescaled observations over the run
//     (McColl et al. 2014, the covariance with n - 1 as in pytesmo; the
//     collocation and estimator of the TC merger), so in model space where
//     the observations were rescaled to the model; fixed over the run.
// The estimates live in the run state (checkpointed with it): one column per
// location of every learning source.
#include <Eigen/Core>
#include <string>
#include <vector>

#include "core/observation.hpp"
#include "core/state.hpp"
#include "core/time.hpp"

namespace landda::experiments {

struct SourceParams;
struct CycleSetup;

class ErrorLearner {
 public:
  // Rows of a location's state: count, mean d, mean d^2, mean HPH', time of
  // its last observation (seconds), the nominal error seen first, the last
  // innovation, the mean product of successive windows' innovations, the TC
  // error variance, and how many such pairs.
  static constexpr Index kRows = 10;
  // `first`: this source's first column in the shared state; `locations` of it.
  ErrorLearner(const SourceParams& p, Index first, Index locations);
  bool learns() const { return method_ != Method::none; }
  bool by_tc() const { return method_ == Method::tc; }
  Index first_column() const { return first_; }
  // The error of each observation (rows [at, at + loc.size()) of `b`): the
  // learned one where a location has enough observations.
  void apply(const Eigen::MatrixXd& state, const std::vector<int>& loc, ObsBatch& b, Index at) const;
  // One observation not missing, with its innovation and HPH', in the window that starts at `window_start`.
  void update(Eigen::MatrixXd& state, int loc, double d, double hph, double nominal, Time t, Time window_start) const;
  // The learned error standard deviation at each location (NaN: not learned
  // yet); `inflated`: with the correlation's inflation (the one used).
  std::vector<double> errors(const Eigen::MatrixXd& state, bool inflated) const;

 private:
  double estimate(const Eigen::Ref<const Eigen::VectorXd>& s, bool inflated) const;
  enum class Method { none, innovations, tc } method_ = Method::none;
  Index first_ = 0, locations_ = 0;
  double memory_s_ = 30 * 86400.0, min_count_ = 10, lo_ = 0.2, hi_ = 10;
  bool correlation_ = true, background_ = false;
  double max_weight_ = 2.0 / 11.0;  // an observation's largest weight in the means: min_count of them averaged
};

// The TC error variance of every location of the sources that learn by TC,
// written into the state's last row (after the rescaling pass; collective-free,
// the same on every rank).
void estimate_tc_errors(CycleSetup& s, Eigen::MatrixXd& state);

}  // namespace landda::experiments
