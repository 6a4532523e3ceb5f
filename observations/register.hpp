#pragma once
#include "core/registry.hpp"
#include "interfaces/obs_operator.hpp"

namespace landda::observations {

using OperatorRegistry = Registry<ObsOperator>;
// Every observation operator landda knows, keyed by `operator.type`.
const OperatorRegistry& operators();

}  // namespace landda::observations
