#pragma once
// The assimilation cycle of a twin experiment, an open loop or a real-data
// run, as named parts (the data flow of ../shared/DESIGN.md):
//   for each window: forecast (observing on the way), QC, analyse, clamp, record.
// CycleSetup builds and checks everything a run needs before its first cycle
// and writes nothing, so `landda validate` makes the same checks as `landda run`.
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "experiments/core/experiment.hpp"
#include "experiments/core/run_config.hpp"
#include "experiments/cycle/obs_source.hpp"
#include "experiments/cycle/run_state.hpp"
#include "interfaces/filter.hpp"
#include "interfaces/model.hpp"

namespace landda::experiments {

struct InitialParams {
  std::string method = "perturbed";
  double spread = 1.0;
  std::string file;  // real runs: the control's initial state (e.g. another model's, landda import lis-state)
  void visit(config::Visitor& v);
};

// Everything about the windows and the observations of a run.
struct CycleParams {
  Time start = Time::from_civil(2000, 1, 1);
  Duration window{6 * 3600};
  int cycles = 1000;
  int spinup = 100;
  int nature_spinup = 1000;
  std::string nature_file;
  bool perturb_nature = false;
  std::string obs_timing = "nearest_step";
  double analysis_depth_m = 0;  // > 0: the analysis updates only layers whose top lies above this depth
  std::vector<SourceParams> observations{SourceParams{}};
  InitialParams initial;
  ObsTiming timing() const { return obs_timing == "window_end" ? ObsTiming::window_end : ObsTiming::nearest_step; }
};

// The open loop reuses the engine with no observations and names the
// unperturbed run the control instead of the truth.
enum class RunMode { twin, open_loop, real };

// Model, filter and observation sources, built from a config and checked.
struct CycleSetup {
  CycleSetup(const CycleParams& p, RunMode mode, const RunConfig& cfg);
  CycleParams p;
  RunMode mode;
  const RunConfig& cfg;
  std::unique_ptr<Model> model;
  std::unique_ptr<Filter> filter;
  std::unique_ptr<ObsGeometry> geometry;
  std::deque<ObsSource> sources;  // a deque: sources are built in place and never move
  Index learned_columns = 0;      // locations of every source that learns its errors
  bool open_loop() const { return mode == RunMode::open_loop; }
  const char* truth_name() const { return mode == RunMode::twin ? "truth" : "control"; }
};

// Runs a set-up on the ranks of `layout` (collective).
void run_cycle(CycleSetup& setup, const RunOptions& opts, const parallel::Layout& layout);

}  // namespace landda::experiments
