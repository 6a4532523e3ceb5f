#include "observations/register.hpp"

#include "observations/operators/crns/crns.hpp"
#include "observations/operators/degree_of_saturation/degree_of_saturation.hpp"
#include "observations/operators/insitu/insitu.hpp"
#include "observations/operators/layer_average/layer_average.hpp"
#include "observations/operators/state_element/state_element.hpp"
#include "observations/operators/surface_soil_moisture/surface_soil_moisture.hpp"

namespace landda::observations {

const OperatorRegistry& operators() {
  static const OperatorRegistry r = [] {
    OperatorRegistry reg("obs_operator");
    reg.add<StateElement>("state_element");
    reg.add<SurfaceSoilMoisture>("surface_soil_moisture");
    reg.add<DegreeOfSaturation>("degree_of_saturation");
    reg.add<Insitu>("insitu");
    reg.add<LayerAverage>("layer_average");
    reg.add<Crns>("crns");
    return reg;
  }();
  return r;
}

}  // namespace landda::observations
