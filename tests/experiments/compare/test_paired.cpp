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
  const auto blocks = metrics::block_resample(105, 10, rng);
  REQUIRE(blocks.size() == 11);  // ten whole blocks of consecutive pairs and one cut to fill 105
  std::size_t total = 0;
  for (const auto& b : blocks) {
    CHECK(b.start + b.length <= 105);
    total += b.length;
  }
  CHECK(total == 105);
  CHECK(blocks.back().length == 5);
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
    ps.model["a"].resize(1);
    ps.model["open_loop"].resize(1);
    ps.model["a"][0].push_back(truth + ea);
    ps.model["open_loop"][0].push_back(truth + eb);
  }
  return ps;
}

}  // namespace

TEST_CASE("a clearly better experiment is called better; equal ones mostly not", "[experiments]") {
  const auto rows = paired_differences({station(1, 0.01, 0.04)}, "open_loop", {"open_loop", "a"}, 50, 50, 200, 1);
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
                                      {"open_loop", "a"}, 50, 50, 200, 7);
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

namespace {

// Two equally good experiments whose every replicate (another ensemble seed)
// carries its own persistent error, one that lasts the run, as the open loops
// of two seeds differ at the Hawaii stations: here a seasonal cycle too
// strong or too weak by a random amount.
PairedSeries replicated(std::uint64_t seed, std::size_t replicates, int n = 730) {
  PairedSeries ps;
  ps.station = {"S", 0, 0};
  ps.layer = "surface";
  RandomStream rng(seed, "replicated", 0);
  std::vector<double> truth(static_cast<std::size_t>(n));
  double w = 0;
  for (int k = 0; k < n; ++k) {
    w = 0.9 * w + 0.02 * rng.normal();
    truth[static_cast<std::size_t>(k)] = 0.25 + 0.05 * std::sin(2 * M_PI * k / 365.0) + w;
    ps.time.push_back(Time::from_civil(2017, 1, 1) + Duration{86400LL * k});
    ps.obs.push_back(truth[static_cast<std::size_t>(k)] + 0.01 * rng.normal());
  }
  for (const std::string e : {"a", "open_loop"})
    for (std::size_t r = 0; r < replicates; ++r) {
      const double beta = 0.03 * rng.normal();
      std::vector<double> m(truth.size());
      double ea = 0;
      for (std::size_t k = 0; k < m.size(); ++k) {
        ea = 0.8 * ea + 0.6 * 0.01 * rng.normal();
        m[k] = truth[k] + ea + beta * std::sin(2 * M_PI * static_cast<double>(k) / 365.0);
      }
      ps.model[e].push_back(m);
    }
  return ps;
}

int covered(std::size_t replicates, int trials) {
  int c = 0;
  for (int t = 0; t < trials; ++t) {
    const auto r = paired_differences({replicated(300 + static_cast<std::uint64_t>(t), replicates)}, "open_loop",
                                      {"open_loop", "a"}, 50, 50, 200, 5);
    CHECK(r[0].replicates == replicates);
    c += r[0].ubrmse.lo <= 0 && 0 <= r[0].ubrmse.hi;
  }
  return c;
}

}  // namespace

TEST_CASE("replicates bring the ensemble's sampling noise into the interval", "[experiments]") {
  // One replicate: time resampling cannot see an error that lasts the whole
  // series, and equally good experiments are called different most of the time.
  const int one = covered(1, 30), eight = covered(8, 30);
  CHECK(one <= 10);  // 4 of 30 here
  // Eight replicates, resampled with the blocks: the intervals cover zero about as often as they claim.
  CHECK(eight >= 24);  // 26 of 30 here
  // The point value is the mean of the replicates' differences.
  const auto ps = replicated(9, 3);
  const auto r = paired_differences({ps}, "open_loop", {"open_loop", "a"}, 50, 50, 50, 1);
  double mean = 0;
  for (std::size_t k = 0; k < 3; ++k) {
    PairedSeries one_rep = ps;
    one_rep.model["a"] = {ps.model.at("a")[k]};
    one_rep.model["open_loop"] = {ps.model.at("open_loop")[k]};
    mean += paired_differences({one_rep}, "open_loop", {"open_loop", "a"}, 50, 50, 50, 1)[0].ubrmse.value / 3;
  }
  CHECK(r[0].ubrmse.value == Approx(mean).epsilon(1e-12));
}

