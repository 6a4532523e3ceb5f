#pragma once
// Rescaling of retrievals to a reference (model) climatology, per location,
// over the pairs where both exist, as a piecewise-linear map between knots
// of the two distributions, extended linearly beyond the end knots:
//  - mean_std: knots mean -/+ std, i.e. y' = (y - mean(y)) std(ref)/std(y) + mean(ref)
//    (Draper et al. 2009);
//  - cdf: knots at the 0, 5, ..., 100th percentiles, CDF matching (Reichle &
//    Koster 2004; the piecewise-linear form of pytesmo's cdf_match).
// Errors scale by std(ref)/std(y) in both cases.
#include <Eigen/Core>
#include <string>
#include <vector>

namespace landda::observations {

// Fewer observation-model pairs than this at a location leave it as it is.
constexpr std::size_t kMinRescalePairs = 10;

struct RescaleFit {
  std::vector<double> obs_knots, ref_knots;  // increasing obs knots after ties are dropped
  double error_ratio = 1;
  std::size_t pairs = 0;
  bool applied = false;  // false: fewer than min_pairs pairs, values left as they were
  double map(double y) const;
};

// method: "mean_std" or "cdf". group[i]: location index of observation i
// (0 .. n_groups-1); ref[i]: the reference at it (non-finite: no pair);
// pair[i]: whether observation i may enter the statistics (passed QC).
std::vector<RescaleFit> fit_rescaling(const std::string& method, const std::vector<int>& group, int n_groups,
                                      const std::vector<double>& ref, const std::vector<bool>& pair,
                                      const Eigen::VectorXd& value, std::size_t min_pairs = kMinRescalePairs);
// Rescales value and error of every observation of a group whose fit applies.
void apply_rescaling(const std::vector<RescaleFit>& fits, const std::vector<int>& group, Eigen::VectorXd& value,
                     Eigen::VectorXd& error);

}  // namespace landda::observations
