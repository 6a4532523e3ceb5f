#pragma once
// What the Copernicus Global Land 1 km soil-moisture images share (CGLS SSM
// and SWI product user manuals, Bauer-Marschallinger et al. 2018): one image
// per file on lat/lon axes, `time` (one step) as the image's time, % saturation
// stored as bytes with scale_factor 0.5 in valid_range 0-200, and the reasons a
// pixel has no value encoded in the value itself (flag_values above 240).
#include <string>
#include <vector>

#include "io/netcdf.hpp"
#include "observations/products/product_reader.hpp"

namespace landda::observations::products {

// Places, the image time and `variable`'s values into g; pixels holding one of
// `reject` (flag meanings of `variable`) get bits first, first + 1, ...
void read_cgls_image(const io::NcFile& nc, const std::string& variable, const std::vector<std::string>& reject,
                     int first, Granule& g);

}  // namespace landda::observations::products