TEST_CASE("a station whose pairs span a few weeks gets a row that says so, and no verdict", "[experiments]") {
  PairedSeries hourly = station(3, 0.01, 0.04, 49 * 24);  // 49 days of hourly pairs, as days in the helper
  for (std::size_t k = 0; k < hourly.time.size(); ++k) hourly.time[k] = Time::from_civil(2017, 1, 1) + Duration{3600LL * static_cast<long long>(k)};
  const auto rows = paired_differences({hourly}, "open_loop", {"open_loop", "a"}, 10, 50, 100, 1);
  REQUIRE(rows.size() == 1);  // no mean over stations from it either
  CHECK(rows[0].note == "too short to judge: pairs on 49 days (at least 50)");
  CHECK(rows[0].r.verdict(true).empty());
  CHECK_FALSE(std::isfinite(rows[0].ubrmse.value));
  // One more day and it is judged.
  PairedSeries longer = station(3, 0.01, 0.04, 50 * 24);
  for (std::size_t k = 0; k < longer.time.size(); ++k) longer.time[k] = Time::from_civil(2017, 1, 1) + Duration{3600LL * static_cast<long long>(k)};
  const auto judged = paired_differences({longer}, "open_loop", {"open_loop", "a"}, 10, 50, 100, 1);
  REQUIRE(judged.size() == 2);
  CHECK(judged[0].note.empty());
  CHECK(judged[0].ubrmse.verdict(false) == "better");
}

TEST_CASE("the false discovery rate over a family of tests follows Benjamini & Hochberg (1995)", "[experiments]") {
  // Their example (section 4): fifteen p-values; at q = 0.05 the four smallest are discoveries.
  const std::vector<double> p{0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344,
                              0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0000};
  std::vector<PairedRow> rows(5);
  for (std::size_t i = 0; i < p.size(); ++i) {
    Difference& d = i % 3 == 0 ? rows[i / 3].r : i % 3 == 1 ? rows[i / 3].anomaly_r : rows[i / 3].ubrmse;
    d.value = -1, d.lo = -2, d.hi = -0.5, d.p = p[i];
  }
  PairedRow mean;  // the means over stations are not in the family
  mean.mean = true;
  mean.r.p = 1e-9;
  rows.push_back(mean);
  CHECK(control_fdr(rows, 0.05) == 15);
  int discoveries = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const Difference& d = i % 3 == 0 ? rows[i / 3].r : i % 3 == 1 ? rows[i / 3].anomaly_r : rows[i / 3].ubrmse;
    CHECK(d.discovery == (i < 4));
    discoveries += d.discovery;
  }
  CHECK(discoveries == 4);
  CHECK_FALSE(rows.back().r.discovery);
  CHECK(rows[0].r.family_verdict(true) == "worse");
  CHECK(rows[0].r.family_verdict(false) == "better");
  CHECK(rows[2].r.family_verdict(true) == "no significant difference");  // 0.0298: significant alone, not in the family
  CHECK(rows[2].r.verdict(true) == "worse");
}

TEST_CASE("the bootstrap p-value is the smallest alpha whose interval excludes zero", "[experiments]") {
  const auto clear = paired_differences({station(1, 0.01, 0.04)}, "open_loop", {"open_loop", "a"}, 50, 50, 200, 1);
  CHECK(clear[0].ubrmse.p == Approx(1.0 / 201));  // every draw below zero
  const auto equal = paired_differences({station(2, 0.03, 0.03)}, "open_loop", {"open_loop", "a"}, 50, 50, 200, 1);
  const Difference& d = equal[0].ubrmse;
  CHECK((d.p < 0.05) == (d.lo > 0 || d.hi < 0));
  CHECK(d.p > 0.002);
}
