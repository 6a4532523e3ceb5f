#pragma once
// Gridded forcing as users download it (ERA5 and ERA5-Land from the Climate
// Data Store in both NetCDF layouts, GLDAS, NLDAS, MERRA-2), turned into a
// landda forcing file on the model's cells. One reader, driven by a variable
// map that says for each landda variable which file variable makes it, in
// which units, and how its values stand in time; presets are maps for the
// products. Each record of the output is the mean over [t, t + interval):
//   instantaneous      the value stamped t
//   mean_ending        a mean rate over the interval ending at its stamp: stamp t + interval
//   total_ending       a total over the interval ending at its stamp (per interval -> per second)
//   total_since_reset  a total accumulated since a daily reset hour (ERA5-Land): differences
//   mean_centred       a mean over the interval centred on its stamp (MERRA-2's HH:30): stamp t + interval / 2
//   mean_starting      a mean over the interval starting at its stamp: stamp t
// Values are interpolated from the four surrounding grid points (bilinear,
// weights renormalised over the points that have a value) or taken at the
// nearest. A cell and time with no value is an error naming the variable,
// the time and the place: forcing is never invented.
#include <string>
#include <vector>

#include "config/params.hpp"
#include "core/grid.hpp"
#include "core/time.hpp"
#include "models/soil_water/forcing_import.hpp"

namespace landda::models::soil {

struct ForcingMap {
  struct Entry {
    std::string target;  // pr, tas, rsds, rlds, hurs, sfcWind, ps
    std::string name;    // the file's variable
    std::vector<std::string> units;  // accepted spellings ("**" and "^" ignored)
    std::string timing = "instantaneous";
    double factor = 1.0;  // to landda's units (totals: to per-interval amounts in kg m-2 or J m-2)
    double offset = 0.0;
    int reset_hour = 0;   // total_since_reset: the UTC hour the accumulation restarts at
    // How it makes its target: value (itself), dewpoint (hurs from it and tas),
    // specific_humidity (hurs from it, tas and ps), wind_u / wind_v (sfcWind from both).
    std::string role = "value";
    void visit(config::Visitor& v);
  };
  std::vector<Entry> variables;
  void visit(config::Visitor& v);

  // The built-in maps: era5, era5_land, gldas, nldas, merra2.
  static ForcingMap preset(const std::string& name);
  static std::vector<std::string> presets();
};

struct GriddedForcingRequest {
  std::vector<std::string> inputs;  // files, folders or patterns
  ForcingMap map;
  std::string method = "bilinear";  // or nearest
  std::vector<double> lon, lat;     // the cells
  std::vector<std::string> names;
  Time start{-(std::int64_t{1} << 60)}, end{std::int64_t{1} << 60};
  std::vector<std::string> only;    // landda variables to make (empty: every one the files allow)
  // Elevation correction (LIS's lapse-rate adjustment; Cosgrove et al. 2003): with both, tas
  // changes by -6.5 K/km and ps hypsometrically over the height between the forcing's terrain at
  // the cell and the cell's own; relative humidity is kept. Each a NetCDF on a lat/lon grid
  // holding z or PHIS (geopotential, m2 s-2) or elevation, orog, orography, HGT (m), or for the
  // cells a list of heights (m), one a cell.
  std::string source_elevation, cell_elevation;
};

struct GriddedForcingResult {
  std::vector<ForcingSeries> cells;
  std::vector<std::string> made;     // landda variables, with the file variables they came from
  std::vector<std::string> missing;  // landda variables no file provides
  long long rounded_to_zero = 0;     // fluxes a hair below zero (GRIB packing, differences of totals) set to 0
  std::vector<double> height_change;  // per cell: its elevation minus the forcing's terrain there (m); empty: none
};

GriddedForcingResult import_gridded_forcing(const GriddedForcingRequest& r);

// A field on a regular lat/lon grid (row-major (lat, lon), NaN: no value) at the request's
// cells, interpolated as forcing is (r.method); NaN where no surrounding point has a value.
std::vector<double> field_at_cells(const std::vector<double>& lat, const std::vector<double>& lon,
                                   const std::vector<double>& field, const GriddedForcingRequest& r, const std::string& path);

}  // namespace landda::models::soil
