#pragma once
// A forecast model as the engine sees it: a grid, a state layout and a way to
// advance a block of members. The engine never looks inside the state.
#include <Eigen/Core>
#include <span>

#include "core/grid.hpp"
#include "core/random.hpp"
#include "core/state.hpp"
#include "core/time.hpp"

namespace landda {

class Model {
 public:
  virtual ~Model() = default;

  virtual const Grid& grid() const = 0;
  virtual const StateLayout& layout() const = 0;
  // The model's own step; assimilation windows are whole multiples of it.
  virtual Duration time_step() const = 0;

  // The unperturbed state a run starts from at t0.
  virtual void initial_state(Eigen::Ref<Eigen::VectorXd> x, Time t0) const = 0;
  // Advances each column of X from t0 to t1. `members` holds the global member
  // index of each column (-1 for the nature run, which is never perturbed) and
  // `rng` one random stream per column for stochastic forcing or model error.
  virtual void advance(Eigen::Ref<Eigen::MatrixXd> X, std::span<const int> members, std::span<RandomStream> rng,
                       Time t0, Time t1) = 0;
  // Puts every element back inside its physical bounds after an analysis;
  // X holds state rows [row_begin, row_begin + X.rows()) of every member.
  virtual void clamp(Eigen::Ref<Eigen::MatrixXd> /*X*/, Index /*row_begin*/) const {}
};

}  // namespace landda
