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

}  // namespace

double RescaleFit::map(double y) const {
  const auto& xo = obs_knots;
  const auto& xr = ref_knots;
  if (xo.size() == 1) return xr[0] + (y - xo[0]);  // a constant series: shift only
  std::size_t k = static_cast<std::size_t>(std::upper_bound(xo.begin(), xo.end(), y) - xo.begin());
  k = std::clamp<std::size_t>(k, 1, xo.size() - 1);  // end segments extend linearly
  return xr[k - 1] + (y - xo[k - 1]) * (xr[k] - xr[k - 1]) / (xo[k] - xo[k - 1]);
}

std::vector<RescaleFit> fit_rescaling(const std::string& method, const std::vector<int>& group, int n_groups,
                                      const std::vector<double>& ref, const std::vector<bool>& pair,
                                      const Eigen::VectorXd& value, std::size_t min_pairs) {
  if (method != "mean_std" && method != "cdf") throw Error("fit_rescaling: unknown method '" + method + "'");
  std::vector<std::vector<double>> ys(static_cast<std::size_t>(n_groups)), rs(ys.size());
  for (std::size_t i = 0; i < group.size(); ++i) {
    const double y = value[static_cast<Eigen::Index>(i)];
    if (!pair[i] || !std::isfinite(ref[i]) || !std::isfinite(y)) continue;
    ys[static_cast<std::size_t>(group[i])].push_back(y);
    rs[static_cast<std::size_t>(group[i])].push_back(ref[i]);
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
                     Eigen::VectorXd& error) {
  for (std::size_t i = 0; i < group.size(); ++i) {
    const auto& f = fits[static_cast<std::size_t>(group[i])];
    if (!f.applied) continue;
    const auto ii = static_cast<Eigen::Index>(i);
    if (std::isfinite(value[ii])) value[ii] = f.map(value[ii]);
    error[ii] *= f.error_ratio;
  }
}

}  // namespace landda::observations
