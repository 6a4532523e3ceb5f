#pragma once
// Where the ensemble lives. For the forecast each rank holds whole members
// (a contiguous block of member indices); for the analysis each rank holds
// a block of state rows with every member. Moving between the two is one
// all-to-all; no rank ever needs the whole ensemble. The rows are taken cell
// after cell (StateLayout::cell_major_order: every row of a cell together)
// and split between ranks in whole cells, so that a local analysis computes
// each cell's weights on one rank only.
//
// With ranks_per_task = R > 1 the members are split between tasks of R
// consecutive ranks and every rank of a task holds its task's members (each
// advances a share of their cells and the shares are joined, see CellSplit);
// rank d then takes its rows from the rank of each task with d's rank-in-task
// (PDAF's couple communicator).
#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "parallel/comm.hpp"

namespace landda::parallel {

using Index = Eigen::Index;

class Distribution {
 public:
  // group: the rows of a cell (StateLayout::rows_per_cell; 1: the state's own
  // order 0, 1, 2, ...). The rows in analysis order, cell after cell, split
  // into blocks of whole cells, each rank's block starting at a multiple of
  // `granule` cells (a model's cell_granule: a rank that advances its own
  // cells batches them as a whole-grid run does).
  Distribution(const Comm& comm, Index n_state, int n_members, Index group = 1, int ranks_per_task = 1,
               Index granule = 1);
  // The state row at position i of the analysis order: row k of cell c is state row k n_cells + c
  // (StateLayout's order), a formula, so no rank keeps the order of every row.
  Index row_at(Index i) const { return (i % group_) * (n_state_ / group_) + i / group_; }

  int n_members() const { return n_members_; }
  Index n_state() const { return n_state_; }
  int member_begin(int rank) const { return member_start_[rank / per_task_]; }
  int member_count(int rank) const { return member_start_[rank / per_task_ + 1] - member_start_[rank / per_task_]; }
  Index row_count(int rank) const { return row_start_[rank + 1] - row_start_[rank]; }
  int my_member_begin() const { return member_begin(rank_); }
  int my_member_count() const { return member_count(rank_); }
  // Whether this rank is the one of its model task that speaks for its members (the others hold copies).
  bool writes_members() const { return contributes(rank_); }
  // Whether this rank belongs to the model task that holds member 0.
  bool in_first_task() const { return rank_ / per_task_ == 0; }
  Index my_row_count() const { return row_count(rank_); }
  // The state index of each of this rank's rows, in order.
  std::span<const Index> my_rows() const { return my_rows_; }

