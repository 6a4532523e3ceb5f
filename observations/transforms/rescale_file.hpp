#pragma once
// Rescaling parameters stored between runs: estimated once (from the control
// run) and reused by later runs with `rescale_file`. NetCDF: dimensions
// location and knot; longitude, latitude, pairs, error_ratio (location);
// obs_knots, ref_knots (location, knot; fill past a location's last knot);
// global attribute `method`.
#include <string>
#include <vector>

#include "observations/transforms/rescale.hpp"

namespace landda::observations {

void write_rescaling(const std::string& path, const std::string& method, const std::vector<double>& lon,
                     const std::vector<double>& lat, const std::vector<RescaleFit>& fits);
// The fits at the given places, in their order; throws InputError naming the
// file when the method differs or a place is not in it.
std::vector<RescaleFit> read_rescaling(const std::string& path, const std::string& method,
                                       const std::vector<double>& lon, const std::vector<double>& lat);

}  // namespace landda::observations
