#pragma once
// The open loop: the ensemble is advanced but never updated.
#include "config/params.hpp"
#include "filters/common/filter_params.hpp"
#include "interfaces/filter.hpp"

namespace landda::filters {

class NoFilter final : public Filter {
 public:
  static constexpr const char* doc = "open loop: no analysis, the ensemble runs free (the baseline of every experiment)";
  // The keys of the other filters are accepted and unused, so that any
  // assimilation config becomes its open loop with --set filter.type=none.
  struct Params {
    CommonParams common;
    LocalizationParams localization;
    void visit(config::Visitor& v);
  };
  explicit NoFilter(const Params& p) : p_(p) {}
  int members() const override { return p_.common.members; }
  bool assimilates() const override { return false; }
  AnalysisStats analyse(Eigen::Ref<Eigen::MatrixXd>, const AnalysisInput&) override { return {}; }

 private:
  Params p_;
};

}  // namespace landda::filters
