#pragma once
// Arithmetic mean of the rescaled products available in each bin, with the
// error of a mean of independent errors: sqrt(sum sigma_i^2) / n.
#include "config/params.hpp"
#include "interfaces/merger.hpp"

namespace landda::observations::merging {

class MeanMerger final : public Merger {
 public:
  struct Params {
    void visit(config::Visitor&) {}
  };
  static constexpr const char* doc = "arithmetic mean of the rescaled products, error from the components";
  explicit MeanMerger(const Params&) {}
  MergeResult merge(const MergeInput& in) override;
};

// The mean and its error where at least one product has a value (NaN elsewhere).
void mean_of_products(const MergeInput& in, Eigen::ArrayXXd& value, Eigen::ArrayXXd& error);

}  // namespace landda::observations::merging
