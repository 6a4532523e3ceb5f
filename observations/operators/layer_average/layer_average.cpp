#include "observations/operators/layer_average/layer_average.hpp"

#include "core/error.hpp"

namespace landda::observations {

void LayerAverage::Params::visit(config::Visitor& v) {
  v("top_m", top_m, config::doc("top of the depth range").range(0, 50).in("m"));
  v("bottom_m", bottom_m, config::doc("bottom of the depth range").range(0, 50).in("m"));
  v("variable", variable, config::doc("state variable holding volumetric soil moisture"));
  footprint.visit(v);
}

void LayerAverage::prepare(const ObsGeometry& g) {
  if (!(p_.bottom_m > p_.top_m))
    throw ConfigError(cat("layer_average: bottom_m (", p_.bottom_m, ") must be below top_m (", p_.top_m, ")"));
  if (g.layer_bottoms.empty()) throw ConfigError("layer_average needs a model with soil layers");
  weights_ = depth_weights(g.layer_bottoms, p_.top_m, p_.bottom_m);
}

}  // namespace landda::observations
