#include "models/register.hpp"

#include "models/lorenz96/lorenz96.hpp"
#include "models/soil_water/soil_water.hpp"

namespace landda::models {

const ModelRegistry& registry() {
  static const ModelRegistry r = [] {
    ModelRegistry reg("model");
    reg.add<Lorenz96>("lorenz96");
    reg.add<SoilWater>("soil_water");
    return reg;
  }();
  return r;
}

}  // namespace landda::models
