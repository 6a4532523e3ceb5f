#pragma once
#include "core/registry.hpp"
#include "interfaces/filter.hpp"

namespace landda::filters {

using FilterRegistry = Registry<Filter>;
// Every filter landda knows, keyed by `filter.type`.
const FilterRegistry& registry();

}  // namespace landda::filters
