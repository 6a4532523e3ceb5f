#include "observations/transforms/rescale.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace landda::observations {

namespace {

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double stdev(const std::vector<double>& v, double m) {
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size()));
}

// Percentile by linear interpolation between order statistics (numpy's default).
double percentile(const std::vector<double>& sorted, double q) {
  const double pos = q / 100.0 * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

constexpr std::int64_t kDay = 86400;

std::int64_t day_of(Time t) { return t.seconds >= 0 ? t.seconds / kDay : -((-t.seconds + kDay - 1) / kDay); }

// Daily moving means of y and r over the pairs within the half window of
// each day, from the first paired day to the last; the anomaly fit.
void fit_anomaly(RescaleFit& f, const std::vector<std::int64_t>& day, const std::vector<double>& y,
                 const std::vector<double>& r) {
  const std::int64_t d0 = *std::min_element(day.begin(), day.end()), d1 = *std::max_element(day.begin(), day.end());
  const auto n = static_cast<std::size_t>(d1 - d0 + 1);
  // Sums per day, then window sums by prefix sums.
  std::vector<double> sy(n + 1, 0), sr(n + 1, 0), c(n + 1, 0);
  for (std::size_t i = 0; i < day.size(); ++i) {
    const auto k = static_cast<std::size_t>(day[i] - d0) + 1;
    sy[k] += y[i], sr[k] += r[i], c[k] += 1;
  }
  for (std::size_t k = 1; k <= n; ++k) sy[k] += sy[k - 1], sr[k] += sr[k - 1], c[k] += c[k - 1];
  f.clim_day0 = d0;
  f.clim_obs.assign(n, std::nan(""));
  f.clim_ref.assign(n, std::nan(""));
  const auto h = static_cast<std::int64_t>(kAnomalyHalfWindowDays);
  for (std::int64_t k = 0; k < static_cast<std::int64_t>(n); ++k) {
    const auto lo = static_cast<std::size_t>(std::max<std::int64_t>(k - h, 0));
    const auto hi = static_cast<std::size_t>(std::min<std::int64_t>(k + h + 1, static_cast<std::int64_t>(n)));
    const double count = c[hi] - c[lo];
    if (count > 0) {
      f.clim_obs[static_cast<std::size_t>(k)] = (sy[hi] - sy[lo]) / count;
      f.clim_ref[static_cast<std::size_t>(k)] = (sr[hi] - sr[lo]) / count;
    }
  }
  std::vector<double> ay, ar;
  for (std::size_t i = 0; i < day.size(); ++i) {
    const auto k = static_cast<std::size_t>(day[i] - d0);
    ay.push_back(y[i] - f.clim_obs[k]);
    ar.push_back(r[i] - f.clim_ref[k]);
  }
  const double say = stdev(ay, mean(ay)), sar = stdev(ar, mean(ar));
  f.error_ratio = say > 0 ? sar / say : 1.0;
}

}  // namespace

double RescaleFit::map(double y, Time t) const {
  if (clim_obs.empty()) return map(y);
  const auto n = static_cast<std::int64_t>(clim_obs.size());
  const std::int64_t k = std::clamp<std::int64_t>(day_of(t) - clim_day0, 0, n - 1);
  // The nearest day with a climatology (a gap longer than the window has none).
  for (std::int64_t off = 0; off < n; ++off)
    for (const std::int64_t j : {k - off, k + off})
      if (j >= 0 && j < n && std::isfinite(clim_obs[static_cast<std::size_t>(j)]))
        return clim_ref[static_cast<std::size_t>(j)] + (y - clim_obs[static_cast<std::size_t>(j)]) * error_ratio;
  return y;
}

