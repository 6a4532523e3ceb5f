#include "core/state.hpp"

#include <algorithm>
#include <numeric>

#include "core/error.hpp"

namespace landda {

StateLayout::StateLayout(int n_cells, std::vector<std::string> variables, std::vector<int> layers_per_variable)
    : n_cells_(n_cells), variables_(std::move(variables)), layers_(std::move(layers_per_variable)) {
  if (variables_.size() != layers_.size()) throw Error("StateLayout: one layer count per variable is needed");
  for (int l : layers_) {
    offsets_.push_back(size_);
    size_ += static_cast<Index>(l) * n_cells_;
  }
}

int StateLayout::variable_index(const std::string& name) const {
  auto it = std::find(variables_.begin(), variables_.end(), name);
  if (it == variables_.end()) throw InputError(cat("the model state has no variable '", name, "'"));
  return static_cast<int>(it - variables_.begin());
}

std::vector<Index> index_range(Index begin, Index count) {
  std::vector<Index> r(static_cast<std::size_t>(std::max<Index>(count, 0)));
  std::iota(r.begin(), r.end(), begin);
  return r;
}

std::vector<Index> StateLayout::cell_major_order() const {
  std::vector<Index> order;
  order.reserve(static_cast<std::size_t>(size_));
  for (int c = 0; c < n_cells_; ++c)
    for (int v = 0; v < n_variables(); ++v)
      for (int l = 0; l < layers_[v]; ++l) order.push_back(index(v, l, c));
  return order;
}

void CellRows::take(const Eigen::Ref<const Eigen::VectorXd>& full, Eigen::Ref<Eigen::VectorXd> compact) const {
  for (int k = 0; k < per_cell; ++k) compact.segment(k * count, count) = full.segment(k * n_cells + begin, count);
  compact.tail(tail) = full.tail(tail);
}

void CellRows::put(const Eigen::Ref<const Eigen::VectorXd>& compact, Eigen::Ref<Eigen::VectorXd> full) const {
  for (int k = 0; k < per_cell; ++k) full.segment(k * n_cells + begin, count) = compact.segment(k * count, count);
  full.tail(tail) = compact.tail(tail);
}

int StateLayout::var_of(Index i) const {
  int v = 0;
  while (v + 1 < static_cast<int>(offsets_.size()) && i >= offsets_[v + 1]) ++v;
  return v;
}

Eigen::VectorXd ensemble_mean(const Eigen::Ref<const Eigen::MatrixXd>& X) {
  // A fixed summation order over members keeps results independent of the rank layout.
  Eigen::VectorXd m = Eigen::VectorXd::Zero(X.rows());
  for (Index j = 0; j < X.cols(); ++j) m += X.col(j);
  return m / static_cast<double>(X.cols());
}

Eigen::VectorXd ensemble_spread(const Eigen::Ref<const Eigen::MatrixXd>& X) {
  // A block of rows at a time: no mean and sum of squares of every row held beside the result.
  Eigen::VectorXd out(X.rows());
  for (Index r0 = 0; r0 < X.rows(); r0 += kEnsembleRowBlock) {
    const Index count = std::min(kEnsembleRowBlock, X.rows() - r0);
    const auto B = X.middleRows(r0, count);
    const Eigen::VectorXd m = ensemble_mean(B);
    Eigen::VectorXd v = Eigen::VectorXd::Zero(count);
    for (Index j = 0; j < B.cols(); ++j) v += (B.col(j) - m).cwiseAbs2();
    out.segment(r0, count) = (v / static_cast<double>(std::max<Index>(1, X.cols() - 1))).cwiseSqrt();
  }
  return out;
}

}  // namespace landda
