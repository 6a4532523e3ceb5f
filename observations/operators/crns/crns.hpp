#pragma once
// Cosmic-ray neutron sensing (CRNS): the neutron-weighted water content of
// the column with the vertical weighting of Schrön et al. (2017),
//   W(d) = exp(-2 d / D86),  D86 = (8.321 + 0.14249 (0.96655 + e^{-r/100})
//                                  (20 + theta) / (0.0429 + theta)) / rho_b  [cm],
// whose penetration depth D86 depends on the sensed water content itself:
// theta_CRNS solves theta = sum_l w_l(D86(theta)) theta_l (a fixed point, as
// in Schrön's iterative procedure). Nonlinear; its tangent linear follows by
// implicit differentiation.
#include "observations/operators/column_operator.hpp"

namespace landda::observations {

class Crns final : public ColumnOperator {
 public:
  static constexpr const char* doc =
      "cosmic-ray neutron sensor: Schrön et al. (2017) depth weighting whose penetration depth depends on the "
      "soil moisture itself (nonlinear)";
  struct Params {
    double bulk_density = 1.4;
    double distance_m = 0.0;
    std::string variable = "soil_moisture";
    FootprintParams footprint;
    void visit(config::Visitor& v);
  };
  explicit Crns(const Params& p) : ColumnOperator(p.footprint, p.variable), p_(p) {}
  bool linear() const override { return false; }
  // Penetration depth D86 (cm) for water content theta, and dD86/dtheta.
  double d86(double theta) const;
  double d86_slope(double theta) const;

 private:
  void prepare(const ObsGeometry& g) override;
  double column(int cell, const Eigen::Ref<const Eigen::VectorXd>& layers) const override;
  double column_tangent(int cell, const Eigen::Ref<const Eigen::VectorXd>& layers,
                        const Eigen::Ref<const Eigen::VectorXd>& d) const override;
  // Layer weights for penetration depth D (cm) and their derivative in D.
  void weights(double D, Eigen::VectorXd& w, Eigen::VectorXd* dw) const;
  double solve(const Eigen::Ref<const Eigen::VectorXd>& layers) const;

  Params p_;
  std::vector<double> top_cm_, bottom_cm_;
};

}  // namespace landda::observations
