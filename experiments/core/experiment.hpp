#pragma once
// An experiment: one kind of run driven by a whole config (twin experiment,
// real-data assimilation, ...). Registered by `experiment.type`.
#include <string>

#include "core/registry.hpp"

namespace landda::parallel {
struct Layout;
}

namespace landda::experiments {

struct RunConfig;

struct RunOptions {
  std::string output_dir;
  bool restart = false;
  int stop_after_cycle = 0;  // > 0: stop after this cycle as if killed (tests of --restart)
};

class Experiment {
 public:
  virtual ~Experiment() = default;
  // `layout` holds the run's communicators (PDAF-style model, filter and couple).
  virtual void run(const RunConfig& cfg, const RunOptions& opts, const parallel::Layout& layout) = 0;
  // Checks of the whole config this experiment needs (beyond each plugin's
  // own keys), run by `landda validate` and before `landda run` writes anything.
  virtual void check(const RunConfig& /*cfg*/) const {}
};

using ExperimentRegistry = Registry<Experiment>;
const ExperimentRegistry& registry();

}  // namespace landda::experiments
