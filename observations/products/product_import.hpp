#pragma once
// Importing a product as distributed: a folder, glob or list of granules read
// one at a time (memory does not grow with their number), the values of a
// period and an area that pass the product's quality tests and lie in the
// variable's physical range written to one IODA observation file, optionally
// averaged into super-observations; every value not kept is counted with its
// reason (the import report, also stored in the file as `import_report`).
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "core/grid.hpp"
#include "core/time.hpp"
#include "observations/products/product_reader.hpp"

namespace landda::observations::products {

// A longitude-latitude box; west > east crosses the antimeridian.
struct Area {
  double west = -180, south = -90, east = 180, north = 90;
  bool contains(double lon, double lat) const;
  static Area parse(const std::string& text);  // "W,S,E,N"
};

// Where super-observations are formed: each good value falls in at most one cell.
class SuperobCells {
 public:
  virtual ~SuperobCells() = default;
  virtual long long cell(double lon, double lat) const = 0;  // -1: in none
  // The place a super-observation is put: the cell's centre (model cells) or,
  // when this returns false, the mean of its pixels' places.
  virtual bool centre(long long cell, double& lon, double& lat) const = 0;
};
// Regular longitude-latitude boxes of `degrees`, anchored at 0 E, 0 N.
std::unique_ptr<SuperobCells> boxes(double degrees);
// The model's cells: the cell whose box holds the value (regular grids), or the
// nearest point within `point_radius_km` (point grids).
std::unique_ptr<SuperobCells> model_cells(const Grid& grid, double point_radius_km);

struct ImportRequest {
  std::vector<std::string> inputs;  // files, folders (searched recursively) or shell patterns
  Time start{-(std::int64_t{1} << 60)}, end{std::int64_t{1} << 60};  // [start, end)
  Area area;
  const SuperobCells* superob = nullptr;
  // Errors of pixels d km apart correlate as exp(-d / L); a super-observation's
  // error shrinks with its pixel count only as far as that allows. 0: independent.
  double error_correlation_km = 10.0;
  std::string output;
  std::string product;  // the reader's name, for the report
  bool progress = false;  // a progress line on standard error
};

struct ImportReport {
  std::string product;
  std::vector<std::string> tests;
  long long granules = 0, values = 0, outside_area = 0, outside_period = 0, failed_any = 0, fill = 0, no_time = 0,
            out_of_range = 0, kept = 0, written = 0;
  std::vector<long long> failed;    // per test (a value may fail several)
  std::vector<std::string> empty;   // granules without a single value
  bool superobs = false;
  std::string json() const;
  void print(std::ostream& os) const;
};

ImportReport import_product(const ProductReader& reader, const ImportRequest& request);

// The average of one granule's good values in a cell, its error from the
// pixels' errors and their correlation (exp(-d/L)): sigma^2 (rho + (1 - rho) / n),
// rho the mean correlation of the pixel pairs.
double superob_error(const std::vector<double>& lon, const std::vector<double>& lat,
                     const std::vector<double>& error, double correlation_km);

}  // namespace landda::observations::products
