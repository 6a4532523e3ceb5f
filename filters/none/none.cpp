#include "filters/none/none.hpp"

namespace landda::filters {

void NoFilter::Params::visit(config::Visitor& v) {
  common.visit(v);
  v.section("localization", localization,
            config::doc("not used by the open loop; accepted so that a LETKF config can switch to it"));
}

}  // namespace landda::filters
