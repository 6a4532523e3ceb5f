#pragma once
#include <memory>

#include "core/registry.hpp"
#include "interfaces/model.hpp"

namespace landda::models {

using ModelRegistry = Registry<Model>;
// Every model landda knows, keyed by `model.type`.
const ModelRegistry& registry();

}  // namespace landda::models
