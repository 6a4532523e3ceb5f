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

  struct ObserveParams {
    std::string variable;  // empty: the model's first variable
    int layer = 0;
    int stride = 1;
    int offset = 0;
    double error = 1.0;
    int every = 1;
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
    ObserveParams observe;
    InitialParams initial;
    void visit(config::Visitor& v);
  };

  explicit Twin(const Params& p) : p_(p) {}
  void run(const RunConfig& cfg, const RunOptions& opts, const parallel::Layout& layout) override;

 private:
  Params p_;
};

}  // namespace landda::experiments
