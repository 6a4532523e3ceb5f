#pragma once
// ISMN station files (International Soil Moisture Network, Dorigo et al.
// 2011, 2021), both layouts the archive ships:
//  - "header+values": a header line (network station lat lon elevation
//    depth_from depth_to sensor), then "YYYY/MM/DD HH:MM value flag provider_flag";
//  - CEOP "separate files": every line "nominal-date time actual-date time CSE
//    network station lat lon elevation depth_from depth_to value flag provider_flag".
// The variable (sm, p, ta, ts, ...) is read from the file name.
#include <string>
#include <vector>

#include "core/time.hpp"
#include "observations/ioda/ioda_file.hpp"

namespace landda::observations {

struct IsmnFile {
  std::string path, network, station, variable, sensor;
  double lat = 0, lon = 0, elevation = 0, depth_from = 0, depth_to = 0;
  std::vector<Time> time;
  std::vector<double> value;
  std::vector<std::string> flag, provider_flag;
  // Only ISMN flag 'G' (good) counts as valid (ISMN quality-flag description).
  bool good(std::size_t i) const { return flag[i] == "G"; }
};

// Reads either layout; throws InputError naming the file and line for
// malformed lines, times out of order and a missing variable in the name.
IsmnFile read_ismn(const std::string& path);

// Soil-moisture files -> one observation file (IODA layout) of their good
// values in [start, end), in time order, stations named "network:station",
// each with the error `error_sd`. Throws InputError for a file that is not sm.
ObsFile ismn_to_obs(const std::vector<IsmnFile>& files, Time start, Time end, double error_sd);

}  // namespace landda::observations
