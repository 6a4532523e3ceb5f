#include "filters/none/none.hpp"

namespace landda::filters {

void NoFilter::Params::visit(config::Visitor& v) {
  v("members", members, config::doc("ensemble size N").range(1, 100000));
}

}  // namespace landda::filters
