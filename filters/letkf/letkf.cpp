#include "filters/letkf/letkf.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "core/error.hpp"
#include "filters/common/localization.hpp"
#include "filters/common/transform_kernel.hpp"

namespace landda::filters {

void Letkf::Params::visit(config::Visitor& v) {
  common.visit(v);
  v.section("localization", localization, config::doc("observation localization").needed());
}

AnalysisStats Letkf::analyse(Eigen::Ref<Eigen::MatrixXd> X, const AnalysisInput& in) {
  const auto& inf = p_.common.inflation;
  const int N = members();
  AnalysisStats stats;
  stats.inflation = inf.factor;
  if (in.obs.size() == 0 || X.rows() == 0) return stats;
  const Eigen::VectorXd prior_spread = ensemble_spread(X);
  const ObsSpace global = make_obs_space(in.HX, in.obs, inf.prior_factor());
  inflate(X, inf.prior_factor());

  const double radius = p_.localization.radius;
  const bool taper = p_.localization.function == "gaspari_cohn";
  const ObsIndex index(in.grid, in.obs, radius);
  const StateLayout& L = in.layout;
  if (static_cast<Index>(in.rows.size()) != X.rows()) throw NumericalError("LETKF: one state index per local row is needed");

  std::vector<int> idx;
  std::vector<double> dist;
  Eigen::MatrixXd Y;
  Eigen::VectorXd d, rinv;
  // The local analysis of one cell: its weights and its inflation factor; false when no observation is near.
  const auto solve_cell = [&](int c, Eigen::MatrixXd& W, double& factor) {
    index.query(in.grid.x(c), in.grid.y(c), idx, dist);
    if (idx.empty()) return false;
    const auto p = static_cast<Index>(idx.size());
    Y.resize(p, N);
    d.resize(p);
    rinv.resize(p);
    for (Index o = 0; o < p; ++o) {
      const int i = idx[static_cast<std::size_t>(o)];
      Y.row(o) = global.Y.row(i);
      d[o] = global.d[i];
      const double w = taper ? gaspari_cohn(dist[static_cast<std::size_t>(o)], radius / 2.0) : 1.0;
      rinv[o] = global.rinv[i] * w;
    }
    if (inf.adaptive == "enkf_n") {
      factor = inf.factor * solver_.enkf_n_weights(Y, d, rinv, W, inf.enkf_n_strength);
    } else {
      solver_.weights(Y, d, rinv, W, N - 1.0);
      factor = inf.factor;
    }
    return true;
  };
  // Weights on a coarser grid (every `stride` cells of a structured grid),
  // computed once each on first use; identity where no observation is near.
  struct Node {
    Eigen::MatrixXd WT;  // the weights transposed, as the transform kernel takes them
    double factor = 1.0;
    bool analysed = false;
  };
  const bool structured = in.grid.kind() == Grid::Kind::lonlat || in.grid.kind() == Grid::Kind::cartesian;
  const int stride = structured ? p_.localization.weight_stride : 1;
  const int nx = std::max(1, in.grid.nx()), ny = std::max(1, in.grid.ny());
  std::unordered_map<int, Node> nodes;
  const auto node = [&](int c) -> const Node& {
    auto it = nodes.find(c);
    if (it != nodes.end()) return it->second;
    Node n;
    Eigen::MatrixXd W(N, N);
    n.analysed = solve_cell(c, W, n.factor);
    n.WT = n.analysed ? Eigen::MatrixXd(W.transpose()) : Eigen::MatrixXd::Identity(N, N);
    return nodes.emplace(c, std::move(n)).first->second;
  };

  // This rank's rows grouped by cell (a counting sort), so that each cell's
  // weights are computed once however the rows are ordered; with rows in
  // cell-major order (Distribution) a rank computes only its own cells'.
  const int n_cells = L.n_cells();
  std::vector<Index> first(static_cast<std::size_t>(n_cells) + 1, 0), by_cell(static_cast<std::size_t>(X.rows()));
  std::vector<int> cell(static_cast<std::size_t>(X.rows()));
  for (Index k = 0; k < X.rows(); ++k) {
    cell[static_cast<std::size_t>(k)] = L.cell_of(in.rows[static_cast<std::size_t>(k)]);
    ++first[static_cast<std::size_t>(cell[static_cast<std::size_t>(k)]) + 1];
  }
  for (int c = 0; c < n_cells; ++c) first[c + 1] += first[c];
  {
    std::vector<Index> at(first.begin(), first.end() - 1);
    for (Index k = 0; k < X.rows(); ++k) by_cell[static_cast<std::size_t>(at[cell[static_cast<std::size_t>(k)]]++)] = k;
  }

  Eigen::MatrixXd W(N, N), WT(N, N);
  Eigen::VectorXd anom(N);
  Index most = 0;
  for (int c = 0; c < n_cells; ++c) most = std::max(most, first[c + 1] - first[c]);
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> buf(most, N);
  // The four nodes around the current cells (references into the map stay valid).
  int quad_i0 = -1, quad_j0 = -1;
  const Node* quad[4] = {nullptr, nullptr, nullptr, nullptr};
  for (int c = 0; c < n_cells; ++c) {
    if (first[c + 1] == first[c]) continue;
    double factor = 1.0;
    if (stride > 1) {
      // Weights interpolated bilinearly from the coarse nodes around the cell (Yang et al. 2009).
      const int i = c % nx, j = c / nx;
      const int i0 = i / stride * stride, j0 = j / stride * stride;
      const int i1 = std::min(i0 + stride, nx - 1), j1 = std::min(j0 + stride, ny - 1);
      const double fx = i1 > i0 ? static_cast<double>(i - i0) / (i1 - i0) : 0.0;
      const double fy = j1 > j0 ? static_cast<double>(j - j0) / (j1 - j0) : 0.0;
      if (i0 != quad_i0 || j0 != quad_j0) {
        quad[0] = &node(i0 + j0 * nx);
        quad[1] = &node(i1 + j0 * nx);
        quad[2] = &node(i0 + j1 * nx);
        quad[3] = &node(i1 + j1 * nx);
        quad_i0 = i0;
        quad_j0 = j0;
      }
      const Node &w00 = *quad[0], &w10 = *quad[1], &w01 = *quad[2], &w11 = *quad[3];
      if (!(w00.analysed || w10.analysed || w01.analysed || w11.analysed)) continue;
      WT = (1 - fy) * ((1 - fx) * w00.WT + fx * w10.WT) + fy * ((1 - fx) * w01.WT + fx * w11.WT);
      factor = (1 - fy) * ((1 - fx) * w00.factor + fx * w10.factor) + fy * ((1 - fx) * w01.factor + fx * w11.factor);
    } else if (solve_cell(c, W, factor)) {
      WT = W.transpose();
    } else {
      continue;  // no local observations: the (inflated) forecast stands
    }
    stats.add_local(factor);
    // The cell's rows through the transform, in a small row-major buffer.
    const Index count = first[c + 1] - first[c];
    for (Index r = 0; r < count; ++r) buf.row(r) = X.row(by_cell[static_cast<std::size_t>(first[c] + r)]);
    transform_rows(static_cast<std::size_t>(count), static_cast<std::size_t>(N), WT.data(), buf.data(), anom.data());
    for (Index r = 0; r < count; ++r) X.row(by_cell[static_cast<std::size_t>(first[c] + r)]) = buf.row(r);
  }
  stats.inflation = stats.local_mean();  // unchanged when no cell was analysed
  relax_to_prior_spread(X, prior_spread, inf.rtps);
  inflate(X, inf.posterior_factor());
  return stats;
}

}  // namespace landda::filters
