#pragma once
// Validation metrics with pytesmo's definitions (pytesmo.metrics): bias,
// RMSD, ubRMSD, Pearson R with a Fisher-z confidence interval, Spearman's
// rho, anomaly R; temporal matching of two series; and triple collocation
// in the covariance notation (McColl et al. 2014) with bootstrap intervals.
#include <cstdint>
#include <utility>
#include <vector>

#include "core/random.hpp"
#include "core/time.hpp"

namespace landda::metrics {

struct Pairwise {
  std::size_t n = 0;
  double bias = 0;     // mean(x) - mean(y)
  double rmsd = 0;     // sqrt(mean((x - y)^2))
  double ubrmsd = 0;   // rmsd with both means removed
  double r = 0;        // Pearson
  double r_lo = 0, r_hi = 0;  // its 95 % interval (Fisher z; pytesmo's pearson_conf)
  double rho = 0;      // Spearman (average ranks for ties)
};

// NaN everywhere when fewer than min_n pairs; x and y must have equal length.
Pairwise compare(const std::vector<double>& x, const std::vector<double>& y, std::size_t min_n = 10);

double pearson(const std::vector<double>& x, const std::vector<double>& y);
double spearman(const std::vector<double>& x, const std::vector<double>& y);

// Anomalies from a moving-average climatology: each value minus the mean of
// the values within +-window/2 of its time (pytesmo calc_anomaly's moving
// average, default 35 days). Times must not decrease.
std::vector<double> anomalies(const std::vector<Time>& t, const std::vector<double>& v, Duration window = Duration{35 * 86400});

// Pearson R of the two series' anomalies (above), NaN when fewer than min_n
// pairs: the anomaly R of pytesmo's validation.
double anomaly_r(const std::vector<Time>& t, const std::vector<double>& x, const std::vector<double>& y,
                 std::size_t min_n = 10, Duration window = Duration{35 * 86400});

// Nearest-neighbour temporal matching (pytesmo temporal_matching): for every
// reference time the closest other time within `window`; unmatched references
// are dropped. Both time series must not decrease and values must be finite.
struct Matched {
  std::vector<Time> time;     // the reference times
  std::vector<double> ref, other;
};
Matched match(const std::vector<Time>& tr, const std::vector<double>& ref, const std::vector<Time>& to,
              const std::vector<double>& other, Duration window);

// Triple collocation of three collocated series (no common reference needed):
// error variances in each series' own units, SNR in dB, and the scaling that
// maps y and z onto x's scale (beta_x = 1).
struct TripleCollocation {
  std::size_t n = 0;
  double err_var[3] = {0, 0, 0};
  double snr_db[3] = {0, 0, 0};
  double beta[3] = {1, 0, 0};
  double err_var_lo[3] = {0, 0, 0}, err_var_hi[3] = {0, 0, 0};  // bootstrap 95 % (when asked)
};
// NaN when fewer than min_n triples. bootstrap > 0: that many resamples with
// the seeded stream `seed` for the intervals.
TripleCollocation triple_collocation(const std::vector<double>& x, const std::vector<double>& y,
                                     const std::vector<double>& z, std::size_t min_n = 100, int bootstrap = 0,
                                     std::uint64_t seed = 1);

// Lag-1 autocorrelation of a series (NaN when it is constant or shorter than 3).
double lag1_autocorrelation(const std::vector<double>& x);

// Block length of a moving-block bootstrap for n values of lag-1
// autocorrelation rho (Wilks 1997, eq. 12): L = (n - L + 1)^((2/3)(1 - n'/n)),
// n' = n (1 - rho)/(1 + rho) the effective sample size; solved by iteration.
std::size_t block_length(std::size_t n, double rho);

// One moving-block resample of 0 .. n-1 (Kuensch 1989): blocks of `block`
// consecutive indices from random starts, concatenated and cut to n; as
// (start, length) pairs, so that sums over a resample come from prefix sums.
struct Block {
  std::size_t start, length;
};
std::vector<Block> block_resample(std::size_t n, std::size_t block, RandomStream& rng);

// The 2.5th and 97.5th percentiles of replicate values (NaNs left out).
std::pair<double, double> percentile_interval(std::vector<double> replicates);

}  // namespace landda::metrics
