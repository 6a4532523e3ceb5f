#pragma once
// landda's observation files, in the JEDI IODA layout (NetCDF-4 groups):
// a `Location` dimension; MetaData/{latitude, longitude, dateTime,
// stationIdentification}; ObsValue/<variable>, ObsError/<variable> (standard
// deviation) and PreQC/<variable> (0 = good). dateTime is int64 seconds since
// 1970-01-01T00:00:00Z. Global attributes name the platform and sensor.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/observation.hpp"

namespace landda::observations {

struct ObsFile {
  std::string variable = "soilMoistureVolumetric";
  std::string units = "m3 m-3";
  std::string platform, sensor, source;
  ObsBatch obs;                      // x = longitude, y = latitude, error = std; qc from PreQC
  std::vector<std::string> station;  // one per observation; may be empty
  std::size_t out_of_range = 0;      // values outside the variable's physical range, flagged QcFlag::bounds
  // Feedback files (JEDI's obs-space diagnostics) add groups beside ObsValue:
  // e.g. hofx0 (H of the background mean), ombg, oman; qc is then EffectiveQC.
  struct Group {
    std::string name, long_name;
    std::vector<double> values;  // one per observation
  };
  std::vector<Group> groups;
  std::string qc_group = "PreQC";
};

// Writes atomically; times must not decrease.
void write_ioda(const ObsFile& f, const std::string& path);
// An observation file written in pieces (an import streaming granules one at
// a time): `Location` grows with each append; commit() puts the file in place
// in time order (appends that overlap in time are merged, in bounded memory),
// and a writer destroyed before commit() leaves nothing behind.
class IodaWriter {
 public:
  // `header`: variable, units, platform, sensor, source (its observations are ignored);
  // `attributes`: further global attributes.
  IodaWriter(const std::string& path, const ObsFile& header,
             const std::vector<std::pair<std::string, std::string>>& attributes = {});
  ~IodaWriter();
  IodaWriter(const IodaWriter&) = delete;
  IodaWriter& operator=(const IodaWriter&) = delete;
  void append(const ObsBatch& b);  // b's times must not decrease
  // A global attribute known only at the end (an import's counts).
  void attribute(const std::string& name, const std::string& value);
  std::size_t size() const;
  void commit();

 private:
  void flush();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Reads and checks the file: the variable (and its units, when given) must be
// there, coordinates finite and in range, times in order, errors positive
// where the value is good. Missing values (fill) become QC flag `missing`.
// A feedback file's EffectiveQC stands for PreQC; `groups` (e.g. hofx1) are
// read into f.groups.
ObsFile read_ioda(const std::string& path, const std::string& variable = "", const std::string& units = "",
                  const std::vector<std::string>& groups = {});

// The units a soil-moisture variable must carry (InputError naming `path`
// otherwise) and the values it can physically take.
struct PhysicalRange {
  double lo, hi;
};
PhysicalRange physical_range(const std::string& variable, const std::string& units, const std::string& path);

}  // namespace landda::observations
