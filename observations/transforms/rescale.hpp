#pragma once
// Linear rescaling of retrievals to a reference (model) climatology: at each
// location, y' = (y - mean(y)) * std(ref) / std(y) + mean(ref), over the pairs
// where both exist (Draper et al. 2009, following the CDF matching of Reichle
// & Koster 2004 to its first two moments). Errors scale by the same ratio.
#include <Eigen/Core>
#include <vector>

namespace landda::observations {

struct RescaleFit {
  double obs_mean = 0, ref_mean = 0, ratio = 1;
  std::size_t pairs = 0;
  bool applied = false;  // false: fewer than min_pairs pairs, values left as they were
};

// group[i]: location index of observation i (0 .. n_groups-1); ref[i]: the
// reference at it (non-finite: no pair); pair[i]: whether observation i may
// enter the statistics (finite and passed QC). Rescales value and error of
// every observation of a group with at least min_pairs pairs.
std::vector<RescaleFit> rescale_mean_std(const std::vector<int>& group, int n_groups, const std::vector<double>& ref,
                                         const std::vector<bool>& pair, Eigen::VectorXd& value, Eigen::VectorXd& error,
                                         std::size_t min_pairs = 10);

}  // namespace landda::observations
