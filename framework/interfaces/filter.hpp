#pragma once
// An ensemble analysis. Each rank calls analyse() on its block of state rows
// with every member; the observations and their ensemble equivalents are the
// same on every rank, so results do not depend on how rows are split.
#include <Eigen/Core>
#include <cmath>
#include <span>
#include <vector>

#include "core/grid.hpp"
#include "core/observation.hpp"
#include "core/random.hpp"
#include "core/state.hpp"

namespace landda {

struct AnalysisInput {
  const Grid& grid;
  const StateLayout& layout;
  std::span<const Index> rows;        // the state index of each local row
  const ObsBatch& obs;                // observations that passed QC
  const Eigen::MatrixXd& HX;          // obs x members: H applied to each forecast member
  std::vector<RandomStream>* member_rng = nullptr;  // per member, for perturbed observations
};

struct AnalysisStats {
  double inflation = 1.0;  // the inflation factor applied (adaptive schemes report theirs)
  // Local filters: the sum of each analysed cell's factor, in units of 2^-32,
  // and the number of cells. Integers add up alike in any order, so the mean
  // over all ranks' cells does not depend on how the cells are split.
  long long local_sum = 0, local_count = 0;
  void add_local(double factor) {
    local_sum += std::llround(factor * kUnit);
    ++local_count;
  }
  double local_mean() const { return local_count ? static_cast<double>(local_sum) / kUnit / static_cast<double>(local_count) : inflation; }
  static constexpr double kUnit = 4294967296.0;
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
  // True when observations_near() keeps only a neighbourhood (a local filter).
  virtual bool local() const { return false; }
  // The observations (indices into obs, ascending) that can change any of
  // `rows`: a rank gathers the ensemble's H(X) for those only. analyse() of
  // `rows` with only those gives the same result as with all. Every one,
  // unless the filter is local.
  virtual std::vector<Index> observations_near(const Grid& /*grid*/, const StateLayout& /*layout*/,
                                               std::span<const Index> /*rows*/, const ObsBatch& obs) const {
    std::vector<Index> all(static_cast<std::size_t>(obs.size()));
    for (Index o = 0; o < obs.size(); ++o) all[static_cast<std::size_t>(o)] = o;
    return all;
  }
};

}  // namespace landda
