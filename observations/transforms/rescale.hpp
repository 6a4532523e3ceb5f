#pragma once
// Rescaling of retrievals to a reference (model) climatology, per location,
// over the pairs where both exist, as a piecewise-linear map between knots
// of the two distributions, extended linearly beyond the end knots:
//  - mean_std: knots mean -/+ std, i.e. y' = (y - mean(y)) std(ref)/std(y) + mean(ref)
//    (Draper et al. 2009);
//  - cdf: knots at the 0, 5, ..., 100th percentiles, CDF matching (Reichle &
//    Koster 2004; the piecewise-linear form of pytesmo's cdf_match).
//  - anomaly: only the observations' short-term anomalies are kept, on the
//    model's climatology: y' = m_ref(t) + (y - m_obs(t)) sa(ref)/sa(y), m the
//    35-day moving mean of each series over the pairs (pytesmo's moving-average
//    climatology) and sa the standard deviation of the anomalies from it; the
//    model keeps its seasonal cycle and the retrieval adds what changes within
//    weeks (anomaly assimilation, as in Draper et al. 2012 and De Lannoy &
//    Reichle 2016's climatology matching per season).
// Errors scale by std(ref)/std(y) (anomaly: sa(ref)/sa(y)) in every case.
#include <Eigen/Core>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace landda::observations {

// Fewer observation-model pairs than this at a location leave it as it is.
constexpr std::size_t kMinRescalePairs = 10;

struct RescaleFit {
  std::vector<double> obs_knots, ref_knots;  // increasing obs knots after ties are dropped
  double error_ratio = 1;
  std::size_t pairs = 0;
  bool applied = false;  // false: fewer than min_pairs pairs, values left as they were
  // anomaly: daily moving means from clim_day0 (days since the epoch), NaN where no pair is near.
  std::int64_t clim_day0 = 0;
  std::vector<double> clim_obs, clim_ref;
  double map(double y) const;
  double map(double y, Time t) const;  // anomaly: on the climatology at t (the nearest day with one)
};

// Half-width of the anomaly method's moving window (35 days in all).
constexpr int kAnomalyHalfWindowDays = 17;

// method: "mean_std", "cdf" or "anomaly" (which needs `time`). group[i]:
// location index of observation i (0 .. n_groups-1); ref[i]: the reference
// at it (non-finite: no pair); pair[i]: whether observation i may enter the
// statistics (passed QC).
std::vector<RescaleFit> fit_rescaling(const std::string& method, const std::vector<int>& group, int n_groups,
                                      const std::vector<double>& ref, const std::vector<bool>& pair,
                                      const Eigen::VectorXd& value, const std::vector<Time>& time = {},
                                      std::size_t min_pairs = kMinRescalePairs);
// Rescales value and error of every observation of a group whose fit applies
// (`time` of each observation for the anomaly method).
void apply_rescaling(const std::vector<RescaleFit>& fits, const std::vector<int>& group, Eigen::VectorXd& value,
                     Eigen::VectorXd& error, const std::vector<Time>& time = {});

}  // namespace landda::observations
