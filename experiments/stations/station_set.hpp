#pragma once
// Station experiments from an ISMN download (Dorigo et al. 2011, 2021): a
// model column at every station with soil moisture in the period, forced by
// its own precipitation and air temperature where it has them and otherwise
// by the nearest station's within a distance (temperature carried to the
// station's elevation by a lapse rate, as LIS corrects forcing for
// elevation); soil from its static variables; its probes at every depth, a
// 0-1 m profile where they cover it and cosmic-ray probes as validation
// sources; the retrievals read from cell files at every station at once. All
// of it written into one folder, with stations.csv saying where each
// station's forcing and retrievals came from and which stations were left
// out and why.
#include <string>
#include <utility>
#include <vector>

#include "config/params.hpp"
#include "core/time.hpp"

namespace YAML {
class Node;
}

namespace landda::experiments {

// A retrieval of the base config read from TU Wien cell files at the stations.
struct StationRetrieval {
  std::string source, product;
  std::vector<std::string> files;
  double max_distance_km = 25;
  void visit(config::Visitor& v);
};

struct StationsParams {
  std::vector<std::string> ismn;
  std::vector<std::string> networks, stations;
  std::vector<double> bbox;
  double max_depth_m = 1.5, surface_depth_m = 0.1, profile_bottom_m = 1.0;
  double forcing_max_distance_km = 50, lapse_rate = 6.5;
  int max_gap_hours = 6;
  double probe_error = 0.02;
  std::vector<StationRetrieval> retrievals;
  bool empty() const { return ismn.empty(); }
  void visit(config::Visitor& v);
};

// Where one forcing variable of a station came from, hour by hour.
struct ForcingOrigin {
  struct Donor {
    std::string station;
    double distance_km = 0, elevation_difference_m = 0;  // donor minus station
    long long hours = 0;
  };
  long long own = 0, interpolated = 0;
  std::vector<Donor> donors;
  std::string text() const;
};

struct StationColumn {
  std::string key, network, name, static_file;
  double lon = 0, lat = 0, elevation = 0;
  bool validation_only = false;  // added by --validate-with
  bool crns = false, profile = false;
  ForcingOrigin pr, tas;
  std::vector<double> depths;           // probe depths with data in the period (m)
  std::vector<std::string> retrievals;  // "smap: gpi ... at ... km, n values"
};

// A validation source made from the stations' probes.
struct StationProbe {
  std::string name, file, layer, op;  // op: insitu | layer_average | crns
  double depth_m = 0, top_m = 0, bottom_m = 0;
};

struct StationSet {
  std::string dir, forcing;
  std::vector<StationColumn> columns;
  std::vector<std::pair<std::string, std::string>> unused;  // station, why it has no column
  std::vector<std::string> point_forcing;                    // one file per column, in column order
  std::vector<StationProbe> probes;
  std::vector<std::pair<std::string, std::string>> retrieval_files;  // base source, file
};

// Reads the folders (`validate_with` adds validation-only stations, forced the
// same way) and, when `write` is set, writes the forcing, probe and retrieval
// files and stations.csv into `dir`. `need_static`: a station without a
// static-variables file gets no column.
StationSet prepare_stations(const StationsParams& p, const std::vector<std::string>& validate_with, Time start,
                            Time end, bool need_static, const std::string& dir, bool write);

// The base run config with the stations as its grid: model grid, forcing and
// (for ISMN soil) static files, and each retrieval source's file.
void apply_stations(const StationSet& s, YAML::Node& run_config, const std::string& origin);

// A layer label's title in reports: surface, rootzone, depth_30cm, profile_0_100cm, crns.
std::string layer_title(const std::string& layer);

}  // namespace landda::experiments
