#pragma once
// Satellite and model products in the formats their producers distribute
// (swaths, daily grids, regional images, another model's history files): one
// reader per format decodes a granule into values, locations, times and the
// quality tests each value failed; product_import.hpp applies the period, the
// area and the physical range, counts every reason and writes IODA.
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace landda::observations::products {

constexpr std::int64_t kNoTime = std::numeric_limits<std::int64_t>::min();

// What a product's values become in landda's observation files.
struct ProductKind {
  std::string variable = "soilMoistureVolumetric";
  std::string units = "m3 m-3";
  std::string platform, sensor;
  double default_error = 0.04;  // for a value the granule gives no error for
};

// One granule's values in the file's order.
struct Granule {
  std::vector<double> lon, lat;
  std::vector<double> value;           // in the product's units; NaN: no value (fill, flag value, outside valid range)
  std::vector<double> error;           // standard deviation; NaN: the product's default
  std::vector<std::int64_t> time;      // seconds since 1970-01-01; kNoTime: none
  std::vector<std::uint64_t> failed;   // bit k set: the reader's quality test k failed
  std::int64_t nominal_time = kNoTime;  // the granule's time (for values without their own, in period checks)

  std::size_t size() const { return value.size(); }
  void resize(std::size_t n) {
    lon.resize(n);
    lat.resize(n);
    value.resize(n, std::numeric_limits<double>::quiet_NaN());
    error.resize(n, std::numeric_limits<double>::quiet_NaN());
    time.resize(n, kNoTime);
    failed.resize(n, 0);
  }
};

class ProductReader {
 public:
  virtual ~ProductReader() = default;
  virtual ProductKind kind() const = 0;
  // The quality tests by name, in the order of Granule::failed's bits (at most 64).
  virtual std::vector<std::string> tests() const = 0;
  // Decodes one granule; throws InputError naming the file and what was expected.
  virtual Granule read(const std::string& path) const = 0;
  // The file names a folder is searched for (a shell pattern).
  virtual std::string file_pattern() const = 0;
  // Global attributes for the observation file: the product, its options, layer depths.
  virtual std::vector<std::pair<std::string, std::string>> attributes() const { return {}; }
};

}  // namespace landda::observations::products
