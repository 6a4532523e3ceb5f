#include "experiments/cycle/cell_layout.hpp"

#include <algorithm>
#include <cmath>
#include <new>

#include "core/error.hpp"
#include "core/exact_sum.hpp"
#include "core/memory.hpp"

namespace landda::experiments {

CellLayout::CellLayout(const parallel::Distribution& dist, const StateLayout& layout, const Model& model)
    : dist_(dist), layout_(layout), per_cell_(layout.rows_per_cell()) {
  const Index n = layout.n_cells(), begin = dist.my_cell_begin(), count = dist.my_cell_count();
  block_ = CellBlock{begin, begin + count, true};
  const int mpc = model.memory_per_cell();
  memory_ = CellRows{n, mpc, model.memory_size() - mpc * n, begin, count};
  scratch_.reset(static_cast<double*>(std::calloc(static_cast<std::size_t>(layout.size()), sizeof(double))));
  if (!scratch_) throw std::bad_alloc();
}

void CellLayout::to_model(const Eigen::Ref<const Eigen::VectorXd>& x, Eigen::Ref<Eigen::VectorXd> compact) const {
  Eigen::Map<Eigen::MatrixXd>(compact.data(), cells(), per_cell_) =
      Eigen::Map<const Eigen::MatrixXd>(x.data(), per_cell_, cells()).transpose();
}

void CellLayout::from_model(const Eigen::Ref<const Eigen::VectorXd>& compact, Eigen::Ref<Eigen::VectorXd> x) const {
  Eigen::Map<Eigen::MatrixXd>(x.data(), per_cell_, cells()) =
      Eigen::Map<const Eigen::MatrixXd>(compact.data(), cells(), per_cell_).transpose();
}

// Row k n_cells + c of the state (variable and layer k: StateLayout's order) is row (c - begin) per_cell + k here.
Index CellLayout::position(Index i) const {
  const Index n = layout_.n_cells(), c = i % n;
  return c >= block_.begin && c < block_.end ? (c - block_.begin) * per_cell_ + i / n : -1;
}

Eigen::VectorXd CellLayout::rows_of(const Eigen::Ref<const Eigen::VectorXd>& full) const {
  Eigen::VectorXd out(rows());
  const Index n = layout_.n_cells();
  for (Index c = 0; c < cells(); ++c)
    for (Index k = 0; k < per_cell_; ++k) out[c * per_cell_ + k] = full[k * n + block_.begin + c];
  return out;
}

Index ObsOwners::held(Index r) const {
  const auto it = std::lower_bound(row.begin(), row.end(), r);
  if (it == row.end() || *it != r) throw ParallelError(cat("observation row ", r, " is not held by its owner"));
  return it - row.begin();
}

int CellLayout::owner_at(const CellIndex& cells, double x, double y) const {
  const int c = cells.nearest(x, y).first;
  return c >= 0 ? dist_.owner_of_cell(c) : 0;
}

void CellLayout::apply(const ObsOperator& op, const Eigen::Ref<const Eigen::MatrixXd>& X, Eigen::Ref<Eigen::MatrixXd> HX,
                       const ObsOwners& own, Index first) {
  const Footprint& fp = op.footprint();
  const Index count = op.size(), n = layout_.n_cells(), cols = X.cols();
  std::vector<Index> mine, local, halo;
  for (Index o = 0; o < count; ++o) {
    if (own.slot[static_cast<std::size_t>(first + o)] < 0) continue;
    mine.push_back(o);
    for (Footprint::InnerIterator it(fp, o); it; ++it)
      (it.col() >= block_.begin && it.col() < block_.end ? local : halo).push_back(it.col());
  }
  for (auto* v : {&local, &halo}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  // The halo: every row of each neighbouring cell, every column, from the rank that holds it.
  std::vector<int> from(halo.size());
  std::vector<Index> at(halo.size());
  for (std::size_t h = 0; h < halo.size(); ++h) {
    from[h] = dist_.owner_of_cell(halo[h]);
    at[h] = halo[h] - dist_.cell_begin(from[h]);
  }
  const Eigen::MatrixXd got = dist_.fetch(from, at, per_cell_ * cols, [&](Index c, double* out) {
    for (Index j = 0; j < cols; ++j)
      for (Index k = 0; k < per_cell_; ++k) out[j * per_cell_ + k] = X(c * per_cell_ + k, j);
  });
  Eigen::Map<Eigen::VectorXd> state(scratch_.get(), layout_.size());
  Eigen::VectorXd out(static_cast<Index>(mine.size()));
  for (Index j = 0; j < cols; ++j) {
    for (const Index c : local)
      for (Index k = 0; k < per_cell_; ++k) state[k * n + c] = X((c - block_.begin) * per_cell_ + k, j);
    for (std::size_t h = 0; h < halo.size(); ++h)
      for (Index k = 0; k < per_cell_; ++k) state[k * n + halo[h]] = got(j * per_cell_ + k, static_cast<Index>(h));
    op.apply_rows(state, mine, out);  // its own observations only
    for (std::size_t k = 0; k < mine.size(); ++k) HX(own.slot[static_cast<std::size_t>(first + mine[k])], j) = out[static_cast<Index>(k)];
  }
  // The column's pages back until the next observation step (not held through the analysis).
  release_pages(scratch_.get(), static_cast<std::size_t>(layout_.size()) * sizeof(double));
}

Eigen::MatrixXd CellLayout::fetch_rows(Eigen::MatrixXd& mine, const ObsOwners& own, const std::vector<Index>& wanted) const {
  std::vector<int> from(wanted.size());
  std::vector<Index> at(wanted.size());
  for (std::size_t r = 0; r < wanted.size(); ++r) {
    const auto w = static_cast<std::size_t>(wanted[r]);
    from[r] = own.owner[w];
    at[r] = own.row[w];  // the owner looks its slot up
  }
  // Member after member, each of mine's columns given back once taken: the
  // result's pages are touched as they are filled, so a rank holds about one
  // of the two arrays at a time, not both.
  Eigen::MatrixXd out(static_cast<Index>(wanted.size()), mine.cols());
  for (Index j = 0; j < mine.cols(); ++j) {
    dist_.fetch(
        from, at, 1, [&](Index row, double* value) { *value = mine(own.slot[static_cast<std::size_t>(own.held(row))], j); },
        [&](std::size_t i, const double* value) { out(static_cast<Index>(i), j) = *value; });
    release_pages(mine.col(j).data(), static_cast<std::size_t>(mine.rows()) * sizeof(double));
  }
  mine = Eigen::MatrixXd();
  return out;
}

std::pair<Eigen::VectorXd, Eigen::VectorXd> own_moments(const Eigen::MatrixXd& mine, const ObsOwners& own, Index first,
                                                        Index count, bool spread) {
  const Index N = mine.cols();
  Eigen::VectorXd mean = Eigen::VectorXd::Constant(count, std::nan("")), sd;
  if (spread) sd = mean;
  for (Index o = 0; o < count; ++o) {
    const Index s = own.slot[static_cast<std::size_t>(first + o)];
    if (s < 0) continue;
    ExactSum sum;  // rounded as the members layout's sum over its ranks is
    for (Index j = 0; j < N; ++j) sum.add(mine(s, j));
    mean[o] = sum.value() / static_cast<double>(N);
    if (!spread) continue;
    ExactSum squares;
    for (Index j = 0; j < N; ++j) squares.add((mine(s, j) - mean[o]) * (mine(s, j) - mean[o]));
    sd[o] = std::sqrt(squares.value() / static_cast<double>(std::max<Index>(1, N - 1)));
  }
  return {mean, sd};
}

void from_owners(const parallel::Distribution& dist, const ObsOwners& own, const std::vector<Index>& rows,
                 const std::vector<RowField>& fields) {
  std::vector<int> from;
  std::vector<Index> at, to;
  for (const Index r : rows)
    if (const auto h = static_cast<std::size_t>(r); own.slot[h] < 0)
      from.push_back(own.owner[h]), at.push_back(own.row[h]), to.push_back(r);
  const auto width = static_cast<Index>(fields.size());
  dist.fetch(
      from, at, width,
      [&](Index row, double* out) {
        const Index h = own.held(row);
        for (std::size_t f = 0; f < fields.size(); ++f) out[f] = fields[f].get(h);
      },
      [&](std::size_t i, const double* in) {
        for (std::size_t f = 0; f < fields.size(); ++f) fields[f].set(to[i], in[f]);
      });
}

}  // namespace landda::experiments
