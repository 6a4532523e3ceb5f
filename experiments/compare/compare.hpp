#pragma once
// `landda compare`: one base run config, run as a set of experiments that
// differ only in which observations they assimilate: the open loop, each
// retrieval alone, all of them jointly, and products merged from them (mean,
// tc, lstm). They share the nature run or forcing, the ensemble and every
// random stream, so differences come from the observations alone. Each is
// scored at the validation stations (base sources with `assimilate: false`,
// or ISMN folders given with --validate-with) per layer, and the scores are
// written as a tidy CSV, a Markdown report and summary.json; a Python script
// draws the figures and the HTML page.
#include <string>
#include <vector>

#include "config/params.hpp"
#include "experiments/stations/station_set.hpp"
#include "parallel/distribution.hpp"

namespace landda::parallel {
class Environment;
}

namespace landda::experiments {

struct ValidationParams {
  std::string source;
  std::string layer = "surface";
  void visit(config::Visitor& v);
};

struct CompareConfig {
  std::string base;
  std::vector<std::string> retrievals;
  bool open_loop = true, singles = true, joint = true;
  std::vector<config::PluginConfig> merged;
  config::PluginConfig merged_operator;
  std::string merge_rescale = "mean_std", merged_rescale;
  int merged_every = 1;
  std::string merge_reference, merge_locations;
  double merge_max_distance_km = 25, merge_aggregate_km = 0;
  std::vector<ValidationParams> validation;
  StationsParams stations;
  std::vector<std::string> validate_with;
  double validate_max_distance_km = 10;
  int replicates = 1;
  std::string output_dir = "compare";
  bool figures = true;
  std::string log_level = "info";
  std::string source_file;
  void visit(config::Visitor& v);
};

CompareConfig read_compare_config(const config::Node& root);

struct CompareOptions {
  std::vector<std::string> base_overrides;  // --base-set key=value, applied to the base config
};

// The checks run_compare makes before its first experiment (the base run
// config and its sources, the retrievals and validation sources), for `landda validate`.
void check_compare(CompareConfig& cfg, const CompareOptions& opts);

// Runs every experiment (all ranks take part in each), scores them on rank 0.
void run_compare(CompareConfig& cfg, const CompareOptions& opts, const parallel::Environment& env);

}  // namespace landda::experiments
