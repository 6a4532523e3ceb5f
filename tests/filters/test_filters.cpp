#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>

#include "filter_fixture.hpp"
#include "filters/common/ensemble_space.hpp"

using namespace landda;
using test::make_filter;
using test::Problem;

namespace {

// The exact Kalman update of (m, P) with H and diagonal R = r^2 I.
void kalman(const Eigen::VectorXd& m, const Eigen::MatrixXd& P, const Eigen::MatrixXd& H, const Eigen::VectorXd& y,
            double r, Eigen::VectorXd& ma, Eigen::MatrixXd& Pa) {
  const Eigen::MatrixXd S = H * P * H.transpose() + r * r * Eigen::MatrixXd::Identity(H.rows(), H.rows());
  const Eigen::MatrixXd K = P * H.transpose() * S.inverse();
  ma = m + K * (y - H * m);
  Pa = (Eigen::MatrixXd::Identity(m.size(), m.size()) - K * H) * P;
}

Eigen::MatrixXd spd(int n) {
  Eigen::MatrixXd B(n, n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) B(i, j) = std::exp(-std::fabs(i - j) / 2.0) * (1.0 + 0.1 * i);
  return 0.5 * (B + B.transpose()) + 0.1 * Eigen::MatrixXd::Identity(n, n);
}

}  // namespace

TEST_CASE("ETKF equals the Kalman update of the ensemble's own mean and covariance", "[filters]") {
  const int n = 5, N = 10;
  Eigen::MatrixXd X = test::sample(Eigen::VectorXd::LinSpaced(n, 0, 1), spd(n), N, 1);
  Problem pb(n, {2}, {1.7}, 0.5, N);
  Eigen::VectorXd ma;
  Eigen::MatrixXd Pa;
  kalman(X.rowwise().mean(), test::sample_cov(X), pb.Hmat(n), pb.obs.value, 0.5, ma, Pa);
  auto f = make_filter("type: etkf\nmembers: 10\n");
  pb.analyse(*f, X);
  CHECK((X.rowwise().mean() - ma).norm() < 1e-12);
  CHECK((test::sample_cov(X) - Pa).norm() < 1e-12);
}

TEST_CASE("Stochastic EnKF with centred perturbations gives the Kalman mean", "[filters]") {
  const int n = 4, N = 12;
  Eigen::MatrixXd X = test::sample(Eigen::VectorXd::Zero(n), spd(n), N, 2);
  Problem pb(n, {0, 3}, {0.5, -0.4}, 0.3, N);
  Eigen::VectorXd ma;
  Eigen::MatrixXd Pa;
  kalman(X.rowwise().mean(), test::sample_cov(X), pb.Hmat(n), pb.obs.value, 0.3, ma, Pa);
  auto f = make_filter("type: enkf\nmembers: 12\n");
  pb.analyse(*f, X);
  CHECK((X.rowwise().mean() - ma).norm() < 1e-12);
  // The covariance is right only on average: it must have shrunk where observed.
  CHECK(test::sample_cov(X)(0, 0) < 0.6 * spd(n)(0, 0));
}

TEST_CASE("EnKF and ETKF approach the Kalman filter as the ensemble grows", "[filters]") {
  const int n = 4;
  const Eigen::VectorXd m = Eigen::VectorXd::LinSpaced(n, -1, 1);
  const Eigen::MatrixXd B = spd(n);
  Problem pb0(n, {1, 2}, {0.8, 0.2}, 0.4, 2);
  Eigen::VectorXd ma;
  Eigen::MatrixXd Pa;
  kalman(m, B, pb0.Hmat(n), pb0.obs.value, 0.4, ma, Pa);
  for (const std::string type : {"etkf", "enkf"}) {
    std::vector<double> err;
    for (int N : {10, 100, 2000}) {
      double e = 0;
      for (std::uint64_t rep = 0; rep < 4; ++rep) {
        Eigen::MatrixXd X = test::sample(m, B, N, 10 + rep);
        Problem pb(n, {1, 2}, {0.8, 0.2}, 0.4, N);
        auto f = make_filter("type: " + type + "\nmembers: " + std::to_string(N) + "\n");
        pb.analyse(*f, X);
        e += (X.rowwise().mean() - ma).norm() / ma.norm() + (test::sample_cov(X) - Pa).norm() / Pa.norm();
      }
      err.push_back(e / 4);
    }
    INFO(type << " relative errors: " << err[0] << " " << err[1] << " " << err[2]);
    CHECK(err[1] < err[0]);
    CHECK(err[2] < err[1]);
    CHECK(err[2] < 0.1);
  }
}

