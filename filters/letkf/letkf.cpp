#include "filters/letkf/letkf.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "filters/common/localization.hpp"
#include "filters/common/transform_kernel.hpp"

namespace landda::filters {

namespace {

// The coarse nodes (every `stride` cells of a structured grid) whose weights
// cell c interpolates bilinearly, and where c lies between them (Yang et al. 2009).
struct Quad {
  int i0, j0, i1, j1;
  double fx, fy;
  std::array<int, 4> nodes(int nx) const { return {i0 + j0 * nx, i1 + j0 * nx, i0 + j1 * nx, i1 + j1 * nx}; }
};
Quad quad_of(int c, int nx, int ny, int stride) {
  const int i = c % nx, j = c / nx;
  Quad q;
  q.i0 = i / stride * stride;
  q.j0 = j / stride * stride;
  q.i1 = std::min(q.i0 + stride, nx - 1);
  q.j1 = std::min(q.j0 + stride, ny - 1);
  q.fx = q.i1 > q.i0 ? static_cast<double>(i - q.i0) / (q.i1 - q.i0) : 0.0;
  q.fy = q.j1 > q.j0 ? static_cast<double>(j - q.j0) / (q.j1 - q.j0) : 0.0;
  return q;
}

// A rank's rows grouped by cell, cells in increasing order: a run of positions per cell, so that each cell's
// weights are computed once however the rows are ordered. Rows already cell after cell (Distribution, the
// cells layout) are their own runs with no permutation kept; others are put so by a counting sort.
struct RowsByCell {
  std::vector<Index> order;                 // positions, cell after cell (empty: the rows' own order)
  std::vector<std::pair<int, Index>> runs;  // (cell, end of its run in order)
  Index begin(std::size_t r) const { return r == 0 ? 0 : runs[r - 1].second; }
  Index end(std::size_t r) const { return runs[r].second; }
  Index position(Index k) const { return order.empty() ? k : order[static_cast<std::size_t>(k)]; }
};

RowsByCell rows_by_cell(const StateLayout& L, std::span<const Index> rows) {
  RowsByCell by;
  bool grouped = true;
  for (std::size_t k = 0; k < rows.size() && grouped; ++k) {
    const int c = L.cell_of(rows[k]);
    if (by.runs.empty() || c > by.runs.back().first) by.runs.emplace_back(c, static_cast<Index>(k) + 1);
    else if (c == by.runs.back().first) by.runs.back().second = static_cast<Index>(k) + 1;
    else grouped = false;
  }
  if (grouped) return by;
  by.runs.clear();
  std::vector<Index> first(static_cast<std::size_t>(L.n_cells()) + 1, 0);
  for (const Index row : rows) ++first[static_cast<std::size_t>(L.cell_of(row)) + 1];
  for (int c = 0; c < L.n_cells(); ++c) {
    first[c + 1] += first[c];
    if (first[c + 1] > first[c]) by.runs.emplace_back(c, first[c + 1]);
  }
  by.order.resize(rows.size());
  for (std::size_t k = 0; k < rows.size(); ++k)
    by.order[static_cast<std::size_t>(first[static_cast<std::size_t>(L.cell_of(rows[k]))]++)] = static_cast<Index>(k);
  return by;
}

}  // namespace

int Letkf::stride_for(const Grid& g) const {
  const bool structured = g.kind() == Grid::Kind::lonlat || g.kind() == Grid::Kind::cartesian;
  return structured ? p_.localization.weight_stride : 1;
}

// The observations analyse() finds near the cells it solves for `rows`: the
// rows' own cells, or with a weight stride the nodes they interpolate from.
std::vector<Index> Letkf::observations_near(const Grid& grid, const StateLayout& layout, std::span<const Index> rows,
                                            const ObsBatch& obs) const {
  const int stride = stride_for(grid), nx = std::max(1, grid.nx()), ny = std::max(1, grid.ny());
  std::vector<char> solved(static_cast<std::size_t>(layout.n_cells()), 0), near(static_cast<std::size_t>(obs.size()), 0);
  for (const Index row : rows) {
    const int c = layout.cell_of(row);
    if (stride > 1)
      for (const int n : quad_of(c, nx, ny, stride).nodes(nx)) solved[static_cast<std::size_t>(n)] = 1;
    else
      solved[static_cast<std::size_t>(c)] = 1;
  }
  const ObsIndex index(grid, obs, p_.localization.radius);
  std::vector<int> idx;
  std::vector<double> dist;
  for (std::size_t c = 0; c < solved.size(); ++c) {
    if (!solved[c]) continue;
    index.query(grid.x(static_cast<int>(c)), grid.y(static_cast<int>(c)), idx, dist);
    for (const int o : idx) near[static_cast<std::size_t>(o)] = 1;
  }
  std::vector<Index> out;
  for (std::size_t o = 0; o < near.size(); ++o)
    if (near[o]) out.push_back(static_cast<Index>(o));
  return out;
}

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
  const LazyObsSpace global(in.HX, in.obs, inf.prior_factor());

