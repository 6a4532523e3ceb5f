#include "experiments/core/experiment.hpp"
#include "experiments/twin/twin.hpp"

namespace landda::experiments {

const ExperimentRegistry& registry() {
  static const ExperimentRegistry r = [] {
    ExperimentRegistry reg("experiment");
    reg.add<Twin>("twin");
    reg.add<OpenLoop>("openloop");
    reg.add<Assimilate>("assimilate");
    return reg;
  }();
  return r;
}

}  // namespace landda::experiments
