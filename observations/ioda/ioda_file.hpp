#pragma once
// landda's observation files, in the JEDI IODA layout (NetCDF-4 groups):
// a `Location` dimension; MetaData/{latitude, longitude, dateTime,
// stationIdentification}; ObsValue/<variable>, ObsError/<variable> (standard
// deviation) and PreQC/<variable> (0 = good). dateTime is int64 seconds since
// 1970-01-01T00:00:00Z. Global attributes name the platform and sensor.
#include <string>
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
// Reads and checks the file: the variable (and its units, when given) must be
// there, coordinates finite and in range, times in order, errors positive
// where the value is good. Missing values (fill) become QC flag `missing`.
// A feedback file's EffectiveQC stands for PreQC; `groups` (e.g. hofx1) are
// read into f.groups.
ObsFile read_ioda(const std::string& path, const std::string& variable = "", const std::string& units = "",
                  const std::vector<std::string>& groups = {});

}  // namespace landda::observations
