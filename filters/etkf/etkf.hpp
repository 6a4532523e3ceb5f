#pragma once
// Ensemble transform Kalman filter, symmetric square root (Bishop, Etherton &
// Majumdar 2001; Hunt, Kostelich & Szunyogh 2007), global: one weight matrix
// for the whole state.
#include "filters/common/ensemble_space.hpp"
#include "filters/common/filter_params.hpp"
#include "interfaces/filter.hpp"

namespace landda::filters {

class Etkf final : public Filter {
 public:
  static constexpr const char* doc =
      "global ensemble transform Kalman filter, symmetric square root (Hunt et al. 2007)";
  struct Params {
    CommonParams common;
    void visit(config::Visitor& v) { common.visit(v); }
  };
  explicit Etkf(const Params& p) : p_(p), solver_(p.common.members) {}
  int members() const override { return p_.common.members; }
  AnalysisStats analyse(Eigen::Ref<Eigen::MatrixXd> X, const AnalysisInput& in) override;

 private:
  Params p_;
  EtkfSolver solver_;
  Eigen::MatrixXd W_;
};

}  // namespace landda::filters
