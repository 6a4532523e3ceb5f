#pragma once
// Small linear-Gaussian analysis problems shared by the filter tests.
#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <memory>
#include <string>
#include <vector>

#include "config/node.hpp"
#include "core/random.hpp"
#include "filters/register.hpp"

namespace landda::test {

// Creates a registered filter from YAML text (the `type:` key included).
inline std::unique_ptr<Filter> make_filter(const std::string& yaml) {
  config::PluginConfig pc;
  pc.node = config::load_string(yaml, "test-filter");
  pc.type = pc.node.yaml()["type"].as<std::string>();
  return filters::registry().create(pc);
}

// N members drawn from N(m, B) with a fixed stream.
inline Eigen::MatrixXd sample(const Eigen::VectorXd& m, const Eigen::MatrixXd& B, int N, std::uint64_t seed) {
  const Eigen::MatrixXd Lc = B.llt().matrixL();
  RandomStream r(seed, "test-sample", 0);
  Eigen::MatrixXd X(m.size(), N);
  for (int j = 0; j < N; ++j) {
    Eigen::VectorXd z(m.size());
    for (Eigen::Index i = 0; i < m.size(); ++i) z[i] = r.normal();
    X.col(j) = m + Lc * z;
  }
  return X;
}

inline Eigen::MatrixXd sample_cov(const Eigen::MatrixXd& X) {
  const Eigen::VectorXd m = X.rowwise().mean();
  const Eigen::MatrixXd A = X.colwise() - m;
  return A * A.transpose() / (X.cols() - 1.0);
}

// Observations of selected state elements (H is a selection).
struct Problem {
  Grid grid = Grid::periodic_1d(1);
  StateLayout layout;
  ObsBatch obs;
  std::vector<int> rows;  // observed rows
  std::vector<RandomStream> rng;

  Problem(int n, std::vector<int> observed, std::vector<double> values, double error, int N)
      : grid(Grid::periodic_1d(n)), layout(n, {"x"}, {1}), rows(std::move(observed)) {
    obs.resize(static_cast<Eigen::Index>(rows.size()));
    obs.source_names = {"test"};
    for (std::size_t k = 0; k < rows.size(); ++k) {
      obs.value[static_cast<Eigen::Index>(k)] = values[k];
      obs.error[static_cast<Eigen::Index>(k)] = error;
      obs.x[k] = rows[k];
      obs.y[k] = 0.0;
    }
    for (int j = 0; j < N; ++j) rng.emplace_back(99, "test-perturb", j);
  }
  Eigen::MatrixXd H(const Eigen::MatrixXd& X) const {
    Eigen::MatrixXd out(static_cast<Eigen::Index>(rows.size()), X.cols());
    for (std::size_t k = 0; k < rows.size(); ++k) out.row(static_cast<Eigen::Index>(k)) = X.row(rows[k]);
    return out;
  }
  Eigen::MatrixXd Hmat(int n) const {
    Eigen::MatrixXd h = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(rows.size()), n);
    for (std::size_t k = 0; k < rows.size(); ++k) h(static_cast<Eigen::Index>(k), rows[k]) = 1.0;
    return h;
  }
  AnalysisStats analyse(Filter& f, Eigen::MatrixXd& X) {
    const Eigen::MatrixXd HX = H(X);
    const auto all = index_range(0, X.rows());
    AnalysisInput in{grid, layout, all, obs, HX, &rng};
    return f.analyse(X, in);
  }
};

}  // namespace landda::test