  // (n_state x my members) -> (my rows x n_members)
  void to_rows(const Eigen::MatrixXd& by_member, Eigen::MatrixXd& by_row) const { to_rows(by_member, by_row, false); }
  // (my rows x n_members) -> (n_state x my members)
  void to_members(const Eigen::MatrixXd& by_row, Eigen::MatrixXd& by_member) const { to_members(by_row, by_member, false); }
  // The same, the source consumed: each member's pages are given back once
  // sent and the source is empty after, so that a rank never holds both
  // layouts whole (the target's pages are taken as they are written).
  void move_to_rows(Eigen::MatrixXd& by_member, Eigen::MatrixXd& by_row) const;
  void move_to_members(Eigen::MatrixXd& by_row, Eigen::MatrixXd& by_member) const;
  // The whole ensemble (n_state x n_members) on every rank.
  Eigen::MatrixXd allgather(const Eigen::MatrixXd& by_member) const;
  // The whole ensemble's rows of every rank, from row blocks, on every rank.
  Eigen::MatrixXd allgather_rows(const Eigen::MatrixXd& by_row) const;
  // Columns held per member on each rank (any number of rows, e.g. H(X)) joined on every rank.
  Eigen::MatrixXd allgather_columns(const Eigen::MatrixXd& mine) const;
  // Rows of columns held per member (e.g. H(X) of a window's observations):
  // each rank names the rows it wants and gets them for every member (wanted
  // x n_members), moved only between the ranks that hold and want them.
  Eigen::MatrixXd gather_member_rows(const Eigen::MatrixXd& mine, const std::vector<Index>& wanted) const;
  // Per-member words (e.g. random-stream states, `per_member` words each) joined on every rank.
  std::vector<std::uint64_t> allgather_words(const std::vector<std::uint64_t>& mine, int per_member) const;
  // The sum over every member of columns held per member (e.g. diagnostics), on every rank, without gathering them.
  Eigen::VectorXd member_sum(const Eigen::MatrixXd& mine) const;
  // The same, rounded the same whatever the members' split over ranks (ExactSum): the ensemble moments of
  // H(X) that the gross-error check and the learned errors read.
  Eigen::VectorXd member_sum_exact(const Eigen::MatrixXd& mine) const;
  // The same sum of per-cell values (`per_cell` rows of every cell, name-major:
  // row k n_cells + c), only of this rank's analysis cells (k my_cells + c - first):
  // each rank receives its own part (a reduce-scatter), never the whole grid.
  Eigen::VectorXd member_sum_my_cells(const Eigen::MatrixXd& mine, int per_cell) const;
  // This rank's analysis cells [my_cell_begin(), + my_cell_count()) (rows split in whole cells, in the
  // cell-major order of StateLayout::cell_major_order).
  Index my_cell_begin() const { return row_start_[rank_] / group_; }
  Index my_cell_count() const { return my_row_count() / group_; }
  // Row blocks of a vector joined on every rank.
  Eigen::VectorXd allgather_vector(const Eigen::VectorXd& my_rows) const;
  int rank() const { return rank_; }
  int size() const { return size_; }
  // Element-wise sum over the ranks, on every rank.
  Eigen::MatrixXd sum_over_ranks(const Eigen::MatrixXd& mine) const;
  Index cell_begin(int rank) const { return row_start_[static_cast<std::size_t>(rank)] / group_; }
  // The rank whose analysis rows hold cell c.
  int owner_of_cell(Index c) const;
  // Items held by one rank each (e.g. the rows of a cell, H(X) of an
  // observation): this rank names each item it wants by its owner and the
  // owner's local index of it, and receives `width` values of each, packed at
  // the owner by pack(local index, out) and handed to unpack(i, values) for
  // the i-th item asked (this rank's own items straight from pack to unpack:
  // only other ranks' items are buffered).
  using Pack = std::function<void(Index, double*)>;
  using Unpack = std::function<void(std::size_t, const double*)>;
  void fetch(const std::vector<int>& owner, const std::vector<Index>& local, Index width, const Pack& pack,
             const Unpack& unpack) const;
  // The same, every item's values a column (width x wanted, in the order asked).
  Eigen::MatrixXd fetch(const std::vector<int>& owner, const std::vector<Index>& local, Index width, const Pack& pack) const;
  // A push: this rank's values in runs, run d (counts[d] values, in order) to rank d; returns what every rank
  // sent this one, in rank order.
  std::vector<double> push(std::vector<double> values, const std::vector<int>& counts) const;
  const Comm& comm() const { return *comm_; }
  // Bytes this rank has received from other ranks in the calls above (exchanges, gathers, sums).
  std::uint64_t received_bytes() const { return received_; }
  // Each rank's members taken out of the whole ensemble.
  Eigen::MatrixXd local_members(const Eigen::MatrixXd& full) const;

 private:
  const Comm* comm_;
  int rank_, size_, per_task_;
  // Ranks that send their members' columns (one per task) and those that exchange rows with this rank.
  bool contributes(int rank) const { return rank % per_task_ == 0; }
  bool partner(int rank) const { return rank % per_task_ == rank_ % per_task_; }
  int rounds() const;  // member exchanges go one member of every rank at a time
  void to_rows(const Eigen::MatrixXd& by_member, Eigen::MatrixXd& by_row, bool release) const;
  void to_members(const Eigen::MatrixXd& by_row, Eigen::MatrixXd& by_member, bool release) const;
  Eigen::VectorXd local_member_sum(const Eigen::MatrixXd& mine) const;  // this rank's part of a member_sum
  Index n_state_;
  int n_members_;
  std::vector<int> member_start_;
  std::vector<Index> row_start_;  // positions in the analysis order
  Index group_ = 1;               // rows per cell (the rows are split in whole groups)
  std::vector<Index> my_rows_;    // the state rows of this rank's block
  mutable std::uint64_t received_ = 0;
  void count(const std::vector<int>& counts, std::size_t item) const;  // adds what came from other ranks
};

}  // namespace landda::parallel
