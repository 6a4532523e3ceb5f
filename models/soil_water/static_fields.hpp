#pragma once
// Static soil fields for the soil-water model: texture per layer and cell,
// from constants (with optional random heterogeneity for OSSEs), from ISMN
// `*_static_variables.csv` files (HWSD values for 0-0.3 m and 0.3-1 m), or
// from a CF NetCDF file of per-cell fields.
#include <string>
#include <vector>

#include "core/grid.hpp"
#include "models/soil_water/hydraulics.hpp"
#include "models/soil_water/richards.hpp"
#include "models/soil_water/soil_water.hpp"

namespace landda::models::soil {

// One ISMN static-variables file: value of each quantity for the top
// (0-0.3 m) and sub (0.3-1 m) soil; missing quantities are NaN.
struct IsmnStatic {
  double sand[2], clay[2], silt[2], organic_carbon[2], saturation[2];
};
IsmnStatic read_ismn_static(const std::string& path);

// [layer][cell] textures for the model's grid and layers.
std::vector<std::vector<Texture>> load_textures(const SoilWater::SoilParams& p, const Grid& grid, const LayerGrid& layers);

}  // namespace landda::models::soil
