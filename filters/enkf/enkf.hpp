#pragma once
// Stochastic ensemble Kalman filter with perturbed observations (Burgers,
// van Leeuwen & Evensen 1998; Evensen 2003), in its ensemble-space form.
#include "filters/common/ensemble_space.hpp"
#include "filters/common/filter_params.hpp"
#include "interfaces/filter.hpp"

namespace landda::filters {

class StochasticEnkf final : public Filter {
 public:
  static constexpr const char* doc =
      "stochastic EnKF with perturbed observations (Burgers et al. 1998), global";
  struct Params {
    CommonParams common;
    bool centre_perturbations = true;
    void visit(config::Visitor& v);
  };
  explicit StochasticEnkf(const Params& p);
  int members() const override { return p_.common.members; }
  AnalysisStats analyse(Eigen::Ref<Eigen::MatrixXd> X, const AnalysisInput& in) override;

 private:
  Params p_;
};

}  // namespace landda::filters