TEST_CASE("The low-rank and full ETKF weights agree", "[filters]") {
  const int N = 9;
  for (int p : {1, 2, 3, 4, 5, 8}) {
    RandomStream r(static_cast<std::uint64_t>(p), "lowrank", 0);
    Eigen::MatrixXd Y(p, N);
    Eigen::VectorXd d(p), rinv(p);
    for (int i = 0; i < p; ++i) {
      for (int j = 0; j < N; ++j) Y(i, j) = r.normal();
      d[i] = r.normal();
      rinv[i] = 0.5 + r.uniform();
    }
    Y.colwise() -= ensemble_mean(Y);
    filters::EtkfSolver solver(N);
    Eigen::MatrixXd Wf, Wl;
    for (double zeta : {N - 1.0, 3.0}) {
      solver.weights_full(Y, d, rinv, Wf, zeta);
      solver.weights_low_rank(Y, d, rinv, Wl, zeta);
      INFO("p = " << p << ", zeta = " << zeta);
      CHECK((Wf - Wl).cwiseAbs().maxCoeff() < 1e-12);
    }
  }
}

TEST_CASE("A huge observation error leaves the ensemble unchanged", "[filters]") {
  const int n = 6, N = 8;
  const Eigen::MatrixXd X0 = test::sample(Eigen::VectorXd::Ones(n), spd(n), N, 3);
  for (const std::string yaml : {"type: etkf\nmembers: 8\n", "type: enkf\nmembers: 8\n",
                                 "type: letkf\nmembers: 8\nlocalization: {radius: 3}\n",
                                 "type: etkf\nmembers: 8\ninflation: {adaptive: enkf_n}\n"}) {
    Eigen::MatrixXd X = X0;
    Problem pb(n, {0, 2, 4}, {5, 5, 5}, 1e9, N);
    auto f = make_filter(yaml);
    pb.analyse(*f, X);
    INFO(yaml);
    // EnKF-N may deflate slightly even without information (its prior mode is below 1).
    CHECK((X - X0).norm() / X0.norm() < (yaml.find("enkf_n") != std::string::npos ? 2e-2 : 1e-6));
  }
}

TEST_CASE("LETKF with an unlimited radius equals the ETKF", "[filters]") {
  const int n = 12, N = 7;
  const Eigen::MatrixXd X0 = test::sample(Eigen::VectorXd::Zero(n), spd(n), N, 4);
  Problem pb(n, {0, 3, 5, 9, 11}, {0.3, -0.2, 0.5, 0.1, -0.4}, 0.5, N);
  Eigen::MatrixXd Xe = X0, Xl = X0, Xg = X0;
  auto etkf = make_filter("type: etkf\nmembers: 7\ninflation: {factor: 1.05, rtps: 0.3}\n");
  auto letkf = make_filter(
      "type: letkf\nmembers: 7\ninflation: {factor: 1.05, rtps: 0.3}\nlocalization: {radius: 1e9, function: boxcar}\n");
  auto letkf_gc = make_filter("type: letkf\nmembers: 7\nlocalization: {radius: 1e9}\n");
  auto etkf_plain = make_filter("type: etkf\nmembers: 7\n");
  pb.analyse(*etkf, Xe);
  pb.analyse(*letkf, Xl);
  CHECK((Xe - Xl).cwiseAbs().maxCoeff() < 1e-13);
  Eigen::MatrixXd Xp = X0;
  pb.analyse(*etkf_plain, Xp);
  pb.analyse(*letkf_gc, Xg);
  CHECK((Xp - Xg).cwiseAbs().maxCoeff() < 1e-9);  // the taper is 1 - O(r^2) at tiny r
}

TEST_CASE("LETKF leaves cells beyond the radius untouched", "[filters]") {
  const int n = 40, N = 10;
  const Eigen::MatrixXd X0 = test::sample(Eigen::VectorXd::Zero(n), spd(n), N, 5);
  Problem pb(n, {10}, {3.0}, 0.5, N);
  Eigen::MatrixXd X = X0;
  auto f = make_filter("type: letkf\nmembers: 10\nlocalization: {radius: 4}\n");
  pb.analyse(*f, X);
  for (int i = 0; i < n; ++i) {
    const double d = std::min(std::abs(i - 10), n - std::abs(i - 10));
    INFO("row " << i);
    if (d >= 4) CHECK((X.row(i) - X0.row(i)).norm() == 0.0);
    else CHECK((X.row(i) - X0.row(i)).norm() > 0.0);
  }
}

