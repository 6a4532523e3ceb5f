#pragma once
// The paired answer to "did assimilation help here, and how sure is that?":
// per station and layer, each experiment's R, anomaly R and ubRMSE minus the
// open loop's on the same matched pairs, with a 95 % moving-block bootstrap
// interval (block length from the residuals' lag-1 autocorrelation, Wilks
// 1997), and the mean over stations with its interval (every station
// resampled in each replicate).
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/location_key.hpp"
#include "core/time.hpp"

namespace landda::experiments {

// One station's validation series in one layer: the observations and each
// experiment's value at the same times.
struct PairedSeries {
  LocationKey station;
  std::string layer;
  std::vector<Time> time;
  std::vector<double> obs;
  std::map<std::string, std::vector<double>> model;  // by experiment
};

struct Difference {
  double value = std::nan(""), lo = std::nan(""), hi = std::nan("");
  // "better", "worse" or "no significant difference"; `higher_is_better` for R.
  std::string verdict(bool higher_is_better) const;
};

struct PairedRow {
  std::string experiment, station, layer;  // station "all stations (mean)" for the mean
  std::size_t n = 0, block = 0, stations = 1;
  bool mean = false;  // the mean over the layer's stations
  Difference r, anomaly_r, ubrmse;
};

std::vector<PairedRow> paired_differences(const std::vector<PairedSeries>& series, const std::string& reference,
                                          const std::vector<std::string>& experiments, std::size_t min_pairs,
                                          int resamples, std::uint64_t seed);

}  // namespace landda::experiments
