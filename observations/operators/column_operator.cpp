#include "observations/operators/column_operator.hpp"

#include "core/cell_index.hpp"

#include <cmath>
#include <limits>

#include "core/error.hpp"

namespace landda::observations {

void FootprintParams::visit(config::Visitor& v) {
  v("footprint_km", footprint_km,
    config::doc("radius of the retrieval footprint: the cells within it are averaged with equal weights (area "
                "weights of a regular grid); 0 takes the nearest cell")
        .at_least(0)
        .in("km (grid units on Cartesian grids)"));
  v("max_distance_km", max_distance_km,
    config::doc("an observation farther than this from every cell is outside the domain (QC flag)").above(0));
}

Eigen::VectorXd depth_weights(const std::vector<double>& bottoms, double top, double bottom, double e_folding) {
  const auto L = static_cast<Eigen::Index>(bottoms.size());
  Eigen::VectorXd w = Eigen::VectorXd::Zero(std::max<Eigen::Index>(L, 1));
  if (L == 0) {
    w[0] = 1.0;
    return w;
  }
  // The integral of g(z) over [a, b]: uniform g = 1, or exp(-z/e).
  const auto integral = [&](double a, double b) {
    if (b <= a) return 0.0;
    if (e_folding <= 0.0) return b - a;
    return e_folding * (std::exp(-a / e_folding) - std::exp(-b / e_folding));
  };
  double z0 = 0.0;
  for (Eigen::Index l = 0; l < L; ++l) {
    const double z1 = bottoms[static_cast<std::size_t>(l)];
    w[l] = integral(std::max(z0, top), std::min(z1, bottom));
    z0 = z1;
  }
  const double total = w.sum();
  if (!(total > 0.0))
    throw ConfigError(cat("observation depth range [", top, ", ", bottom, "] m lies below the model's deepest layer (",
                          bottoms.back(), " m)"));
  return w / total;
}

void ColumnOperator::setup(const ObsGeometry& g, std::span<const double> x, std::span<const double> y) {
  layout_ = &g.layout;
  n_cells_ = g.layout.n_cells();
  var_ = variable_.empty() ? 0 : g.layout.variable_index(variable_);
  n_layers_ = g.layout.n_layers(var_);
  prepare(g);
  const auto n = static_cast<Eigen::Index>(x.size());
  outside_.assign(x.size(), 0);
  std::vector<Eigen::Triplet<double>> trip;
  for (Eigen::Index o = 0; o < n; ++o) {
    const auto oi = static_cast<std::size_t>(o);
    const std::vector<int> inside = located(g, x[oi], y[oi]);
    if (inside.empty()) {
      outside_[oi] = 1;
      continue;
    }
    for (int c : inside) trip.emplace_back(o, c, 1.0 / static_cast<double>(inside.size()));
  }
  footprint_.resize(n, n_cells_);
  footprint_.setFromTriplets(trip.begin(), trip.end());
}

std::vector<int> ColumnOperator::located(const ObsGeometry& g, double x, double y) const {
  const CellIndex& index = g.cell_index();  // set-up grows as (observations + cells) x log(cells)
  const auto [nearest, best] = index.nearest(x, y);
  if (nearest < 0 || best > fp_.max_distance_km + fp_.footprint_km) return {};
  std::vector<int> inside;
  if (fp_.footprint_km > 0) inside = index.within(x, y, fp_.footprint_km);
  if (inside.empty()) inside.push_back(nearest);
  return inside;
}

void ColumnOperator::gather(const Eigen::Ref<const Eigen::VectorXd>& state, int cell, Eigen::VectorXd& layers) const {
  layers.resize(n_layers_);
  for (int l = 0; l < n_layers_; ++l) layers[l] = state[layout_->index(var_, l, cell)];
}

double ColumnOperator::row_value(const Eigen::Ref<const Eigen::VectorXd>& state, Eigen::Index o, Eigen::VectorXd& layers) const {
  double acc = 0.0;
  for (Footprint::InnerIterator it(footprint_, o); it; ++it) {
    gather(state, static_cast<int>(it.col()), layers);
    acc += it.value() * column(static_cast<int>(it.col()), layers);
  }
  return acc;
}

void ColumnOperator::apply(const Eigen::Ref<const Eigen::VectorXd>& state, Eigen::Ref<Eigen::VectorXd> out) const {
  Eigen::VectorXd layers;
  for (Eigen::Index o = 0; o < footprint_.rows(); ++o) out[o] = row_value(state, o, layers);
}

void ColumnOperator::apply_rows(const Eigen::Ref<const Eigen::VectorXd>& state, std::span<const Eigen::Index> rows,
                                Eigen::Ref<Eigen::VectorXd> out) const {
  Eigen::VectorXd layers;
  for (std::size_t k = 0; k < rows.size(); ++k) out[static_cast<Eigen::Index>(k)] = row_value(state, rows[k], layers);
}

// Row o of h_ * state, summed in the order Eigen's sparse product sums it (the same value, bit for bit).
void LinearColumn::apply_rows(const Eigen::Ref<const Eigen::VectorXd>& state, std::span<const Eigen::Index> rows,
                              Eigen::Ref<Eigen::VectorXd> out) const {
  for (std::size_t k = 0; k < rows.size(); ++k) {
    double acc = 0.0;
    for (Footprint::InnerIterator it(h_, rows[k]); it; ++it) acc += it.value() * state[it.col()];
    out[static_cast<Eigen::Index>(k)] = acc;
  }
}

void LinearColumn::setup(const ObsGeometry& g, std::span<const double> x, std::span<const double> y) {
  ColumnOperator::setup(g, x, y);
  const Footprint& fp = footprint();
  std::vector<Eigen::Triplet<double>> trip;
  trip.reserve(static_cast<std::size_t>(fp.nonZeros()) * static_cast<std::size_t>(n_layers_));
  for (Eigen::Index o = 0; o < fp.outerSize(); ++o)
    for (Footprint::InnerIterator it(fp, o); it; ++it)
      for (int l = 0; l < n_layers_; ++l)
        if (weights_[l] != 0.0) trip.emplace_back(it.row(), layout_->index(var_, l, static_cast<int>(it.col())), it.value() * weights_[l]);
  h_.resize(fp.rows(), layout_->size());
  h_.setFromTriplets(trip.begin(), trip.end());
}

void ColumnOperator::tangent(const Eigen::Ref<const Eigen::VectorXd>& state, const Eigen::Ref<const Eigen::VectorXd>& dx,
                             Eigen::Ref<Eigen::VectorXd> out) const {
  Eigen::VectorXd layers, dlayers;
  for (Eigen::Index o = 0; o < footprint_.rows(); ++o) {
    double acc = 0.0;
    for (Footprint::InnerIterator it(footprint_, o); it; ++it) {
      const int c = static_cast<int>(it.col());
      gather(state, c, layers);
      gather(dx, c, dlayers);
      acc += it.value() * column_tangent(c, layers, dlayers);
    }
    out[o] = acc;
  }
}

}  // namespace landda::observations
