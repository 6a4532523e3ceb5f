#pragma once
// ASCAT surface soil moisture is a degree of saturation (%) relative to the
// driest and wettest conditions seen (Wagner et al. 1999, 2013); in model
// terms 100 (theta - theta_r) / (theta_s - theta_r) over the sensing depth,
// with porosity and residual content from the model's soil.
#include "observations/operators/column_operator.hpp"

namespace landda::observations {

class DegreeOfSaturation final : public ColumnOperator {
 public:
  static constexpr const char* doc =
      "degree of saturation in % (ASCAT): 100 (theta - theta_r)/(theta_s - theta_r) over the sensing depth";
  struct Params {
    double depth_m = 0.02;
    std::string variable = "soil_moisture";
    FootprintParams footprint;
    void visit(config::Visitor& v);
  };
  explicit DegreeOfSaturation(const Params& p) : ColumnOperator(p.footprint, p.variable), p_(p) {}
  ObsVariable variable() const override { return {"soilMoistureSaturation", "%"}; }

 private:
  void prepare(const ObsGeometry& g) override;
  double column(int cell, const Eigen::Ref<const Eigen::VectorXd>& layers) const override;
  double column_tangent(int cell, const Eigen::Ref<const Eigen::VectorXd>& layers,
                        const Eigen::Ref<const Eigen::VectorXd>& d) const override;
  Params p_;
  Eigen::VectorXd weights_, dry_, wet_;  // per cell: weighted residual and porosity
};

}  // namespace landda::observations
