#pragma once
// HRLDAS's single-point observation tables (NCAR/hrldas MLDAS examples, e.g.
// Bondville_obs_2001.dat): a header "TIMESTAMP <column> ...", rows
// "yyyymmddhh value ...", -999 missing. One column of volumetric soil
// moisture becomes an IODA observation file at a given place; values outside
// 0-1 m3/m3 and runs of `repeats` or more identical values (a stuck or filled
// record, e.g. the round values at the end of the Bondville 2001 table) are
// flagged, not used, and counted.
#include <string>

#include "observations/ioda/ioda_file.hpp"

namespace landda::observations {

struct HrldasObsImport {
  ObsFile file;
  std::size_t rows = 0, missing = 0, out_of_range = 0, repeated = 0;
};

HrldasObsImport read_hrldas_obs(const std::string& path, const std::string& column, double lon, double lat,
                                const std::string& station, double error_sd, int repeats);

}  // namespace landda::observations
