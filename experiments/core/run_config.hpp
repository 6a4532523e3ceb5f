#pragma once
// The whole configuration of a run: which experiment, model and filter, and
// the run-wide keys (output, seed, logging, parallel layout).
#include <cstdint>
#include <string>
#include <vector>

#include "config/params.hpp"

namespace landda::experiments {

// The state fields a run can write (output.state_fields), in the output's order:
// the nature run (or control), the forecast and analysis ensemble mean and spread.
const std::vector<std::string>& state_field_names();

struct OutputParams {
  std::string dir = "output";
  int every = 1;
  int checkpoint_every = 0;
  int deflate = 1;
  bool fields = true;
  std::vector<std::string> state_fields = state_field_names();
  std::vector<int> layers;
  bool observations = false;
  bool diagnostics = false;
  bool maps = false;
  void visit(config::Visitor& v);
};

struct ParallelParams {
  int ranks_per_task = 1;
  std::string layout = "members";
  bool cells() const { return layout == "cells"; }
  void visit(config::Visitor& v);
};

struct RunConfig {
  config::PluginConfig experiment, model, filter;
  OutputParams output;
  ParallelParams parallel;
  std::int64_t seed = 1;
  std::string log_level = "info";
  std::string source_file;  // the config file as named on the command line

  RunConfig();
  void visit(config::Visitor& v);
};

// Reads and checks the whole config; throws ConfigError at the first problem.
RunConfig read_run_config(const config::Node& root);
// The resolved config (every key, defaults included) as YAML text.
std::string resolved_yaml(RunConfig& cfg);
// What the run is, whatever the paths it was given: the resolved config
// without where its outputs go, every input file by its size and a checksum
// of its contents (so a config or output folder spelled or placed otherwise
// is the same run); a digest of that, for a checkpoint to be restarted from.
std::string run_identity(RunConfig& cfg);
// Every input file the model, experiment and filter sections name (their
// resolved keys; relative paths against their config's folder), canonical.
std::vector<std::string> input_files(const RunConfig& cfg);

}  // namespace landda::experiments
