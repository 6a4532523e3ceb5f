#include "experiments/twin/twin.hpp"

#include "core/error.hpp"

namespace landda::experiments {
namespace {

config::Spec timing_doc() {
  return config::doc(
             "where H meets a window's observations: nearest_step applies it to every member at the model step "
             "nearest each observation's own time, and the analysis at the window's end uses those ensemble "
             "equivalents (4D-LETKF / 4D-EnKF, Hunt et al. 2004, 2007; asynchronous EnKF, Sakov et al. 2010); "
             "validation sources are scored at their own time. window_end compares every observation of the "
             "window with the state at its end")
      .one_of({"nearest_step", "window_end"});
}

config::Spec analysis_depth_doc() {
  return config::doc(
             "> 0: the analysis updates only the layers whose top lies above this depth, and the layers below follow "
             "through the model's own drainage and uptake (vertical localization, a boxcar in depth, to the "
             "observations' sensing depth: for ensembles whose covariances between the surface and the deeper "
             "layers are not to be trusted); 0 updates every layer")
      .at_least(0)
      .in("m");
}

}  // namespace

void Twin::Params::visit(config::Visitor& v) {
  v("start", start, config::doc("time of the first analysis window's start"));
  v("window", window, config::doc("assimilation window (cycle length); a whole number of model steps"));
  v("cycles", cycles, config::doc("number of assimilation cycles, spin-up included").range(1, 1e9));
  v("spinup", spinup, config::doc("cycles left out of the statistics").range(0, 1e9));
  v("nature_spinup", nature_spinup,
    config::doc("windows the nature run is advanced before the start, to forget its initial state").range(0, 1e9));
  v("nature_file", nature_file,
    config::doc("CF NetCDF file with the nature run's initial state: one variable per model state variable, "
                "shaped (layer, cell) or (cell); empty: the model's own initial state")
        .file());
  v("perturb_nature", perturb_nature,
    config::doc("draw the nature run from the model's own error distribution (perturbed forcing and parameters, "
                "its own random stream) instead of running it unperturbed: the identical-twin design in which the "
                "truth is statistically one more member"));
  v("obs_timing", obs_timing, timing_doc());
  v("analysis_depth_m", analysis_depth_m, analysis_depth_doc());
  v.sections("observations", observations,
             config::doc("sources of synthetic observations drawn from the nature run, assimilated jointly"));
  v.section("initial", initial, config::doc("initial ensemble"));
}

void CyclingExperiment::check(const RunConfig& cfg) const {
  check_kind(cfg);
  CycleSetup(cycle(), mode(), cfg);
}

void CyclingExperiment::run(const RunConfig& cfg, const RunOptions& opts, const parallel::Layout& layout) {
  run_with(cycle(), cfg, opts, layout);
}

void CyclingExperiment::run_with(const CycleParams& p, const RunConfig& cfg, const RunOptions& opts,
                                 const parallel::Layout& layout) const {
  check_kind(cfg);
  CycleSetup setup(p, mode(), cfg);
  run_cycle(setup, opts, layout);
}

YAML::Node Twin::resolved(const CycleParams& p) const {
  Params tp;
  static_cast<CycleParams&>(tp) = p;
  return config::write(tp);
}

void RunWindows::visit(config::Visitor& v) {
  v("start", start, config::doc("start of the first window"));
  v("window", window, config::doc("window (cycle length, output interval); observations in (t0, t1] are analysed at t1 (see obs_timing)"));
  v("cycles", cycles, config::doc("number of windows").range(1, 1e9));
  v("spinup", spinup, config::doc("windows left out of the statistics").range(0, 1e9));
  v("obs_timing", obs_timing, timing_doc());
  v("analysis_depth_m", analysis_depth_m, analysis_depth_doc());
  v.section("initial", initial, config::doc("initial ensemble around the control run's initial state"));
}

CycleParams RunWindows::cycle(std::vector<SourceParams> observations) const {
  CycleParams p;
  p.start = start;
  p.window = window;
  p.cycles = cycles;
  p.spinup = spinup;
  p.nature_spinup = 0;
  p.obs_timing = obs_timing;
  p.analysis_depth_m = analysis_depth_m;
  p.initial = initial;
  p.observations = std::move(observations);
  return p;
}

void Assimilate::Params::visit(config::Visitor& v) {
  RunWindows::visit(v);
  v.sections("observations", observations, config::doc("observation sources, each with its IODA file").needed());
}

void RunWindows::take(const CycleParams& p) {
  start = p.start;
  window = p.window;
  cycles = p.cycles;
  spinup = p.spinup;
  obs_timing = p.obs_timing;
  analysis_depth_m = p.analysis_depth_m;
  initial = p.initial;
}

YAML::Node Assimilate::resolved(const CycleParams& p) const {
  Params ap;
  ap.take(p);
  ap.observations = p.observations;
  return config::write(ap);
}

YAML::Node OpenLoop::resolved(const CycleParams& p) const {
  Params op;
  op.take(p);
  return config::write(op);
}

void Assimilate::check_kind(const RunConfig& cfg) const {
  for (std::size_t k = 0; k < p_.observations.size(); ++k)
    if (p_.observations[k].file.empty())
      throw ConfigError(cat(cfg.source_file, ": experiment.observations.", k, " (", p_.observations[k].name,
                            "): an assimilate experiment reads every source from a file (key `file`)"));
  if (cfg.filter.type == "none")
    throw ConfigError(cat(cfg.source_file, ": filter.type = none: an assimilate experiment needs a filter (use "
                                           "experiment.type: openloop for a free run)"));
}

void OpenLoop::check_kind(const RunConfig& cfg) const {
  if (cfg.filter.type != "none")
    cfg.filter.node.child("type").fail(cat("'", cfg.filter.type, "': experiment.type = openloop runs no analysis; set "
                                           "filter.type: none (filter.members sets the ensemble size)"));
}

}  // namespace landda::experiments
