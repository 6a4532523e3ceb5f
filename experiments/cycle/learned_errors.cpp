#include "experiments/cycle/learned_errors.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "experiments/cycle/cycle.hpp"
#include "experiments/cycle/obs_source.hpp"
#include "observations/merging/merge.hpp"

namespace landda::experiments {

ErrorLearner::ErrorLearner(const SourceParams& p, Index first, Index locations)
    : method_(p.learn_error == "innovations" ? Method::innovations : p.learn_error == "tc" ? Method::tc : Method::none),
      first_(first),
      locations_(locations),
      memory_s_(p.learn_memory_days * 86400.0),
      min_count_(p.learn_min_count),
      lo_(p.learn_bounds[0]),
      hi_(p.learn_bounds[1]),
      correlation_(p.learn_correlation),
      background_(p.learn_background),
      max_weight_(2.0 / (p.learn_min_count + 1.0)) {}

double ErrorLearner::estimate(const Eigen::Ref<const Eigen::VectorXd>& s, bool inflated) const {
  const double nominal = s[5];
  if (by_tc()) {
    if (!(s[8] > 0) || !(nominal > 0)) return std::nan("");
    double r = s[8];
    if (inflated && background_ && s[0] >= min_count_ && s[3] > 0) {
      // The innovations' own account of the background error given R:
      // lambda HPH' = var(d) - R (Li, Kalnay & Miyoshi 2009); the gain of a
      // background scaled by lambda is the gain of R / lambda.
      const double var_d = std::max(0.0, s[2] - s[1] * s[1]);
      const double lambda = std::max(var_d - r, 0.0) / s[3];
      r = lambda > 0 ? r / lambda : hi_ * hi_ * nominal * nominal;
    }
    return std::sqrt(std::clamp(r, lo_ * lo_ * nominal * nominal, hi_ * hi_ * nominal * nominal));
  }
  if (s[0] < min_count_) return std::nan("");
  const double var_d = std::max(0.0, s[2] - s[1] * s[1]);
  double r = std::max(0.0, var_d - s[3]);
  if (inflated && correlation_ && var_d > 0) {
    const double rho = std::clamp((s[7] - s[1] * s[1]) / var_d, 0.0, 0.9);
    r *= (1 + rho) / (1 - rho);
  }
  return std::sqrt(std::clamp(r, lo_ * lo_ * nominal * nominal, hi_ * hi_ * nominal * nominal));
}

void ErrorLearner::apply(const Eigen::MatrixXd& state, const std::vector<int>& loc, ObsBatch& b, Index at) const {
  if (!learns()) return;
  for (std::size_t o = 0; o < loc.size(); ++o) {
    const double e = estimate(state.col(first_ + loc[o]), true);
    if (std::isfinite(e)) b.error[at + static_cast<Index>(o)] = e;
  }
}

void ErrorLearner::update(Eigen::MatrixXd& state, int loc, double d, double hph, double nominal, Time t,
                          Time window_start) const {
  if (!learns() || !std::isfinite(d)) return;
  auto s = state.col(first_ + loc);
  s[0] += 1;
  if (s[0] == 1) s[5] = nominal;
  // A running mean at first, then exponentially weighted in time, never by more than 2 / (min_count + 1): an
  // exponential mean of weight a averages about (2 - a) / a observations, so a sparse source (one every two weeks
  // weighs 1 - exp(-14/30) = 0.37 and averages four) still estimates its variances from min_count of them.
  const double dt = std::max(0.0, static_cast<double>(t.seconds) - s[4]);
  const double w = std::max(1.0 / s[0], s[0] == 1 ? 1.0 : std::min(1.0 - std::exp(-dt / memory_s_), max_weight_));
  s[1] += w * (d - s[1]);
  s[2] += w * (d * d - s[2]);
  s[3] += w * (hph - s[3]);
  // Successive innovations are paired across analyses only: within a window every observation is met by the same
  // forecast, whose error they share even when the filter is right; the innovations of a right filter are white
  // from one analysis to the next (Kalman 1960; Mehra 1970).
  if (s[0] > 1 && s[4] <= static_cast<double>(window_start.seconds)) {  // windows are (start, end]
    s[9] += 1;
    s[7] += std::max(w, 1.0 / s[9]) * (d * s[6] - s[7]);
  }
  s[6] = d;
  s[4] = static_cast<double>(t.seconds);
}

std::vector<double> ErrorLearner::errors(const Eigen::MatrixXd& state, bool inflated) const {
  std::vector<double> out(static_cast<std::size_t>(locations_), std::nan(""));
  if (learns())
    for (Index l = 0; l < locations_; ++l) out[static_cast<std::size_t>(l)] = estimate(state.col(first_ + l), inflated);
  return out;
}

namespace {

// A source's observations that passed QC, in geographic coordinates, as the merger bins them.
observations::ObsFile geographic(ObsSource& src, const Grid& grid) {
  observations::ObsFile f = src.data();
  for (std::size_t i = 0; i < f.obs.x.size(); ++i) grid.to_geographic(f.obs.x[i], f.obs.y[i], f.obs.x[i], f.obs.y[i]);
  f.station.clear();  // matched by distance
  return f;
}

std::size_t source_index(const CycleSetup& s, const std::string& name, const std::string& who) {
  for (std::size_t k = 0; k < s.sources.size(); ++k)
    if (s.sources[k].name() == name && s.sources[k].from_file()) return k;
  throw ConfigError(cat(s.cfg.source_file, ": source ", who, ": learn_tc_with names '", name,
                        "', which is not a file source of this run"));
}

}  // namespace

void estimate_tc_errors(CycleSetup& s, Eigen::MatrixXd& state) {
  const Grid& grid = s.model->grid();
  const Time start = s.p.start;
  const int days = static_cast<int>((s.p.window.seconds * s.p.cycles + 86399) / 86400);
  for (auto& src : s.sources) {
    const ErrorLearner& le = src.learner();
    if (!le.by_tc()) continue;
    const SourceParams& p = src.params();
    // The source's locations, and each product binned onto them by day.
    const observations::ObsFile own = geographic(src, grid);
    std::vector<MergeLocation> where(static_cast<std::size_t>(src.locations()));
    std::vector<char> seen(where.size(), 0);
    for (std::size_t i = 0; i < own.obs.x.size(); ++i) {
      const auto l = static_cast<std::size_t>(src.data_locations()[i]);
      if (!seen[l]) where[l] = {"", own.obs.x[i], own.obs.y[i]}, seen[l] = 1;
    }
    // The nominal error the bounds refer to: the location's mean (rescaled) error.
    std::vector<double> nominal(where.size(), 0.0), count(where.size(), 0.0);
    for (std::size_t i = 0; i < own.obs.x.size(); ++i) {
      const auto l = static_cast<std::size_t>(src.data_locations()[i]);
      nominal[l] += own.obs.error[static_cast<Index>(i)];
      count[l] += 1;
    }
    for (std::size_t l = 0; l < where.size(); ++l) nominal[l] /= std::max(1.0, count[l]);
    std::vector<observations::merging::Binned> binned;
    binned.push_back(observations::merging::bin_to_locations(own, where, start, Duration{86400}, days, 1e-3));
    for (const auto& other : p.learn_tc_with)
      binned.push_back(observations::merging::bin_to_locations(geographic(s.sources[source_index(s, other, p.name)], grid),
                                                                where, start, Duration{86400}, days, p.learn_tc_max_km));
    for (std::size_t l = 0; l < where.size(); ++l) {
      std::vector<double> x, y, z;
      for (int t = 0; t < days; ++t) {
        const double a = binned[0].value(t, static_cast<Index>(l)), b = binned[1].value(t, static_cast<Index>(l)),
                     c = binned[2].value(t, static_cast<Index>(l));
        if (std::isfinite(a) && std::isfinite(b) && std::isfinite(c)) x.push_back(a), y.push_back(b), z.push_back(c);
      }
      const auto tc = metrics::triple_collocation(x, y, z, static_cast<std::size_t>(p.learn_tc_min_samples));
      auto col = state.col(le.first_column() + static_cast<Index>(l));
      col[8] = tc.err_var[0];
      col[5] = nominal[l];
      log::info("learned error of ", p.name, " at (", where[l].lon, ", ", where[l].lat, ") by TC with ",
                config::join(p.learn_tc_with), ": ",
                tc.err_var[0] > 0 ? cat(std::sqrt(tc.err_var[0]), " from ", tc.n, " days") : cat("none (", x.size(), " days)"));
    }
  }
}

}  // namespace landda::experiments
