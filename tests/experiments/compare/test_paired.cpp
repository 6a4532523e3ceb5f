// The paired answer: block lengths by Wilks (1997), and intervals that cover
// a zero difference as often as they claim when the residuals are red.
#include <catch2/catch.hpp>
#include <cmath>

#include "core/metrics.hpp"
#include "core/random.hpp"
#include "experiments/compare/paired.hpp"

using namespace landda;
using namespace landda::experiments;

TEST_CASE("moving-block length follows Wilks (1997)", "[experiments]") {
  // L = (n - L + 1)^((2/3)(1 - n'/n)), n' = n (1 - rho)/(1 + rho), solved here in numpy.
  CHECK(metrics::block_length(1000, 0.9) == 75);
  CHECK(metrics::block_length(8115, 0.99) == 380);
  CHECK(metrics::block_length(2000, 0.5) == 29);
  CHECK(metrics::block_length(100, 0.0) == 1);
  CHECK(metrics::block_length(100, -0.3) == 1);
  RandomStream rng(1, "test", 0);
  const auto idx = metrics::block_resample(100, 10, rng);
  REQUIRE(idx.size() == 100);
  for (std::size_t k = 1; k < 10; ++k) CHECK(idx[k] == idx[0] + k);  // whole blocks of consecutive pairs
}

namespace {

// A station whose observations follow a seasonal signal; `a` and `b` are
// models with AR(1) errors of standard deviations sa and sb.
PairedSeries station(std::uint64_t seed, double sa, double sb, int n = 1500) {
  PairedSeries ps;
  ps.station = {"S", 0, 0};
  ps.layer = "surface";
  RandomStream rng(seed, "station", 0);
  double ea = 0, eb = 0, w = 0;
  const double phi = 0.9, q = std::sqrt(1 - phi * phi);
  for (int k = 0; k < n; ++k) {
    w = 0.95 * w + 0.02 * rng.normal();
    const double truth = 0.25 + 0.05 * std::sin(2 * M_PI * k / 365.0) + w;
    ea = phi * ea + q * sa * rng.normal();
    eb = phi * eb + q * sb * rng.normal();
    ps.time.push_back(Time::from_civil(2017, 1, 1) + Duration{86400LL * k});
    ps.obs.push_back(truth + 0.01 * rng.normal());
    ps.model["a"].push_back(truth + ea);
    ps.model["open_loop"].push_back(truth + eb);
  }
  return ps;
}

}  // namespace

TEST_CASE("a clearly better experiment is called better; equal ones mostly not", "[experiments]") {
  const auto rows = paired_differences({station(1, 0.01, 0.04)}, "open_loop", {"open_loop", "a"}, 50, 200, 1);
  REQUIRE(rows.size() == 2);  // the station and the mean over stations
  CHECK(rows[0].ubrmse.verdict(false) == "better");
  CHECK(rows[0].r.verdict(true) == "better");
  CHECK(rows[0].block > 5);  // red residuals: blocks of many pairs
  CHECK(rows[1].mean);
  CHECK(rows[1].ubrmse.value == Approx(rows[0].ubrmse.value));
  // Two equally good models: the 95 % intervals of the ubRMSE difference cover
  // zero in about 95 % of the stations (with single pairs as blocks, red
  // residuals would make them far too narrow).
  int covered = 0, trials = 40;
  for (int t = 0; t < trials; ++t) {
    const auto r = paired_differences({station(100 + static_cast<std::uint64_t>(t), 0.03, 0.03)}, "open_loop",
                                      {"open_loop", "a"}, 50, 200, 7);
    covered += r[0].ubrmse.lo <= 0 && 0 <= r[0].ubrmse.hi;
  }
  CHECK(covered >= 33);  // >= 82 %: a binomial(40, 0.95) falls below that with probability < 1 %
}

TEST_CASE("an interval within rounding of zero is no difference, whatever its sign", "[experiments]") {
  Difference d;
  d.value = -1e-17, d.lo = -3e-17, d.hi = -1e-18;  // an experiment that had nothing to assimilate there
  CHECK(d.verdict(true) == "no significant difference");
  d.lo = -3e-3, d.hi = -1e-4;
  CHECK(d.verdict(true) == "worse");
  CHECK(d.verdict(false) == "better");
}
