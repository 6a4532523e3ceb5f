#include "observations/operators/surface_soil_moisture/surface_soil_moisture.hpp"

#include "core/error.hpp"

namespace landda::observations {

void SurfaceSoilMoisture::Params::visit(config::Visitor& v) {
  v("sensor", sensor,
    config::doc("sets the default sensing depth: smap, smos 0.05 m; amsr2, ascat 0.02 m; custom needs depth_m")
        .one_of({"smap", "smos", "amsr2", "ascat", "custom"}));
  v("depth_m", depth_m, config::doc("sensing depth (0: the sensor's default)").range(0, 5).in("m"));
  v("e_folding_m", e_folding_m,
    config::doc("exponential weighting exp(-z/e) in depth within the sensing depth (0: uniform)").range(0, 5).in("m"));
  v("variable", variable, config::doc("state variable holding volumetric soil moisture"));
  footprint.visit(v);
}

double SurfaceSoilMoisture::default_depth(const std::string& sensor) {
  if (sensor == "smap" || sensor == "smos") return 0.05;
  if (sensor == "amsr2" || sensor == "ascat") return 0.02;
  return 0.0;
}

void SurfaceSoilMoisture::prepare(const ObsGeometry& g) {
  const double depth = p_.depth_m > 0 ? p_.depth_m : default_depth(p_.sensor);
  if (!(depth > 0)) throw ConfigError("surface_soil_moisture: sensor custom needs depth_m > 0");
  if (g.layer_bottoms.empty()) throw ConfigError("surface_soil_moisture needs a model with soil layers");
  weights_ = depth_weights(g.layer_bottoms, 0.0, depth, p_.e_folding_m);
}

}  // namespace landda::observations
