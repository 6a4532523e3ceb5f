#include "filters/letkf/letkf.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "filters/common/localization.hpp"

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

  // Cells are taken in chunks of consecutive cells: their weights are computed
  // first, then each layer's rows of the chunk (contiguous in the layout) are
  // copied into a small row-major buffer, updated there and written back, so
  // that memory is walked in order.
  const StateLayout& L = in.layout;
  const Index r0 = in.row_begin, r1 = in.row_begin + X.rows();
  double inflation_sum = 0.0;
  int analysed = 0;
  constexpr int kChunk = 128;
  std::vector<Eigen::MatrixXd> Wc(kChunk, Eigen::MatrixXd(N, N));
  std::vector<char> active(kChunk);
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> buf(kChunk, N);
  std::vector<int> idx;
  std::vector<double> dist;
  Eigen::MatrixXd Y;
  Eigen::VectorXd d, rinv, anom(N);
  const auto local = [&](int v, int l, int c) {
    const Index i = L.index(v, l, c);
    return i >= r0 && i < r1;
  };
  // The local analysis of one cell; false when no observation is near it.
  const auto solve_cell = [&](int c, Eigen::MatrixXd& W) {
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
      inflation_sum += solver_.enkf_n_weights(Y, d, rinv, W, inf.enkf_n_strength);
    } else {
      solver_.weights(Y, d, rinv, W, N - 1.0);
      inflation_sum += 1.0;
    }
    ++analysed;
    return true;
  };
  // Weights on a coarser grid (every `stride` cells of a structured grid),
  // computed once each on first use; identity where no observation is near.
  const bool structured = in.grid.kind() == Grid::Kind::lonlat || in.grid.kind() == Grid::Kind::cartesian;
  const int stride = structured ? p_.localization.weight_stride : 1;
  const int nx = std::max(1, in.grid.nx()), ny = std::max(1, in.grid.ny());
  std::unordered_map<int, Eigen::MatrixXd> nodes;
  const auto node = [&](int c) -> const Eigen::MatrixXd& {
    auto it = nodes.find(c);
    if (it != nodes.end()) return it->second;
    Eigen::MatrixXd W(N, N);
    if (!solve_cell(c, W)) W = Eigen::MatrixXd::Identity(N, N);
    return nodes.emplace(c, std::move(W)).first->second;
  };
  for (int c0 = 0; c0 < L.n_cells(); c0 += kChunk) {
    const int cb = std::min(kChunk, L.n_cells() - c0);
    bool any_active = false;
    for (int k = 0; k < cb; ++k) {
      const int c = c0 + k;
      bool mine = false;
      for (int v = 0; v < L.n_variables() && !mine; ++v)
        for (int l = 0; l < L.n_layers(v) && !mine; ++l) mine = local(v, l, c);
      active[k] = 0;
      if (!mine) continue;
      if (stride > 1) {
        // Weights interpolated bilinearly from the coarse nodes around the cell (Yang et al. 2009).
        const int i = c % nx, j = c / nx;
        const int i0 = i / stride * stride, j0 = j / stride * stride;
        const int i1 = std::min(i0 + stride, nx - 1), j1 = std::min(j0 + stride, ny - 1);
        const double fx = i1 > i0 ? static_cast<double>(i - i0) / (i1 - i0) : 0.0;
        const double fy = j1 > j0 ? static_cast<double>(j - j0) / (j1 - j0) : 0.0;
        const Eigen::MatrixXd& w00 = node(i0 + j0 * nx);
        const Eigen::MatrixXd& w10 = node(i1 + j0 * nx);
        const Eigen::MatrixXd& w01 = node(i0 + j1 * nx);
        const Eigen::MatrixXd& w11 = node(i1 + j1 * nx);
        Wc[k] = (1 - fy) * ((1 - fx) * w00 + fx * w10) + fy * ((1 - fx) * w01 + fx * w11);
      } else {
        if (!solve_cell(c, Wc[k])) continue;  // no local observations: the (inflated) forecast stands
      }
      active[k] = 1;
      any_active = true;
    }
    if (!any_active) continue;
    for (int v = 0; v < L.n_variables(); ++v)
      for (int l = 0; l < L.n_layers(v); ++l) {
        const Index first = L.index(v, l, c0);
        const Index lo = std::max(first, r0), hi = std::min(first + cb, r1);
        if (lo >= hi) continue;
        const Index len = hi - lo;
        buf.topRows(len) = X.middleRows(lo - r0, len);
        for (Index t = 0; t < len; ++t) {
          const auto k = static_cast<std::size_t>(lo + t - first);
          if (!active[k]) continue;
          const Eigen::MatrixXd& W = Wc[k];
          double* row = buf.row(t).data();
          double m = 0.0;
          for (int j = 0; j < N; ++j) m += row[j];
          m /= N;
          for (int j = 0; j < N; ++j) anom[j] = row[j] - m;
          for (int j = 0; j < N; ++j) {
            double acc = 0.0;
            for (int q = 0; q < N; ++q) acc += anom[q] * W(q, j);
            row[j] = m + acc;
          }
        }
        X.middleRows(lo - r0, len) = buf.topRows(len);
      }
  }
  if (analysed > 0) stats.inflation = inf.factor * inflation_sum / analysed;  // mean over the local solves
  relax_to_prior_spread(X, prior_spread, inf.rtps);
  inflate(X, inf.posterior_factor());
  return stats;
}

}  // namespace landda::filters
