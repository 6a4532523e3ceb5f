#pragma once
// A forecast model as the engine sees it: a grid, a state layout and a way to
// advance a block of members. The engine never looks inside the state.
#include <Eigen/Core>
#include <span>
#include <string>
#include <vector>

#include "core/grid.hpp"
#include "core/random.hpp"
#include "core/state.hpp"
#include "core/time.hpp"

namespace landda {

// Per-member data a model keeps beside the state vector: `memory` the filter
// never touches (snow, forcing-perturbation memory, perturbed parameters),
// checkpointed by the engine; `diagnostics` accumulated over a window (fluxes).
// Each has one column per column of X; null when the caller does not keep it.
// `cells`: the block [begin, end) of cells to advance, the rest left as they
// are (end < 0: every cell); only for models with independent_cells().
// `compact`: X, memory and diagnostics hold only the block's cells (every
// per-cell quantity with the block's cell count as its stride: state rows
// variable, layer, cell; memory_per_cell() x cells rows then the per-member
// rows; diagnostics name-major), so that a rank that advances a block of
// every member holds no other cell (see compact_cells()).
struct CellBlock {
  Index begin = 0, end = -1;
  bool compact = false;
  Index size(Index n_cells) const { return (end < 0 ? n_cells : end) - begin; }
};
struct MemberData {
  Eigen::MatrixXd* memory = nullptr;
  Eigen::MatrixXd* diagnostics = nullptr;
  CellBlock cells = {};
};

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
                       Time t0, Time t1, MemberData extra = {}) = 0;

  // Rows of per-member memory, and how each member's starts (`rng` is null
  // for the nature run, which is never perturbed).
  // Throws InputError when the model's inputs (forcing) do not cover [t0, t1):
  // checked before a run's first cycle, so `validate` finds it too.
  virtual void check_period(Time /*t0*/, Time /*t1*/) const {}
  virtual Index memory_size() const { return 0; }
  virtual void initial_memory(Eigen::Ref<Eigen::VectorXd> /*memory*/, int /*member*/, RandomStream* /*rng*/) const {}
  // True when every cell is a column of its own (no lateral exchange): the
  // ranks of a model task can then each advance a block of a member's cells.
  // Such a model keeps memory_per_cell() x cells rows of memory per cell
  // first (name-major, like diagnostics); its remaining rows are per member
  // and come out the same from every block (its random stream draws per member).
  virtual bool independent_cells() const { return false; }
  virtual int memory_per_cell() const { return 0; }
  // Blocks of cells handed to advance() start at multiples of this: a model
  // that solves batches of cells jointly (e.g. iterating until every column
  // of a batch has converged) gives a cell the same result only in the same batch.
  virtual Index cell_granule() const { return 1; }
  // From now on this rank advances, clamps and starts only cells [begin, end)
  // (parallel.layout: cells; models with independent_cells()): the model may
  // drop its per-cell parameters of the other cells.
  virtual void keep_cells(Index /*begin*/, Index /*end*/) {}
  // Names of per-cell diagnostics; diagnostics hold names x cells rows, name-major.
  virtual std::vector<std::string> diagnostic_names() const { return {}; }
  // Depth of the bottom of each layer of the first variable (m); empty when
  // the model has no vertical structure.
  virtual std::vector<double> layer_bottoms() const { return {}; }
  // A static field per state element (e.g. "porosity", "residual" water
  // content, "saturated_conductivity", "clapp_hornberger_b"), for observation
  // operators and the inputs of merging networks; false when the model has none.
  virtual bool static_field(const std::string& /*name*/, Eigen::VectorXd& /*out*/) const { return false; }
  // Puts every element back inside its physical bounds after an analysis;
  // X holds the state rows `rows` of every member.
  virtual void clamp(Eigen::Ref<Eigen::MatrixXd> /*X*/, std::span<const Index> /*rows*/) const {}
  // Bytes the model holds on a rank that advances `members` members, beyond
  // the state and memory the caller keeps: forcing, parameters, work arrays
  // (for the run's memory account, before the first step).
  virtual double resident_bytes(int /*members*/) const { return 0; }
};

}  // namespace landda
