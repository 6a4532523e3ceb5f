#include "models/register.hpp"

#include "models/lorenz96/lorenz96.hpp"

namespace landda::models {

const ModelRegistry& registry() {
  static const ModelRegistry r = [] {
    ModelRegistry reg("model");
    reg.add<Lorenz96>("lorenz96");
    return reg;
  }();
  return r;
}

}  // namespace landda::models
