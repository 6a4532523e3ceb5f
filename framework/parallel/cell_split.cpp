#include "parallel/cell_split.hpp"

#include <algorithm>
#include <limits>

#include "core/error.hpp"

namespace landda::parallel {

CellSplit::CellSplit(const Comm& task, const StateLayout& layout, int memory_per_cell, int diagnostics_per_cell,
                     Index granule)
    : comm_(&task), rank_(task.rank()), size_(task.size()), n_cells_(layout.n_cells()) {
  const Index nc = layout.n_cells();
  if (granule < 1) throw ParallelError("CellSplit: the cell granule must be positive");
  const Index units = (nc + granule - 1) / granule;
  begin_.assign(static_cast<std::size_t>(size_) + 1, 0);
  for (int r = 0; r < size_; ++r) {
    const Index u = (r + 1) * (units / size_) + std::min<Index>(r + 1, units % size_);
    begin_[static_cast<std::size_t>(r) + 1] = std::min(nc, u * granule);
  }
  if (size_ == 1) return;  // one rank advances every cell: nothing to join, no row lists to keep
  state_rows_.resize(static_cast<std::size_t>(size_));
  memory_rows_ = diag_rows_ = state_rows_;
  const auto per_cell = [nc](std::vector<Index>& out, int k_count, Index c0, Index c1) {
    for (int k = 0; k < k_count; ++k)
      for (Index c = c0; c < c1; ++c) out.push_back(k * nc + c);
  };
  for (int r = 0; r < size_; ++r) {
    const auto ru = static_cast<std::size_t>(r);
    const Index c0 = begin_[ru], c1 = begin_[ru + 1];
    for (Index i = 0; i < layout.size(); ++i)
      if (const int c = layout.cell_of(i); c >= c0 && c < c1) state_rows_[ru].push_back(i);
    per_cell(memory_rows_[ru], memory_per_cell, c0, c1);
    per_cell(diag_rows_[ru], diagnostics_per_cell, c0, c1);
  }
}

void CellSplit::join_per_cell(Eigen::Ref<Eigen::MatrixXd> M, int per_cell) const {
  if (size_ == 1) return;
  Rows rows(static_cast<std::size_t>(size_));
  for (int r = 0; r < size_; ++r)
    for (int k = 0; k < per_cell; ++k)
      for (Index c = begin_[static_cast<std::size_t>(r)]; c < begin_[static_cast<std::size_t>(r) + 1]; ++c)
        rows[static_cast<std::size_t>(r)].push_back(k * n_cells_ + c);
  join(M, rows);
}

void CellSplit::join(Eigen::Ref<Eigen::MatrixXd> M, const Rows& rows) const {
  if (size_ == 1) return;
  const Index cols = M.cols();
  std::vector<int> counts(static_cast<std::size_t>(size_)), displs(counts.size(), 0);
  for (int r = 0; r < size_; ++r) {
    const Index n = static_cast<Index>(rows[static_cast<std::size_t>(r)].size()) * cols;
    if (n > std::numeric_limits<int>::max()) throw ParallelError("CellSplit: message larger than MPI's int count limit");
    counts[static_cast<std::size_t>(r)] = static_cast<int>(n);
    if (r > 0) displs[static_cast<std::size_t>(r)] = displs[static_cast<std::size_t>(r) - 1] + counts[static_cast<std::size_t>(r) - 1];
  }
  const auto& mine = rows[static_cast<std::size_t>(rank_)];
  std::vector<double> send;
  send.reserve(mine.size() * static_cast<std::size_t>(cols));
  for (Index j = 0; j < cols; ++j)
    for (const Index i : mine) send.push_back(M(i, j));
  std::vector<double> recv(static_cast<std::size_t>(displs.back() + counts.back()));
  check_mpi(MPI_Allgatherv(send.data(), static_cast<int>(send.size()), MPI_DOUBLE, recv.data(), counts.data(),
                           displs.data(), MPI_DOUBLE, comm_->get()),
            "MPI_Allgatherv (cell blocks)");
  std::size_t k = 0;
  for (int r = 0; r < size_; ++r)
    for (Index j = 0; j < cols; ++j)
      for (const Index i : rows[static_cast<std::size_t>(r)]) M(i, j) = recv[k++];
}

}  // namespace landda::parallel