TEST_CASE("Inflation scales the anomalies; RTPS restores the prior spread", "[filters]") {
  const Eigen::MatrixXd X0 = test::sample(Eigen::VectorXd::Ones(3), spd(3), 6, 6);
  Eigen::MatrixXd X = X0;
  filters::inflate(X, 1.1);
  CHECK((ensemble_mean(X) - ensemble_mean(X0)).norm() < 1e-14);
  CHECK((ensemble_spread(X) - 1.1 * ensemble_spread(X0)).norm() < 1e-14);
  // Full RTPS after an analysis gives back the prior spread, keeping the mean.
  const int N = 6;
  Problem pb(3, {1}, {2.0}, 0.3, N);
  for (double alpha : {0.0, 0.5, 1.0}) {
    Eigen::MatrixXd Xa = X0, Xr = X0;
    auto plain = make_filter("type: etkf\nmembers: 6\n");
    auto relaxed = make_filter("type: etkf\nmembers: 6\ninflation: {rtps: " + std::to_string(alpha) + "}\n");
    pb.analyse(*plain, Xa);
    pb.analyse(*relaxed, Xr);
    CHECK((ensemble_mean(Xa) - ensemble_mean(Xr)).norm() < 1e-12);
    const Eigen::VectorXd expect =
        (alpha * ensemble_spread(X0) + (1 - alpha) * ensemble_spread(Xa)).eval();
    CHECK((ensemble_spread(Xr) - expect).norm() < 1e-12);
  }
  // Prior inflation inside the ETKF equals inflating before a plain analysis.
  Eigen::MatrixXd A = X0, B = X0;
  filters::inflate(A, 1.2);
  auto plain = make_filter("type: etkf\nmembers: 6\n");
  auto inflated = make_filter("type: etkf\nmembers: 6\ninflation: {factor: 1.2}\n");
  const Eigen::MatrixXd HXa = pb.H(A);
  const auto all = index_range(0, A.rows());
  AnalysisInput ina{pb.grid, pb.layout, all, pb.obs, HXa, nullptr};
  plain->analyse(A, ina);
  pb.analyse(*inflated, B);
  CHECK((A - B).norm() < 1e-12);
}

TEST_CASE("EnKF-N infers no inflation beyond its prior mode from a zero innovation", "[filters]") {
  // With d = 0 the dual cost is minimised at zeta = N / (1 + 1/N) (Bocquet et al. 2015).
  const int N = 10;
  const Eigen::MatrixXd X0 = test::sample(Eigen::VectorXd::Zero(4), spd(4), N, 8);
  Problem pb(4, {0, 1, 2, 3}, {0, 0, 0, 0}, 1.0, N);
  const Eigen::MatrixXd HX = pb.H(X0);
  const Eigen::VectorXd hm = ensemble_mean(HX);
  for (int k = 0; k < 4; ++k) pb.obs.value[k] = hm[k];
  filters::EtkfSolver solver(N);
  const auto s = filters::make_obs_space(HX, pb.obs, 1.0);
  Eigen::MatrixXd W;
  const double infl = solver.enkf_n_weights(s.Y, s.d, s.rinv, W);
  CHECK(infl == Approx(std::sqrt((N - 1.0) * (N + 1.0)) / N).epsilon(1e-9));
  // A large innovation asks for inflation above 1.
  for (int k = 0; k < 4; ++k) pb.obs.value[k] = hm[k] + 10.0;
  const auto s2 = filters::make_obs_space(HX, pb.obs, 1.0);
  CHECK(solver.enkf_n_weights(s2.Y, s2.d, s2.rinv, W) > 1.0);
}

