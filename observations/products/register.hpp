#pragma once
#include "core/registry.hpp"
#include "observations/products/product_reader.hpp"

namespace landda::observations::products {

using ProductRegistry = Registry<ProductReader>;
// Every product format `landda import` reads as distributed, keyed by its name.
const ProductRegistry& readers();

}  // namespace landda::observations::products
