#pragma once
// The TU Wien time-series cell files (CF discrete sampling geometries) that
// carry SMAP, SMOS, ASCAT, ESA CCI, C3S, ERA5 and GLDAS soil moisture, in the
// three layouts they use: contiguous ragged arrays (row_size), indexed ragged
// arrays (locationIndex) and orthogonal (locations x time) arrays. A product
// preset names the value, its error and the quality rule of that product;
// CF scale factors, offsets, fill and missing values are applied on reading.
#include <limits>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "observations/ioda/ioda_file.hpp"

namespace landda::observations {

struct DsgProduct {
  std::string name, value, error, units, ioda_variable;
  double default_error = 0.04;  // in the output units
  double scale = 1.0;           // file values (and errors) times this give the output units
  // The quality rule, stated: which flag variables, and how each is tested.
  struct Rule {
    std::string variable;
    enum class Kind { equals, bit_clear, at_most } kind = Kind::equals;
    long long value = 0;  // equals: the good value; bit_clear: the mask that must be clear; at_most: the largest good
  };
  std::vector<Rule> rules;
  // Values (in the output units) outside this range are flagged, not imported.
  double valid_min = -std::numeric_limits<double>::infinity(), valid_max = std::numeric_limits<double>::infinity();
  static DsgProduct preset(const std::string& name);  // see presets()
  static std::vector<std::string> presets();
};

struct Site {
  std::string name;
  double lon = 0, lat = 0;
};

struct DsgImport {
  ObsFile file;
  // Per requested site: the grid point used, its distance, and the counts.
  struct Match {
    std::string site;
    long long gpi = -1;
    double distance_km = 0;
    long long total = 0, valid = 0;
    int nearer_empty = 0;  // nearer grid points passed over: no valid value in the period
  };
  std::vector<Match> matches;
};

// Reads the cell files and keeps, for each site, the nearest grid point within
// `max_km` (every grid point when `sites` is empty), its values in [start, end)
// that are finite and pass the product's rules. `at_sites`: each site's rows
// are placed at the site (a station's own copy of its grid point's values, for
// a model column at the station); otherwise at the grid point.
DsgImport import_dsg(const DsgProduct& product, const std::vector<std::string>& files, const std::vector<Site>& sites,
                     Time start, Time end, double max_km = 25.0, bool at_sites = false);

}  // namespace landda::observations
