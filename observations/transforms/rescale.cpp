#include "observations/transforms/rescale.hpp"

#include <cmath>

namespace landda::observations {

std::vector<RescaleFit> rescale_mean_std(const std::vector<int>& group, int n_groups, const std::vector<double>& ref,
                                         const std::vector<bool>& pair, Eigen::VectorXd& value, Eigen::VectorXd& error,
                                         std::size_t min_pairs) {
  const std::size_t n = group.size();
  std::vector<RescaleFit> fit(static_cast<std::size_t>(n_groups));
  auto counts = [&](std::size_t i) { return pair[i] && std::isfinite(ref[i]) && std::isfinite(value[Eigen::Index(i)]); };
  for (std::size_t i = 0; i < n; ++i)
    if (counts(i)) {
      auto& f = fit[static_cast<std::size_t>(group[i])];
      f.obs_mean += value[Eigen::Index(i)];
      f.ref_mean += ref[i];
      ++f.pairs;
    }
  std::vector<double> var_obs(fit.size(), 0.0), var_ref(fit.size(), 0.0);
  for (auto& f : fit)
    if (f.pairs > 0) {
      f.obs_mean /= static_cast<double>(f.pairs);
      f.ref_mean /= static_cast<double>(f.pairs);
    }
  for (std::size_t i = 0; i < n; ++i)
    if (counts(i)) {
      const auto g = static_cast<std::size_t>(group[i]);
      var_obs[g] += std::pow(value[Eigen::Index(i)] - fit[g].obs_mean, 2);
      var_ref[g] += std::pow(ref[i] - fit[g].ref_mean, 2);
    }
  for (std::size_t g = 0; g < fit.size(); ++g) {
    fit[g].applied = fit[g].pairs >= min_pairs;
    if (fit[g].applied && var_obs[g] > 0) fit[g].ratio = std::sqrt(var_ref[g] / var_obs[g]);
  }
  for (std::size_t i = 0; i < n; ++i) {
    const auto& f = fit[static_cast<std::size_t>(group[i])];
    if (!f.applied) continue;
    const auto ii = Eigen::Index(i);
    value[ii] = (value[ii] - f.obs_mean) * f.ratio + f.ref_mean;
    error[ii] *= f.ratio;
  }
  return fit;
}

}  // namespace landda::observations