TEST_CASE("Conformance: every registered filter", "[filters]") {
  const int n = 16, N = 8;
  const Eigen::MatrixXd X0 = test::sample(Eigen::VectorXd::Zero(n), spd(n), N, 9);
  for (const auto& type : filters::registry().names()) {
    DYNAMIC_SECTION("filter " << type) {
      std::string yaml = "type: " + type + "\nmembers: 8\n";
      if (type == "letkf") yaml += "localization: {radius: 6}\n";
      auto f = make_filter(yaml);
      CHECK(f->members() == N);
      // No observations: nothing changes.
      {
        Problem empty(n, {}, {}, 1.0, N);
        Eigen::MatrixXd X = X0;
        empty.analyse(*f, X);
        CHECK(X == X0);
      }
      Problem pb(n, {2, 7, 12}, {1.0, -1.0, 0.5}, 0.2, N);
      Eigen::MatrixXd X = X0;
      pb.analyse(*f, X);
      REQUIRE(X.rows() == n);
      REQUIRE(X.cols() == N);
      CHECK(X.allFinite());
      if (f->assimilates()) {
        // The analysis mean moves towards the observations, and the spread shrinks where observed.
        const Eigen::VectorXd df = pb.obs.value - ensemble_mean(pb.H(X0));
        const Eigen::VectorXd da = pb.obs.value - ensemble_mean(pb.H(X));
        CHECK(da.norm() < 0.5 * df.norm());
        CHECK(ensemble_spread(X)[7] < ensemble_spread(X0)[7]);
      } else {
        CHECK(X == X0);
      }
      // Row blocks give the same answer as the whole state (what MPI ranks rely on).
      if (type != "enkf") {
        Eigen::MatrixXd top = X0.topRows(5), rest = X0.bottomRows(n - 5);
        const Eigen::MatrixXd HX = pb.H(X0);
        const auto rows0 = index_range(0, 5), rows1 = index_range(5, n - 5);
        AnalysisInput in0{pb.grid, pb.layout, rows0, pb.obs, HX, &pb.rng};
        AnalysisInput in1{pb.grid, pb.layout, rows1, pb.obs, HX, &pb.rng};
        f->analyse(top, in0);
        f->analyse(rest, in1);
        Eigen::MatrixXd joined(n, N);
        joined << top, rest;
        CHECK(joined == X);
        // Each block with only the observations the filter says can change it (what a rank gathers H(X) for).
        Eigen::MatrixXd near_joined(n, N);
        for (const auto& rows : {rows0, rows1}) {
          const std::vector<Eigen::Index> near = f->observations_near(pb.grid, pb.layout, rows, pb.obs);
          CHECK(std::is_sorted(near.begin(), near.end()));
          if (!f->local()) CHECK(near.size() == static_cast<std::size_t>(pb.obs.size()));
          const ObsBatch part = pb.obs.rows(near);
          Eigen::MatrixXd HXp(static_cast<Eigen::Index>(near.size()), N);
          for (std::size_t k = 0; k < near.size(); ++k) HXp.row(static_cast<Eigen::Index>(k)) = HX.row(near[k]);
          Eigen::MatrixXd block = X0.middleRows(rows.front(), static_cast<Eigen::Index>(rows.size()));
          f->analyse(block, AnalysisInput{pb.grid, pb.layout, rows, part, HXp, &pb.rng});
          near_joined.middleRows(rows.front(), static_cast<Eigen::Index>(rows.size())) = block;
        }
        CHECK(near_joined == X);
      }
    }
  }
}

