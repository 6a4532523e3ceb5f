#pragma once
// The paired answer to "did assimilation help here, and how sure is that?":
// per station and layer, each experiment's R, anomaly R and ubRMSE minus the
// open loop's on the same matched pairs, with a 95 % moving-block bootstrap
// interval (block length from the residuals' lag-1 autocorrelation, Wilks
// 1997), and the mean over stations with its interval (every station
// resampled in each bootstrap draw).
// An ensemble's mean depends on the random draws of its perturbations: two
// open loops that differ only in their seed differ at the Hawaii stations by
// more than assimilation changes them, and persistently, so resampling time
// cannot see it. With replicates (every experiment run again with other
// seeds, the open loop too) the difference is the mean over replicates of
// each replicate's paired difference, and each bootstrap draw resamples the
// replicates as well as the blocks of time (a two-stage bootstrap, Davison &
// Hinkley 1997, sec. 3.8), so the interval holds both sources of noise.
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/location_key.hpp"
#include "core/time.hpp"

namespace landda::experiments {

// One station's validation series in one layer: the observations and each
// experiment's value at the same times, in every replicate.
struct PairedSeries {
  LocationKey station;
  std::string layer;
  std::vector<Time> time;
  std::vector<double> obs;
  std::map<std::string, std::vector<std::vector<double>>> model;  // by experiment, then replicate
};

struct Difference {
  double value = std::nan(""), lo = std::nan(""), hi = std::nan("");
  // The bootstrap's two-sided p-value of a zero difference: the smallest
  // alpha at which the (1 - alpha) percentile interval excludes zero.
  double p = std::nan("");
  bool discovery = false;  // significant over the family (control_fdr)
  // "better", "worse" or "no significant difference"; `higher_is_better` for R.
  std::string verdict(bool higher_is_better) const;
  // The same over the family of every station's tests (after control_fdr).
  std::string family_verdict(bool higher_is_better) const;
};

struct PairedRow {
  std::string experiment, station, layer;  // station "all stations (mean)" for the mean
  std::size_t n = 0, block = 0, stations = 1, replicates = 1;
  bool mean = false;  // the mean over the layer's stations
  Difference r, anomaly_r, ubrmse;
  std::string note;  // why a station has no differences (too few days)
};

// Many stations, layers, experiments and metrics are many tests: at 95 %
// each, one in twenty of the differences that are zero is called better or
// worse. Over the family of every station row's three differences (the
// means over stations left out), the false discovery rate is held at `q`
// (Benjamini & Hochberg 1995); Wilks (2016, BAMS 97, 2263) recommends this
// for many correlated tests, at q = 2 alpha (0.10 for alpha 0.05). Sets each
// difference's `discovery`; returns the number of tests.
std::size_t control_fdr(std::vector<PairedRow>& rows, double q);

// Stations with fewer than `min_pairs` pairs are left out; those whose pairs
// fall on fewer than `min_days` days (pytesmo's minimum of 50 daily pairs; a
// few weeks of hourly pairs say nothing of a seasonal series, and their
// anomalies from a 35-day mean are not defined) get a row saying so.
std::vector<PairedRow> paired_differences(const std::vector<PairedSeries>& series, const std::string& reference,
                                          const std::vector<std::string>& experiments, std::size_t min_pairs,
                                          std::size_t min_days, int resamples, std::uint64_t seed);

}  // namespace landda::experiments
