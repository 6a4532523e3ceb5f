#include "observations/operators/degree_of_saturation/degree_of_saturation.hpp"

#include "core/error.hpp"

namespace landda::observations {

void DegreeOfSaturation::Params::visit(config::Visitor& v) {
  v("depth_m", depth_m, config::doc("sensing depth (C-band: about 2 cm)").range(0.001, 5).in("m"));
  v("variable", variable, config::doc("state variable holding volumetric soil moisture"));
  footprint.visit(v);
}

void DegreeOfSaturation::prepare(const ObsGeometry& g) {
  if (g.layer_bottoms.empty()) throw ConfigError("degree_of_saturation needs a model with soil layers");
  Eigen::VectorXd porosity, residual;
  if (!g.model || !g.model->static_field("porosity", porosity) || !g.model->static_field("residual", residual))
    throw ConfigError("degree_of_saturation needs the model's porosity and residual water content");
  weights_ = depth_weights(g.layer_bottoms, 0.0, p_.depth_m);
  dry_.resize(n_cells_);
  wet_.resize(n_cells_);
  for (int c = 0; c < n_cells_; ++c) {
    double r = 0, s = 0;
    for (int l = 0; l < n_layers_; ++l) {
      r += weights_[l] * residual[layout_->index(var_, l, c)];
      s += weights_[l] * porosity[layout_->index(var_, l, c)];
    }
    dry_[c] = r;
    wet_[c] = s;
  }
}

double DegreeOfSaturation::column(int c, const Eigen::Ref<const Eigen::VectorXd>& layers) const {
  return 100.0 * (weights_.dot(layers) - dry_[c]) / (wet_[c] - dry_[c]);
}

double DegreeOfSaturation::column_tangent(int c, const Eigen::Ref<const Eigen::VectorXd>&,
                                          const Eigen::Ref<const Eigen::VectorXd>& d) const {
  return 100.0 * weights_.dot(d) / (wet_[c] - dry_[c]);
}

}  // namespace landda::observations
