#pragma once
// Twin experiment (observing-system simulation experiment, OSSE): a nature
// run of the model plays the truth, synthetic observations are drawn from it
// with known errors, and an ensemble started away from the truth assimilates
// them. Usable with every model; statistics exclude the spin-up cycles.
#include "config/params.hpp"
#include "core/time.hpp"
#include "experiments/core/experiment.hpp"

namespace landda::experiments {

class Twin final : public Experiment {
 public:
  static constexpr const char* doc =
      "twin experiment (OSSE): nature run, synthetic observations of chosen state elements, cycling ensemble "
      "analysis; statistics after spin-up";

  // One source of synthetic observations: an operator applied to the nature
  // run at every stride-th cell centre, with its own error, revisit, bias,
  // scaling and gaps (the OSSE stand-in for one retrieval product).
  struct SourceParams {
    std::string name = "obs";
    config::PluginConfig op;
    double error = 1.0;
    int every = 1, phase = 0;
    double bias = 0.0, scale = 1.0;
    int stride = 1, offset = 0;
    double gap_fraction = 0.0;
    double gross_error = 0.0;
    bool assimilate = true;
    std::string file;      // IODA observation file; empty: synthetic retrievals from the nature run
    std::string variable;  // its ObsValue variable (empty: the soil-moisture one it holds)
    bool file_errors = true;
    std::string rescale = "none";  // file sources: none | mean_std | cdf (to the control run's climatology)
    std::string rescale_file;      // a stored fit to reuse
    SourceParams() { op.type = "state_element"; }
    void visit(config::Visitor& v);
  };
  struct InitialParams {
    std::string method = "perturbed";
    double spread = 1.0;
    void visit(config::Visitor& v);
  };
  struct Params {
    Time start = Time::from_civil(2000, 1, 1);
    Duration window{6 * 3600};
    int cycles = 1000;
    int spinup = 100;
    int nature_spinup = 1000;
    std::string nature_file;
    bool perturb_nature = false;
    std::vector<SourceParams> observations{SourceParams{}};
    InitialParams initial;
    void visit(config::Visitor& v);
  };

  // The open loop reuses the engine with no observations and names the
  // unperturbed run the control instead of the truth.
  enum class Mode { twin, open_loop, real };
  explicit Twin(const Params& p, Mode mode = Mode::twin) : p_(p), mode_(mode) {}
  void run(const RunConfig& cfg, const RunOptions& opts, const parallel::Layout& layout) override;
  void check(const RunConfig& cfg) const override;

 private:
  Params p_;
  Mode mode_;
};

// An ensemble run without assimilation (the open loop of a real-data study):
// the unperturbed control run and the perturbed ensemble, their fluxes and
// water balance. Scores compare the ensemble mean with the control.
// The windows and initial ensemble of a run whose observations (if any) come
// from files: what the open loop and the assimilate experiment share.
struct RunWindows {
  Time start = Time::from_civil(2000, 1, 1);
  Duration window{86400};
  int cycles = 365;
  int spinup = 0;
  Twin::InitialParams initial;
  void visit(config::Visitor& v);
  Twin::Params twin() const;  // the same run as a twin experiment's parameters, no nature spin-up
};

// Assimilation of observation files (real retrievals, or synthetic ones a
// twin experiment wrote): every source reads an IODA file; observations
// stamped in (t0, t1] are assimilated at t1. The unperturbed run is the control.
class Assimilate final : public Experiment {
 public:
  static constexpr const char* doc =
      "assimilation of IODA observation files (real data, or a twin's synthetic retrievals) into the ensemble";
  struct Params : RunWindows {
    std::vector<Twin::SourceParams> observations;
    void visit(config::Visitor& v);
  };
  explicit Assimilate(const Params& p) : p_(p) {}
  void run(const RunConfig& cfg, const RunOptions& opts, const parallel::Layout& layout) override;
  void check(const RunConfig& cfg) const override;

 private:
  Params p_;
};

class OpenLoop final : public Experiment {
 public:
  static constexpr const char* doc =
      "open loop: the ensemble and the unperturbed control run side by side, no observations (filter.type none)";
  struct Params : RunWindows {};
  explicit OpenLoop(const Params& p) : p_(p) {}
  void run(const RunConfig& cfg, const RunOptions& opts, const parallel::Layout& layout) override;
  void check(const RunConfig& cfg) const override;

 private:
  Params p_;
};

}  // namespace landda::experiments
