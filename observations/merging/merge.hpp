#pragma once
// `landda merge`: reads several soil-moisture products (IODA files), puts them
// on one time axis at the reference product's locations, rescales them to the
// reference, hands them to a Merger (mean, tc, lstm) and writes the merged
// product as an IODA file with an error per value, beside summary.json and
// the resolved config.
#include <cstdint>
#include <string>
#include <vector>

#include "config/params.hpp"
#include "core/registry.hpp"
#include "interfaces/merger.hpp"
#include "observations/ioda/ioda_file.hpp"

namespace landda::observations::merging {

using MergerRegistry = Registry<Merger>;
// Every merging method landda knows, keyed by `merger.type`.
const MergerRegistry& mergers();

struct ProductParams {
  std::string name, file, variable, units;
  double error = 0;
  void visit(config::Visitor& v);
};

struct MergeConfig {
  std::vector<ProductParams> products;
  std::string locations_file;
  config::PluginConfig merger;
  Time start = Time::parse("2017-01-01"), end = Time::parse("2019-01-01");
  Duration step{86400};
  std::string rescale = "mean_std";
  double max_distance_km = 25, aggregate_km = 0;
  int min_products = 1;
  std::string name;
  std::string output_dir = "merged";
  std::int64_t seed = 1;
  std::string log_level = "info";
  std::string source_file;

  MergeConfig();
  void visit(config::Visitor& v);
};

MergeConfig read_merge_config(const config::Node& root);
std::string resolved_yaml(MergeConfig& cfg);

// Station names compare without a network prefix, punctuation or case
// ("SCAN:Pua_Akala" is "PuaAkala").
std::string station_key(const std::string& name);

// Values of one file averaged into the bins [start + k step, start + (k+1) step)
// at the given locations: each takes the file's location with its station
// name, else the nearest within max_km (one file location may serve several). Errors are the root-mean-square of the bin's errors
// (not reduced by averaging: errors of one day's retrievals are not independent).
struct Binned {
  Eigen::ArrayXXd value, error;  // bins x locations, NaN where empty
  Eigen::ArrayXXd offset;        // mean time of the bin's values, seconds after the bin's start
  std::size_t used = 0, outside_period = 0, unmatched = 0;
};
Binned bin_to_locations(const ObsFile& f, const std::vector<MergeLocation>& locations, Time start, Duration step,
                        int bins, double max_km, double aggregate_km = 0);

// The products read, binned and rescaled to the first one; offsets[p] holds
// the mean time of product p's values in each bin (seconds after its start).
MergeInput collocate(const MergeConfig& cfg, JsonObject& summary, std::vector<Eigen::ArrayXXd>& offsets);

// The whole command: collocate, merge, write (atomically) merged.nc,
// summary.json and config.resolved.yaml into cfg.output_dir.
void run_merge(MergeConfig& cfg);

}  // namespace landda::observations::merging
