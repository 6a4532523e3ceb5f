#include <catch2/catch.hpp>
#include <cmath>

#include "core/metrics.hpp"
#include "core/random.hpp"

using namespace landda;

TEST_CASE("Pairwise metrics follow pytesmo's definitions", "[framework][metrics]") {
  std::vector<double> y, x, twice;
  for (int i = 0; i < 50; ++i) {
    y.push_back(0.2 + 0.1 * std::sin(0.3 * i));
    x.push_back(y.back() + 0.1);
    twice.push_back(2 * y.back());
  }
  const auto m = metrics::compare(x, y);
  CHECK(m.n == 50);
  CHECK(m.bias == Approx(0.1));
  CHECK(m.rmsd == Approx(0.1));
  CHECK(m.ubrmsd == Approx(0.0).margin(1e-12));
  CHECK(m.r == Approx(1.0));
  CHECK(metrics::compare(twice, y).rho == Approx(1.0));
  // Spearman with a tie (scipy.stats.spearmanr gives 0.9486833).
  CHECK(metrics::spearman({1, 2, 2, 3}, {1, 3, 2, 4}) == Approx(0.9486833).epsilon(1e-6));
  CHECK(metrics::pearson({1, 2, 3}, {2, 4, 7}) == Approx(0.9933992).epsilon(1e-6));
  const auto few = metrics::compare({1, 2, 3}, {1, 2, 4}, 10);
  CHECK(std::isnan(few.r));
  CHECK(std::isnan(few.rmsd));
}

TEST_CASE("The Fisher-z interval of R covers the true correlation about 95 % of the time", "[framework][metrics]") {
  RandomStream rng(11, "metrics_ci", 0);
  const double rho = 0.6;
  int covered = 0;
  const int trials = 400;
  for (int t = 0; t < trials; ++t) {
    std::vector<double> a(60), b(60);
    for (std::size_t i = 0; i < a.size(); ++i) {
      a[i] = rng.normal();
      b[i] = rho * a[i] + std::sqrt(1 - rho * rho) * rng.normal();
    }
    const auto m = metrics::compare(a, b);
    CHECK(m.r_lo < m.r);
    CHECK(m.r < m.r_hi);
    covered += m.r_lo <= rho && rho <= m.r_hi;
  }
  CHECK(covered > 0.92 * trials);
  CHECK(covered < 0.98 * trials);
}

TEST_CASE("Anomalies remove a moving-average climatology", "[framework][metrics]") {
  std::vector<Time> t;
  std::vector<double> v, truth;
  const Time t0 = Time::parse("2017-01-01");
  for (int d = 0; d < 730; ++d) {
    t.push_back(t0 + Duration{86400LL * d});
    truth.push_back(d % 2 == 0 ? 0.01 : -0.01);
    v.push_back(0.3 + 0.1 * std::sin(2 * M_PI * d / 365.0) + truth.back());
  }
  const auto a = metrics::anomalies(t, v);
  for (std::size_t i = 20; i + 20 < a.size(); ++i) CHECK(a[i] == Approx(truth[i]).margin(0.002));
  // The anomaly correlation sees the daily signal that the seasonal cycle hides in R.
  CHECK(metrics::pearson(a, truth) > 0.95);
  CHECK(std::abs(metrics::pearson(v, truth)) < 0.2);
}

TEST_CASE("Temporal matching takes the nearest time within the window", "[framework][metrics]") {
  const Time t0 = Time::parse("2017-01-01");
  auto h = [&](double hours) { return t0 + Duration{static_cast<long long>(hours * 3600)}; };
  const auto m = metrics::match({h(0), h(10), h(20), h(30)}, {1, 2, 3, 4}, {h(1), h(9.5), h(26)}, {10, 20, 30},
                                Duration{2 * 3600});
  REQUIRE(m.ref.size() == 2);
  CHECK(m.ref == std::vector<double>{1, 2});
  CHECK(m.other == std::vector<double>{10, 20});
  CHECK(metrics::match({h(0)}, {1}, {}, {}, Duration{3600}).ref.empty());
}

TEST_CASE("Triple collocation recovers known error variances and scalings (McColl et al. 2014)",
          "[framework][metrics]") {
  RandomStream rng(5, "tc", 0);
  const std::size_t n = 5000;
  const double sd[3] = {0.02, 0.04, 0.03}, scale[3] = {1.0, 1.5, 0.8};
  std::vector<double> x(n), y(n), z(n);
  double s = 0;
  for (std::size_t i = 0; i < n; ++i) {
    s = 0.9 * s + 0.05 * rng.normal();  // a red-noise soil-moisture signal
    const double truth = 0.25 + 0.05 * std::sin(2 * M_PI * static_cast<double>(i) / 365.0) + s;
    x[i] = scale[0] * truth + sd[0] * rng.normal();
    y[i] = 0.05 + scale[1] * truth + sd[1] * rng.normal();
    z[i] = scale[2] * truth + sd[2] * rng.normal();
  }
  const auto tc = metrics::triple_collocation(x, y, z, 100, 200, 3);
  for (int k = 0; k < 3; ++k) {
    CHECK(tc.err_var[k] == Approx(sd[k] * sd[k]).epsilon(0.05));
    CHECK(tc.err_var_lo[k] < tc.err_var[k]);
    CHECK(tc.err_var[k] < tc.err_var_hi[k]);
    CHECK(tc.err_var_lo[k] < sd[k] * sd[k]);
    CHECK(sd[k] * sd[k] < tc.err_var_hi[k]);
  }
  CHECK(tc.beta[1] == Approx(scale[0] / scale[1]).epsilon(0.05));
  CHECK(tc.beta[2] == Approx(scale[0] / scale[2]).epsilon(0.05));
  CHECK(tc.snr_db[0] > tc.snr_db[2]);  // x is the least noisy relative to its signal
  CHECK(std::isnan(metrics::triple_collocation({1, 2}, {1, 2}, {1, 3}).err_var[0]));
  // pytesmo's estimator: numpy.cov (n - 1) on these eight triples gives (numpy 1.24)
  // -3.71568086034009e-4, 1.1603556824819894e-3, 1.2466271237559015e-3.
  const auto small = metrics::triple_collocation({0.1, 0.25, 0.3, 0.22, 0.4, 0.35, 0.15, 0.28},
                                                 {0.12, 0.2, 0.33, 0.25, 0.38, 0.3, 0.2, 0.27},
                                                 {0.09, 0.27, 0.29, 0.18, 0.45, 0.33, 0.1, 0.3}, 3);
  CHECK(small.err_var[0] == Approx(-3.71568086034009e-4).epsilon(1e-12));
  CHECK(small.err_var[1] == Approx(1.1603556824819894e-3).epsilon(1e-12));
  CHECK(small.err_var[2] == Approx(1.2466271237559015e-3).epsilon(1e-12));
}