TEST_CASE("LETKF weights interpolated from a coarser grid (Yang et al. 2009)", "[filters]") {
  const int nx = 13, ny = 9, n = nx * ny, N = 8;
  const Grid grid = Grid::cartesian(nx, ny);
  const StateLayout layout(n, {"x"}, {1});
  // A smooth prior: each member a large-scale pattern, so that weights vary slowly.
  Eigen::MatrixXd X0(n, N);
  RandomStream r(4, "smooth", 0);
  for (int j = 0; j < N; ++j) {
    const double a = r.normal(), b = r.normal(), ph = r.uniform() * 6.28;
    for (int c = 0; c < n; ++c) X0(c, j) = a * std::sin(0.3 * (c % nx) + ph) + b * std::cos(0.25 * (c / nx));
  }
  ObsBatch obs;
  obs.resize(n);
  obs.source_names = {"all"};
  Eigen::MatrixXd HX = X0;
  for (int c = 0; c < n; ++c) {
    obs.x[c] = grid.x(c);
    obs.y[c] = grid.y(c);
    obs.error[c] = 0.5;
    obs.value[c] = 0.3 * std::sin(0.2 * c);
  }
  std::vector<RandomStream> rng;
  Eigen::MatrixXd A = X0, B = X0;
  auto every = test::make_filter("type: letkf\nmembers: 8\nlocalization: {radius: 4}\n");
  auto coarse = test::make_filter("type: letkf\nmembers: 8\nlocalization: {radius: 4, weight_stride: 2}\n");
  const auto all = index_range(0, n);
  AnalysisInput in{grid, layout, all, obs, HX, &rng};
  every->analyse(A, in);
  coarse->analyse(B, in);
  double worst = 0.0;
  for (int c = 0; c < n; ++c) {
    const int i = c % nx, j = c / nx;
    if (i % 2 == 0 && j % 2 == 0) CHECK(A.row(c) == B.row(c));  // the coarse nodes are solved exactly
    worst = std::max(worst, (A.row(c) - B.row(c)).cwiseAbs().maxCoeff());
  }
  const double update = (A - X0).cwiseAbs().maxCoeff();
  INFO("largest difference " << worst << ", largest update " << update);
  CHECK(worst > 0.0);
  CHECK(worst < 0.1 * update);
  // A block of rows analysed with only the observations near the nodes it
  // interpolates from (some outside the block) gives the same rows bit for bit.
  const auto block = index_range(13, 13);  // the second row of cells: halfway between nodes on rows 0 and 2
  const std::vector<Eigen::Index> near = coarse->observations_near(grid, layout, block, obs);
  CHECK(near.size() < static_cast<std::size_t>(n));
  const ObsBatch part = obs.rows(near);
  Eigen::MatrixXd HXp(static_cast<Eigen::Index>(near.size()), N);
  for (std::size_t k = 0; k < near.size(); ++k) HXp.row(static_cast<Eigen::Index>(k)) = HX.row(near[k]);
  Eigen::MatrixXd C = X0.middleRows(13, 13);
  coarse->analyse(C, AnalysisInput{grid, layout, block, part, HXp, &rng});
  CHECK(C == B.middleRows(13, 13));
  // Too few observations (those near the block's own cells only) would not.
  const std::vector<Eigen::Index> own = every->observations_near(grid, layout, block, obs);
  CHECK(own.size() < near.size());
  Eigen::MatrixXd HXo(static_cast<Eigen::Index>(own.size()), N);
  for (std::size_t k = 0; k < own.size(); ++k) HXo.row(static_cast<Eigen::Index>(k)) = HX.row(own[k]);
  Eigen::MatrixXd D = X0.middleRows(13, 13);
  coarse->analyse(D, AnalysisInput{grid, layout, block, obs.rows(own), HXo, &rng});
  CHECK(D != B.middleRows(13, 13));
}

TEST_CASE("Several observation sources in one analysis, each with its own errors", "[filters]") {
  // For a linear H the ETKF assimilating two independent sources jointly gives
  // the same mean and covariance as assimilating them one after the other.
  const int n = 6, N = 12;
  const Eigen::MatrixXd X0 = test::sample(Eigen::VectorXd::Zero(n), spd(n), N, 31);
  Problem a(n, {0, 3}, {0.4, -0.2}, 0.3, N);   // a precise source
  Problem b(n, {1, 3, 5}, {0.1, 0.5, -0.3}, 0.9, N);  // a noisy one, also seeing element 3
  Problem joint(n, {0, 3}, {0.4, -0.2}, 0.3, N);
  ObsBatch second = b.obs;
  joint.obs.append(second);
  joint.rows.insert(joint.rows.end(), b.rows.begin(), b.rows.end());
  REQUIRE(joint.obs.size() == 5);
  REQUIRE(joint.obs.source_names.size() == 2);
  CHECK(joint.obs.source[3] == 1);
  auto f1 = make_filter("type: etkf\nmembers: 12\n"), f2 = make_filter("type: etkf\nmembers: 12\n");
  Eigen::MatrixXd Xj = X0, Xs = X0;
  joint.analyse(*f1, Xj);
  a.analyse(*f2, Xs);
  b.analyse(*f2, Xs);
  CHECK((ensemble_mean(Xj) - ensemble_mean(Xs)).norm() < 1e-12);
  CHECK((test::sample_cov(Xj) - test::sample_cov(Xs)).norm() < 1e-12);
  // Each source's own error counts: the precise source pulls element 0 harder than the noisy one pulls 1.
  const Eigen::VectorXd m0 = ensemble_mean(X0), mj = ensemble_mean(Xj);
  CHECK(std::abs(mj[0] - 0.4) < std::abs(m0[0] - 0.4));
}
