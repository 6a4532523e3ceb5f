#include "models/soil_water/lis_state.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "io/netcdf.hpp"

namespace landda::models::soil {

std::vector<double> lis_state(const std::string& path, const GriddedForcingRequest& cells,
                              const std::vector<double>& layer_bottoms) {
  const auto nc = io::NcFile::open(path);
  for (const char* v : {"SoilMoist_inst", "lat", "lon"})
    if (!nc.has_var(v)) throw InputError(cat(path, ": variable '", v, "' is missing; a LIS history file has it"));
  if (!nc.has_att("", "SOIL_LAYER_THICKNESSES"))
    throw InputError(cat(path, ": no SOIL_LAYER_THICKNESSES attribute (cm): the LIS layers' depths are unknown"));
  const auto thick = nc.att_values("", "SOIL_LAYER_THICKNESSES");
  const auto shape = nc.var_shape("SoilMoist_inst");
  const auto lat2 = nc.get("lat"), lon2 = nc.get("lon");
  if (shape.size() != 3 || shape[0] != thick.size() || lat2.size() != shape[1] * shape[2] || lon2.size() != lat2.size())
    throw InputError(cat(path, ": SoilMoist_inst must be (", thick.size(), " layers, north_south, east_west) like lat and lon"));
  const std::size_t ny = shape[1], nx = shape[2];
  // LIS's equidistant cylindrical grid from its corner and spacing (lat and lon are fill over water);
  // every place the file does give must lie on it.
  if (!nc.has_att("", "MAP_PROJECTION") || nc.att_text("", "MAP_PROJECTION") != "EQUIDISTANT CYLINDRICAL")
    throw InputError(cat(path, ": MAP_PROJECTION is not EQUIDISTANT CYLINDRICAL (only LIS's lat/lon grid is read)"));
  const double lat0 = nc.att_values("", "SOUTH_WEST_CORNER_LAT")[0], lon0 = nc.att_values("", "SOUTH_WEST_CORNER_LON")[0];
  const double dy = nc.att_values("", "DY")[0], dx = nc.att_values("", "DX")[0];
  std::vector<double> lat(ny), lon(nx);
  for (std::size_t j = 0; j < ny; ++j) lat[j] = lat0 + dy * static_cast<double>(j);
  for (std::size_t i = 0; i < nx; ++i) lon[i] = lon0 + dx * static_cast<double>(i);
  for (std::size_t j = 0; j < ny; ++j)
    for (std::size_t i = 0; i < nx; ++i) {
      const double a = lat2[j * nx + i], b = lon2[j * nx + i];
      if ((std::isfinite(a) && std::fabs(a - lat[j]) > 1e-3) || (std::isfinite(b) && std::fabs(b - lon[i]) > 1e-3))
        throw InputError(cat(path, ": lat/lon at row ", j, ", column ", i, " (", a, ", ", b, ") are not on the grid of the "
                               "file's SOUTH_WEST_CORNER_LAT/LON, DX and DY"));
    }
  const auto all = nc.get("SoilMoist_inst");
  std::vector<std::vector<double>> at(thick.size());  // LIS layer x cell
  for (std::size_t k = 0; k < thick.size(); ++k) {
    const std::vector<double> plane(all.begin() + static_cast<std::ptrdiff_t>(k * ny * nx),
                                    all.begin() + static_cast<std::ptrdiff_t>((k + 1) * ny * nx));
    at[k] = field_at_cells(lat, lon, plane, cells, path);
  }
  const std::size_t m = cells.lon.size(), L = layer_bottoms.size();
  std::vector<double> out(L * m);
  for (std::size_t l = 0; l < L; ++l) {
    const double top = l == 0 ? 0.0 : layer_bottoms[l - 1], bottom = layer_bottoms[l];
    for (std::size_t c = 0; c < m; ++c) {
      double sum = 0, weight = 0, lis_top = 0;
      for (std::size_t k = 0; k < thick.size(); ++k) {
        const double lis_bottom = lis_top + thick[k] / 100.0;
        // the deepest LIS layer stands for everything below it
        const double overlap = std::min(bottom, k + 1 == thick.size() ? std::max(bottom, lis_bottom) : lis_bottom) -
                               std::max(top, lis_top);
        if (overlap > 0) sum += overlap * at[k][c], weight += overlap;
        lis_top = lis_bottom;
      }
      const double v = sum / weight;
      if (!std::isfinite(v))
        throw InputError(cat(path, ": no soil moisture around cell ", c, " '", cells.names[c], "' (", cells.lon[c], " E, ",
                             cells.lat[c], " N): LIS has no value at the surrounding points (water or outside its domain)"));
      if (v < 0 || v > 1) throw InputError(cat(path, ": soil moisture ", v, " m3 m-3 at cell ", c, " is not physical"));
      out[l * m + c] = v;
    }
  }
  return out;
}

void write_state(const std::string& path, const std::string& variable, const std::vector<double>& values,
                 const GriddedForcingRequest& cells, const std::vector<double>& layer_bottoms) {
  const std::size_t m = cells.lon.size(), L = layer_bottoms.size();
  auto nc = io::NcFile::create(path);
  nc.def_dim("layer", L);
  nc.def_dim("cell", m);
  nc.put_att("", "Conventions", "CF-1.8");
  nc.put_att("", "title", "landda initial state");
  nc.def_var({"layer_bottom", io::NcType::f64, {"layer"}});
  nc.put_att("layer_bottom", "units", "m");
  nc.def_var({"lat", io::NcType::f64, {"cell"}});
  nc.put_att("lat", "units", "degrees_north");
  nc.def_var({"lon", io::NcType::f64, {"cell"}});
  nc.put_att("lon", "units", "degrees_east");
  nc.def_var({variable, io::NcType::f64, {"layer", "cell"}});
  nc.put_att(variable, "units", "m3 m-3");
  nc.put_att(variable, "coordinates", "lat lon");
  nc.end_def();
  nc.put("layer_bottom", layer_bottoms.data());
  nc.put("lat", cells.lat.data());
  nc.put("lon", cells.lon.data());
  nc.put(variable, values.data());
  nc.commit();
}

}  // namespace landda::models::soil
