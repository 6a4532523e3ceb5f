#pragma once
// A member's cells shared between the ranks of a model task, for models whose
// cells are independent columns (Model::independent_cells): each rank
// advances one contiguous block of cells and join() gives every rank of the
// task the whole member again. Results do not depend on the split: a column
// is computed the same wherever it runs.
#include <Eigen/Core>
#include <vector>

#include "core/state.hpp"
#include "parallel/comm.hpp"

namespace landda::parallel {

class CellSplit {
 public:
  // memory_per_cell: rows per cell at the head of the model's memory (name-major);
  // diagnostics_per_cell: the number of diagnostics (name-major, one row per cell each);
  // granule: blocks start at multiples of it (Model::cell_granule).
  CellSplit(const Comm& task, const StateLayout& layout, int memory_per_cell, int diagnostics_per_cell, Index granule = 1);

  Index begin() const { return begin_[static_cast<std::size_t>(rank_)]; }
  Index end() const { return begin_[static_cast<std::size_t>(rank_) + 1]; }
  bool whole() const { return size_ == 1; }

  // Every column of X / memory / diagnostics completed from the other ranks' cell blocks.
  void join_state(Eigen::Ref<Eigen::MatrixXd> X) const { join(X, state_rows_); }
  void join_memory(Eigen::Ref<Eigen::MatrixXd> M) const { join(M, memory_rows_); }
  void join_diagnostics(Eigen::Ref<Eigen::MatrixXd> D) const { join(D, diag_rows_); }
  // Any rows kept per cell (`per_cell` of them, name-major: row k n_cells + c).
  void join_per_cell(Eigen::Ref<Eigen::MatrixXd> M, int per_cell) const;
  // All three after a forecast (memory and diagnostics when given).
  void join_forecast(Eigen::Ref<Eigen::MatrixXd> X, Eigen::MatrixXd* memory, Eigen::MatrixXd* diagnostics) const {
    join_state(X);
    if (memory) join_memory(*memory);
    if (diagnostics) join_diagnostics(*diagnostics);
  }

 private:
  using Rows = std::vector<std::vector<Index>>;  // per rank, the rows its cells own
  void join(Eigen::Ref<Eigen::MatrixXd> M, const Rows& rows) const;

  const Comm* comm_;
  int rank_, size_;
  Index n_cells_ = 0;
  std::vector<Index> begin_;
  Rows state_rows_, memory_rows_, diag_rows_;
};

}  // namespace landda::parallel
