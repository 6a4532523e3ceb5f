#pragma once
// Where the ensemble lives. For the forecast each rank holds whole members
// (a contiguous block of member indices); for the analysis each rank holds
// a block of state rows with every member. Moving between the two is one
// all-to-all; no rank ever needs the whole ensemble.
#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "parallel/comm.hpp"

namespace landda::parallel {

using Index = Eigen::Index;

class Distribution {
 public:
  Distribution(const Comm& comm, Index n_state, int n_members);

  int n_members() const { return n_members_; }
  Index n_state() const { return n_state_; }
  int member_begin(int rank) const { return member_start_[rank]; }
  int member_count(int rank) const { return member_start_[rank + 1] - member_start_[rank]; }
  Index row_begin(int rank) const { return row_start_[rank]; }
  Index row_count(int rank) const { return row_start_[rank + 1] - row_start_[rank]; }
  int my_member_begin() const { return member_begin(rank_); }
  int my_member_count() const { return member_count(rank_); }
  Index my_row_begin() const { return row_begin(rank_); }
  Index my_row_count() const { return row_count(rank_); }

  // (n_state x my members) -> (my rows x n_members)
  void to_rows(const Eigen::MatrixXd& by_member, Eigen::MatrixXd& by_row) const;
  // (my rows x n_members) -> (n_state x my members)
  void to_members(const Eigen::MatrixXd& by_row, Eigen::MatrixXd& by_member) const;
  // The whole ensemble (n_state x n_members) on every rank.
  Eigen::MatrixXd allgather(const Eigen::MatrixXd& by_member) const;
  // The whole ensemble's rows of every rank, from row blocks, on every rank.
  Eigen::MatrixXd allgather_rows(const Eigen::MatrixXd& by_row) const;
  // Columns held per member on each rank (any number of rows, e.g. H(X)) joined on every rank.
  Eigen::MatrixXd allgather_columns(const Eigen::MatrixXd& mine) const;
  // Per-member words (e.g. random-stream states, `per_member` words each) joined on every rank.
  std::vector<std::uint64_t> allgather_words(const std::vector<std::uint64_t>& mine, int per_member) const;
  // Row blocks of a vector joined on every rank.
  Eigen::VectorXd allgather_vector(const Eigen::VectorXd& my_rows) const;
  // Each rank's members taken out of the whole ensemble.
  Eigen::MatrixXd local_members(const Eigen::MatrixXd& full) const;

 private:
  const Comm* comm_;
  int rank_, size_;
  Index n_state_;
  int n_members_;
  std::vector<int> member_start_;
  std::vector<Index> row_start_;
};

}  // namespace landda::parallel
