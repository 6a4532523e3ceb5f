#include "observations/operators/insitu/insitu.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace landda::observations {

void Insitu::Params::visit(config::Visitor& v) {
  v("depth_m", depth_m, config::doc("depth of the sensor's centre").range(0, 50).in("m"));
  v("sensor_length_m", sensor_length_m,
    config::doc("vertical extent the sensor averages over (0: a point)").range(0, 5).in("m"));
  v("variable", variable, config::doc("state variable holding volumetric soil moisture"));
  footprint.visit(v);
}

void Insitu::prepare(const ObsGeometry& g) {
  if (g.layer_bottoms.empty()) throw ConfigError("insitu needs a model with soil layers");
  const double half = 0.5 * std::max(p_.sensor_length_m, 1e-6);
  const double top = std::max(0.0, p_.depth_m - half), bottom = p_.depth_m + half;
  weights_ = depth_weights(g.layer_bottoms, top, bottom);
}

}  // namespace landda::observations
