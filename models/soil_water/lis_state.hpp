#pragma once
// Another land model's soil moisture as landda's initial state: a NASA LIS
// history file (SoilMoist_inst on its layers, SOIL_LAYER_THICKNESSES in cm,
// 2-D lat/lon of a regular grid) carried onto the model's cells (as forcing
// is interpolated) and layers (each landda layer the depth-weighted mean of
// the LIS layers it overlaps; below LIS's deepest layer, that layer's value).
// Written as a state file for `experiment.initial.file`.
#include <string>
#include <vector>

#include "models/soil_water/gridded_forcing.hpp"

namespace landda::models::soil {

// Layer-major values (layers x cells) of volumetric soil moisture, m3 m-3.
std::vector<double> lis_state(const std::string& path, const GriddedForcingRequest& cells,
                              const std::vector<double>& layer_bottoms);

// A state file: `variable` shaped (layer, cell), with the cells' places.
void write_state(const std::string& path, const std::string& variable, const std::vector<double>& values,
                 const GriddedForcingRequest& cells, const std::vector<double>& layer_bottoms);

}  // namespace landda::models::soil
