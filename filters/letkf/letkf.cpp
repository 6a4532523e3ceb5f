#include "filters/letkf/letkf.hpp"

#include <cmath>

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

  // The local rows of each cell: a cell's rows are n_cells apart in the layout.
  const StateLayout& L = in.layout;
  const Index r0 = in.row_begin, r1 = in.row_begin + X.rows();
  std::vector<int> idx;
  std::vector<double> dist;
  Eigen::MatrixXd Y, W;
  Eigen::VectorXd d, rinv, mean(N), anom(N), out(N);
  double inflation_sum = 0.0;
  int analysed = 0;
  const int cell_first = L.cell_of(r0);
  const bool all_cells = X.rows() >= L.n_cells();
  for (int k = 0; k < L.n_cells(); ++k) {
    const int c = all_cells ? k : (cell_first + k) % L.n_cells();
    // Rows of this cell inside [r0, r1).
    bool any = false;
    for (int v = 0; v < L.n_variables() && !any; ++v)
      for (int l = 0; l < L.n_layers(v) && !any; ++l) {
        const Index i = L.index(v, l, c);
        any = i >= r0 && i < r1;
      }
    if (!any) {
      if (!all_cells) break;  // a block covers a run of cells; past its end there are no more
      continue;
    }
    index.query(in.grid.x(c), in.grid.y(c), idx, dist);
    if (idx.empty()) continue;  // no local observations: the (inflated) forecast stands
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
    for (int v = 0; v < L.n_variables(); ++v)
      for (int l = 0; l < L.n_layers(v); ++l) {
        const Index i = L.index(v, l, c);
        if (i < r0 || i >= r1) continue;
        auto row = X.row(i - r0);
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
  }
  if (analysed > 0) stats.inflation = inf.factor * inflation_sum / analysed;
  relax_to_prior_spread(X, prior_spread, inf.rtps);
  inflate(X, inf.posterior_factor());
  return stats;
}

}  // namespace landda::filters
