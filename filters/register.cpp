#include "filters/register.hpp"

#include "filters/enkf/enkf.hpp"
#include "filters/etkf/etkf.hpp"
#include "filters/letkf/letkf.hpp"
#include "filters/none/none.hpp"

namespace landda::filters {

const FilterRegistry& registry() {
  static const FilterRegistry r = [] {
    FilterRegistry reg("filter");
    reg.add<NoFilter>("none");
    reg.add<Etkf>("etkf");
    reg.add<StochasticEnkf>("enkf");
    reg.add<Letkf>("letkf");
    return reg;
  }();
  return r;
}

}  // namespace landda::filters
