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
// malformed lines, times out of order and a missing variable in the name;
// a file without data lines is an error unless `allow_empty` (a header only:
// a sensor with nothing in a download's period).
IsmnFile read_ismn(const std::string& path, bool allow_empty = false);

// Soil-moisture files -> one observation file (IODA layout) of their good
// values in [start, end), in time order, stations named "network:station",
// each with the error `error_sd`. Throws InputError for a file that is not sm.
ObsFile ismn_to_obs(const std::vector<IsmnFile>& files, Time start, Time end, double error_sd);

// One variable on a regular hourly axis of `n` hours from `start`: good values
// ('G') at their stamps shifted by `shift` (precipitation accumulated over the
// hour ending at its stamp belongs to the hour before it), NaN elsewhere;
// `scale` and `offset` convert units.
std::vector<double> hourly_values(const IsmnFile& f, Time start, long long n, Duration shift, double scale, double offset);

// An ISMN download as stations: every *.stm file under the folders (either
// layout), grouped by network and station (the name in the file names; headers
// may spell it differently), with the station's `*_static_variables.csv`.
struct IsmnStation {
  std::string network, name, static_file;
  double lon = 0, lat = 0, elevation = 0;
  std::vector<IsmnFile> files;
  std::string key() const { return network + ":" + name; }
  std::vector<const IsmnFile*> of(const std::string& variable) const;
};

// A station found in several folders keeps, for each variable and depth, the
// files of the first folder listed that has them (a later copy of the same
// sensors adds nothing). Stations are in key order.
std::vector<IsmnStation> read_ismn_folders(const std::vector<std::string>& dirs);

}  // namespace landda::observations
