#include "observations/merging/mean/mean.hpp"

#include <cmath>

namespace landda::observations::merging {

void mean_of_products(const MergeInput& in, Eigen::ArrayXXd& value, Eigen::ArrayXXd& error) {
  const Eigen::Index nt = static_cast<Eigen::Index>(in.time.size()), nl = static_cast<Eigen::Index>(in.locations.size());
  Eigen::ArrayXXd sum = Eigen::ArrayXXd::Zero(nt, nl), var = sum, n = sum;
  for (std::size_t p = 0; p < in.value.size(); ++p) {
    const auto has = in.value[p].isFinite();
    sum += has.select(in.value[p], 0.0);
    var += has.select(in.error[p].square(), 0.0);
    n += has.cast<double>();
  }
  const double nan = std::nan("");
  value = (n > 0).select(sum / n, nan);
  error = (n > 0).select(var.sqrt() / n, nan);
}

MergeResult MeanMerger::merge(const MergeInput& in) {
  MergeResult r;
  mean_of_products(in, r.value, r.error);
  r.summary.add("error_model", "sqrt(sum of the products' error variances) / n (independent errors)");
  return r;
}

}  // namespace landda::observations::merging
