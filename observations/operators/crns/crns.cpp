#include "observations/operators/crns/crns.hpp"

#include <cmath>

#include "core/error.hpp"

namespace landda::observations {

void Crns::Params::visit(config::Visitor& v) {
  v("bulk_density", bulk_density, config::doc("dry soil bulk density rho_b").range(0.1, 2.5).in("g cm-3"));
  v("distance_m", distance_m,
    config::doc("horizontal distance r from the sensor the depth weighting is taken at (Schrön et al. 2017)")
        .range(0, 1000)
        .in("m"));
  v("variable", variable, config::doc("state variable holding volumetric soil moisture"));
  footprint.visit(v);
}

double Crns::d86(double theta) const {
  const double a = 0.14249 * (0.96655 + std::exp(-0.01 * p_.distance_m));
  return (8.321 + a * (20.0 + theta) / (0.0429 + theta)) / p_.bulk_density;
}

double Crns::d86_slope(double theta) const {
  const double a = 0.14249 * (0.96655 + std::exp(-0.01 * p_.distance_m));
  return a * (0.0429 - 20.0) / ((0.0429 + theta) * (0.0429 + theta)) / p_.bulk_density;
}

void Crns::prepare(const ObsGeometry& g) {
  if (g.layer_bottoms.empty()) throw ConfigError("crns needs a model with soil layers");
  double top = 0.0;
  top_cm_.clear();
  bottom_cm_.clear();
  for (double b : g.layer_bottoms) {
    top_cm_.push_back(100.0 * top);
    bottom_cm_.push_back(100.0 * b);
    top = b;
  }
}

void Crns::weights(double D, Eigen::VectorXd& w, Eigen::VectorXd* dw) const {
  // I_l = integral over the layer of exp(-2z/D) dz = D/2 (e^{-2a/D} - e^{-2b/D}).
  const int L = n_layers_;
  Eigen::VectorXd I(L), dI(L);
  for (int l = 0; l < L; ++l) {
    const double a = top_cm_[static_cast<std::size_t>(l)], b = bottom_cm_[static_cast<std::size_t>(l)];
    const double ea = std::exp(-2 * a / D), eb = std::exp(-2 * b / D);
    I[l] = 0.5 * D * (ea - eb);
    dI[l] = 0.5 * (ea - eb) + (a * ea - b * eb) / D;
  }
  const double S = I.sum(), dS = dI.sum();
  w = I / S;
  if (dw) *dw = (dI * S - I * dS) / (S * S);
}

double Crns::solve(const Eigen::Ref<const Eigen::VectorXd>& layers) const {
  Eigen::VectorXd w;
  double theta = layers[0];
  for (int it = 0; it < 100; ++it) {
    weights(d86(std::max(theta, 0.0)), w, nullptr);
    const double next = w.dot(layers);
    if (std::abs(next - theta) < 1e-15) return next;
    theta = next;
  }
  return theta;
}

double Crns::column(int, const Eigen::Ref<const Eigen::VectorXd>& layers) const { return solve(layers); }

double Crns::column_tangent(int, const Eigen::Ref<const Eigen::VectorXd>& layers,
                            const Eigen::Ref<const Eigen::VectorXd>& d) const {
  // theta = w(D(theta)) . x  =>  dtheta (1 - D'(theta) dw/dD . x) = w . dx
  const double theta = solve(layers);
  Eigen::VectorXd w, dw;
  weights(d86(std::max(theta, 0.0)), w, &dw);
  const double g = d86_slope(std::max(theta, 0.0)) * dw.dot(layers);
  return w.dot(d) / (1.0 - g);
}

}  // namespace landda::observations
