#pragma once
// The experiments that cycle an ensemble (experiments/cycle): the twin
// experiment (OSSE), the open loop and the assimilation of observation files.
#include "config/params.hpp"
#include "core/time.hpp"
#include "experiments/core/experiment.hpp"
#include "experiments/cycle/cycle.hpp"

namespace landda::experiments {

// An experiment that cycles an ensemble: its windows and sources as typed
// parameters, so that `compare` builds its variants from them.
class CyclingExperiment : public Experiment {
 public:
  virtual CycleParams cycle() const = 0;
  virtual RunMode mode() const = 0;
  // The experiment section of a resolved config for other parameters of this kind.
  virtual YAML::Node resolved(const CycleParams& p) const = 0;
  void run(const RunConfig& cfg, const RunOptions& opts, const parallel::Layout& layout) override;
  void check(const RunConfig& cfg) const override;
  // Runs other parameters of this kind (a compare variant) with `cfg`'s model, filter and output.
  void run_with(const CycleParams& p, const RunConfig& cfg, const RunOptions& opts, const parallel::Layout& layout) const;

 protected:
  // Checks of this kind beyond the cycle's own.
  virtual void check_kind(const RunConfig& /*cfg*/) const {}
};

// Twin experiment (observing-system simulation experiment, OSSE): a nature
// run of the model plays the truth, synthetic observations are drawn from it
// with known errors, and an ensemble started away from the truth assimilates
// them. Usable with every model; statistics exclude the spin-up cycles.
class Twin final : public CyclingExperiment {
 public:
  static constexpr const char* doc =
      "twin experiment (OSSE): nature run, synthetic observations of chosen state elements, cycling ensemble "
      "analysis; statistics after spin-up";
  struct Params : CycleParams {
    void visit(config::Visitor& v);
  };
  explicit Twin(const Params& p) : p_(p) {}
  CycleParams cycle() const override { return p_; }
  RunMode mode() const override { return RunMode::twin; }
  YAML::Node resolved(const CycleParams& p) const override;

 private:
  Params p_;
};

// The windows and initial ensemble of a run whose observations (if any) come
// from files: what the open loop and the assimilate experiment share.
struct RunWindows {
  Time start = Time::from_civil(2000, 1, 1);
  Duration window{86400};
  int cycles = 365;
  int spinup = 0;
  std::string obs_timing = "nearest_step";
  double analysis_depth_m = 0;
  InitialParams initial;
  void visit(config::Visitor& v);
  CycleParams cycle(std::vector<SourceParams> observations) const;  // no nature spin-up
  void take(const CycleParams& p);                                   // the windows of p
};

// Assimilation of observation files (real retrievals, or synthetic ones a
// twin experiment wrote): every source reads an IODA file. The unperturbed run is the control.
class Assimilate final : public CyclingExperiment {
 public:
  static constexpr const char* doc =
      "assimilation of IODA observation files (real data, or a twin's synthetic retrievals) into the ensemble";
  struct Params : RunWindows {
    std::vector<SourceParams> observations;
    void visit(config::Visitor& v);
  };
  explicit Assimilate(const Params& p) : p_(p) {}
  CycleParams cycle() const override { return p_.cycle(p_.observations); }
  RunMode mode() const override { return RunMode::real; }
  YAML::Node resolved(const CycleParams& p) const override;

 protected:
  void check_kind(const RunConfig& cfg) const override;

 private:
  Params p_;
};

// An ensemble run without assimilation (the open loop of a real-data study):
// the unperturbed control run and the perturbed ensemble, their fluxes and
// water balance. Scores compare the ensemble mean with the control.
class OpenLoop final : public CyclingExperiment {
 public:
  static constexpr const char* doc =
      "open loop: the ensemble and the unperturbed control run side by side, no observations (filter.type none)";
  struct Params : RunWindows {};
  explicit OpenLoop(const Params& p) : p_(p) {}
  CycleParams cycle() const override { return p_.cycle({}); }
  RunMode mode() const override { return RunMode::open_loop; }
  YAML::Node resolved(const CycleParams& p) const override;

 protected:
  void check_kind(const RunConfig& cfg) const override;

 private:
  Params p_;
};

}  // namespace landda::experiments
