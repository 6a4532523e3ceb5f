#pragma once
// Static soil fields for the soil-water model: topsoil and subsoil texture per cell,
// from constants (with optional random heterogeneity for OSSEs), from ISMN
// `*_static_variables.csv` files (HWSD values for 0-0.3 m and 0.3-1 m), or
// from a CF NetCDF file of per-cell fields.
#include <array>
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

// Layers whose centre lies above this depth (m) take the topsoil's texture, the others the subsoil's (HWSD's
// and ISMN's 0-0.3 m and 0.3-1 m).
constexpr double kTopsoilDepth = 0.3;

// A column's two textures, [0] topsoil and [1] subsoil, per cell of the model's grid (the fields give no more:
// each layer takes one of them, so the soil is built from two, not one per layer). Only the kinds asked for
// are filled (a grid with no layer below kTopsoilDepth has no subsoil).
std::array<std::vector<Texture>, 2> load_textures(const SoilWater::SoilParams& p, const Grid& grid,
                                                  std::array<bool, 2> wanted);

}  // namespace landda::models::soil
