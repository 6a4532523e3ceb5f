#pragma once
// Local ensemble transform Kalman filter (Hunt, Kostelich & Szunyogh 2007):
// an ETKF per grid cell with the observations within the cut-off radius,
// their inverse variances tapered by Gaspari-Cohn (R-localization). Every
// layer and variable of a cell shares the cell's weights.
#include "filters/common/ensemble_space.hpp"
#include "filters/common/filter_params.hpp"
#include "interfaces/filter.hpp"

namespace landda::filters {

class Letkf final : public Filter {
 public:
  static constexpr const char* doc =
      "local ETKF (Hunt et al. 2007) with Gaspari-Cohn R-localization; weights computed per grid cell";
  struct Params {
    CommonParams common;
    LocalizationParams localization;
    void visit(config::Visitor& v);
  };
  explicit Letkf(const Params& p) : p_(p), solver_(p.common.members) {}
  int members() const override { return p_.common.members; }
  AnalysisStats analyse(Eigen::Ref<Eigen::MatrixXd> X, const AnalysisInput& in) override;
  bool local() const override { return true; }
  std::vector<Index> observations_near(const Grid& grid, const StateLayout& layout, std::span<const Index> rows,
                                       const ObsBatch& obs) const override;

 private:
  int stride_for(const Grid& g) const;  // cells between the nodes whose weights are computed
  Params p_;
  EtkfSolver solver_;
};

}  // namespace landda::filters
