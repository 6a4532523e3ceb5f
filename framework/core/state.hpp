#pragma once
// The state vector as the filter sees it: a flat vector with a layout that
// says which variable, layer and cell each element is (PDAF's
// collect/distribute contract). Order: variable, then layer, then cell, so
// that one layer of one variable is contiguous over cells.
#include <Eigen/Core>
#include <string>
#include <vector>

namespace landda {

using Index = Eigen::Index;

class StateLayout {
 public:
  StateLayout() = default;
  StateLayout(int n_cells, std::vector<std::string> variables, std::vector<int> layers_per_variable);

  Index size() const { return size_; }
  int n_cells() const { return n_cells_; }
  int n_variables() const { return static_cast<int>(variables_.size()); }
  const std::string& variable(int v) const { return variables_[v]; }
  int variable_index(const std::string& name) const;  // throws InputError if absent
  int n_layers(int v) const { return layers_[v]; }
  // The most layers of any variable (at least 1): the `layer` dimension of outputs.
  int max_layers() const {
    int m = 1;
    for (const int l : layers_) m = l > m ? l : m;
    return m;
  }
  Index index(int v, int layer, int cell) const { return offsets_[v] + static_cast<Index>(layer) * n_cells_ + cell; }

  int cell_of(Index i) const { return static_cast<int>((i - offsets_[var_of(i)]) % n_cells_); }
  int layer_of(Index i) const { return static_cast<int>((i - offsets_[var_of(i)]) / n_cells_); }
  int var_of(Index i) const;
  // Every row of cell 0 (variables and layers in order), then of cell 1, ...:
  // the analysis order that gives each rank whole cells.
  std::vector<Index> cell_major_order() const;
  Index rows_per_cell() const { return n_cells_ > 0 ? size_ / n_cells_ : 0; }

 private:
  int n_cells_ = 0;
  Index size_ = 0;
  std::vector<std::string> variables_;
  std::vector<int> layers_;
  std::vector<Index> offsets_;
};

// The rows of a block of cells [begin, begin + count) in a column that keeps
// `per_cell` quantities of each of `n_cells` cells (quantity-major: row
// k n_cells + c; a state's layers, a model's memory, diagnostics) and then
// `tail` rows that are not per cell: the compact column holds the block's
// rows only (row k count + c - begin), then the same tail.
struct CellRows {
  Index n_cells = 0;
  int per_cell = 0;
  Index tail = 0;
  Index begin = 0, count = 0;
  Index full_size() const { return per_cell * n_cells + tail; }
  Index compact_size() const { return per_cell * count + tail; }
  void take(const Eigen::Ref<const Eigen::VectorXd>& full, Eigen::Ref<Eigen::VectorXd> compact) const;
  void put(const Eigen::Ref<const Eigen::VectorXd>& compact, Eigen::Ref<Eigen::VectorXd> full) const;
};

// Where a block's rows of a per-cell column lie in the whole: quantity-major
// with a tail (`rows`, as above), or every row of a cell together (cell_major:
// row c per_cell + k, the analysis order of StateLayout::cell_major_order; no tail).
struct CellPattern {
  CellRows rows;
  bool cell_major = false;
};

// begin, begin + 1, ..., begin + count - 1: the state rows of a contiguous block.
std::vector<Index> index_range(Index begin, Index count);

// Ensemble helpers on a state x members matrix (one column per member).
// (a Ref: blocks and Refs of an ensemble are read in place, never copied)
Eigen::VectorXd ensemble_mean(const Eigen::Ref<const Eigen::MatrixXd>& X);
// Sample standard deviation of each row (N-1 denominator).
Eigen::VectorXd ensemble_spread(const Eigen::Ref<const Eigen::MatrixXd>& X);

// Rows an ensemble statistic takes at a time: each row's value is its own (its
// members summed in order), so a block's equals the whole's, with no vector of
// every row's held but the result.
constexpr Index kEnsembleRowBlock = 4096;

}  // namespace landda