  const double radius = p_.localization.radius;
  const bool taper = p_.localization.function == "gaspari_cohn";
  const ObsIndex index(in.grid, in.obs, radius);
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
      Y.row(o) = global.y_row(i);
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
  const int stride = stride_for(in.grid);
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

  // The cell's weights (transposed, as the transform kernel takes them) and inflation factor; false where no
  // observation is near. On a coarser grid of nodes (every `stride` cells of a structured grid), the weights
  // are interpolated bilinearly from the four nodes around the cell (Yang et al. 2009).
  Eigen::MatrixXd W(N, N);
  int quad_i0 = -1, quad_j0 = -1;
  const Node* quad[4] = {nullptr, nullptr, nullptr, nullptr};  // references into the map stay valid
  const auto cell_weights = [&](int c, Eigen::MatrixXd& WT, double& factor) {
    if (stride <= 1) {
      if (!solve_cell(c, W, factor)) return false;
      WT = W.transpose();
      return true;
    }
    const Quad q = quad_of(c, nx, ny, stride);
    if (q.i0 != quad_i0 || q.j0 != quad_j0) {
      const auto n = q.nodes(nx);
      for (int k = 0; k < 4; ++k) quad[k] = &node(n[static_cast<std::size_t>(k)]);
      quad_i0 = q.i0, quad_j0 = q.j0;
    }
    const Node &w00 = *quad[0], &w10 = *quad[1], &w01 = *quad[2], &w11 = *quad[3];
    if (!(w00.analysed || w10.analysed || w01.analysed || w11.analysed)) return false;
    const double fx = q.fx, fy = q.fy;
    WT = (1 - fy) * ((1 - fx) * w00.WT + fx * w10.WT) + fy * ((1 - fx) * w01.WT + fx * w11.WT);
    factor = (1 - fy) * ((1 - fx) * w00.factor + fx * w10.factor) + fy * ((1 - fx) * w01.factor + fx * w11.factor);
    return true;
  };

  // A cell's rows at a time, in a small row-major buffer: prior inflation, the transform where observations
  // are near (else the inflated forecast stands), relaxation to the prior spread (RTPS), posterior
  // inflation. Each row's arithmetic is that of the passes over the whole ensemble (RowMoments), with no
  // vector of every row's prior spread held.
  const RowsByCell by = rows_by_cell(in.layout, in.rows);
  Index most = 0;
  for (std::size_t r = 0; r < by.runs.size(); ++r) most = std::max(most, by.end(r) - by.begin(r));
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> buf(most, N);
  Eigen::MatrixXd WT(N, N);
  Eigen::VectorXd anom(N), prior(most);
  for (std::size_t run = 0; run < by.runs.size(); ++run) {
    const Index from = by.begin(run), count = by.end(run) - from;
    for (Index r = 0; r < count; ++r) buf.row(r) = X.row(by.position(from + r));
    for (Index r = 0; r < count; ++r) prior[r] = RowMoments(&buf(r, 0), N).spread;
    for (Index r = 0; r < count; ++r) inflate_row(&buf(r, 0), N, inf.prior_factor());
    double factor = 1.0;
    if (cell_weights(by.runs[run].first, WT, factor)) {
      stats.add_local(factor);
      transform_rows(static_cast<std::size_t>(count), static_cast<std::size_t>(N), WT.data(), buf.data(), anom.data());
    }
    for (Index r = 0; r < count; ++r) relax_row(&buf(r, 0), N, prior[r], inf.rtps);
    for (Index r = 0; r < count; ++r) inflate_row(&buf(r, 0), N, inf.posterior_factor());
    for (Index r = 0; r < count; ++r) X.row(by.position(from + r)) = buf.row(r);
  }
  stats.inflation = stats.local_mean();  // unchanged when no cell was analysed
  return stats;
}

}  // namespace landda::filters
