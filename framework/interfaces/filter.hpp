#pragma once
// An ensemble analysis. Each rank calls analyse() on its block of state rows
// with every member; the observations and their ensemble equivalents are the
// same on every rank, so results do not depend on how rows are split.
#include <Eigen/Core>
#include <vector>

#include "core/grid.hpp"
#include "core/observation.hpp"
#include "core/random.hpp"
#include "core/state.hpp"

namespace landda {

struct AnalysisInput {
  const Grid& grid;
  const StateLayout& layout;
  Index row_begin = 0;                // global index of the first local row
  const ObsBatch& obs;                // observations that passed QC
  const Eigen::MatrixXd& HX;          // obs x members: H applied to each forecast member
  std::vector<RandomStream>* member_rng = nullptr;  // per member, for perturbed observations
};

struct AnalysisStats {
  double inflation = 1.0;  // the inflation factor applied (adaptive schemes report theirs)
};

class Filter {
 public:
  virtual ~Filter() = default;
  // Ensemble size this filter was configured with.
  virtual int members() const = 0;
  // False for the open loop: the engine then skips observation processing.
  virtual bool assimilates() const { return true; }
  // Updates X (local rows x members) in place.
  virtual AnalysisStats analyse(Eigen::Ref<Eigen::MatrixXd> X, const AnalysisInput& in) = 0;
};

}  // namespace landda