double RescaleFit::map(double y) const {
  const auto& xo = obs_knots;
  const auto& xr = ref_knots;
  if (xo.empty()) return y;  // an anomaly fit maps with its time
  if (xo.size() == 1) return xr[0] + (y - xo[0]);  // a constant series: shift only
  std::size_t k = static_cast<std::size_t>(std::upper_bound(xo.begin(), xo.end(), y) - xo.begin());
  k = std::clamp<std::size_t>(k, 1, xo.size() - 1);  // end segments extend linearly
  return xr[k - 1] + (y - xo[k - 1]) * (xr[k] - xr[k - 1]) / (xo[k] - xo[k - 1]);
}

std::vector<RescaleFit> fit_rescaling(const std::string& method, const std::vector<int>& group, int n_groups,
                                      const std::vector<double>& ref, const std::vector<bool>& pair,
                                      const Eigen::VectorXd& value, const std::vector<Time>& time,
                                      std::size_t min_pairs) {
  if (method != "mean_std" && method != "cdf" && method != "anomaly")
    throw Error("fit_rescaling: unknown method '" + method + "'");
  const bool anomaly = method == "anomaly";
  if (anomaly && time.size() != group.size()) throw Error("fit_rescaling: the anomaly method needs each observation's time");
  std::vector<std::vector<double>> ys(static_cast<std::size_t>(n_groups)), rs(ys.size());
  std::vector<std::vector<std::int64_t>> days(ys.size());
  for (std::size_t i = 0; i < group.size(); ++i) {
    const double y = value[static_cast<Eigen::Index>(i)];
    if (!pair[i] || !std::isfinite(ref[i]) || !std::isfinite(y)) continue;
    ys[static_cast<std::size_t>(group[i])].push_back(y);
    rs[static_cast<std::size_t>(group[i])].push_back(ref[i]);
    if (anomaly) days[static_cast<std::size_t>(group[i])].push_back(day_of(time[i]));
  }
  std::vector<RescaleFit> fits(ys.size());
  for (std::size_t g = 0; g < ys.size(); ++g) {
    auto& f = fits[g];
    auto& y = ys[g];
    auto& r = rs[g];
    f.pairs = y.size();
    f.applied = f.pairs >= min_pairs && f.pairs > 0;
    if (!f.applied) continue;
    const double my = mean(y), mr = mean(r), sy = stdev(y, my), sr = stdev(r, mr);
    if (anomaly) {
      fit_anomaly(f, days[g], y, r);
      continue;
    }
    f.error_ratio = sy > 0 ? sr / sy : 1.0;
    std::vector<double> ko, kr;
    if (method == "mean_std") {
      ko = {my - sy, my + sy};
      kr = {mr - sr, mr + sr};
    } else {
      std::sort(y.begin(), y.end());
      std::sort(r.begin(), r.end());
      for (int q = 0; q <= 100; q += 5) {
        ko.push_back(percentile(y, q));
        kr.push_back(percentile(r, q));
      }
    }
    // Ties in the observations (a constant stretch) would make the map vertical.
    for (std::size_t k = 0; k < ko.size(); ++k)
      if (f.obs_knots.empty() || ko[k] > f.obs_knots.back()) {
        f.obs_knots.push_back(ko[k]);
        f.ref_knots.push_back(kr[k]);
      }
  }
  return fits;
}

void apply_rescaling(const std::vector<RescaleFit>& fits, const std::vector<int>& group, Eigen::VectorXd& value,
                     Eigen::VectorXd& error, const std::vector<Time>& time) {
  for (std::size_t i = 0; i < group.size(); ++i) {
    const auto& f = fits[static_cast<std::size_t>(group[i])];
    if (!f.applied) continue;
    const auto ii = static_cast<Eigen::Index>(i);
    if (!f.clim_obs.empty() && time.size() != group.size())
      throw Error("apply_rescaling: an anomaly fit needs each observation's time");
    if (std::isfinite(value[ii])) value[ii] = f.clim_obs.empty() ? f.map(value[ii]) : f.map(value[ii], time[i]);
    error[ii] *= f.error_ratio;
  }
}

}  // namespace landda::observations
