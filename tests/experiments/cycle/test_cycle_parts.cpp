// The named parts of the cycle: the statistics record declared once, the
// error learner, and the slices in which a source's observations meet H.
#include <catch2/catch.hpp>
#include <filesystem>
#include <cmath>

#include "config/node.hpp"
#include "core/random.hpp"
#include "experiments/cycle/learned_errors.hpp"
#include "experiments/cycle/obs_source.hpp"
#include "experiments/cycle/run_stats.hpp"
#include "models/register.hpp"

using namespace landda;
using namespace landda::experiments;

TEST_CASE("run statistics pack and unpack every declared field", "[experiments]") {
  RunStats a;
  a.sources.resize(2);
  double v = 1.0;
  for (const auto& f : cycle_fields()) a.sum.*f.at = v++;
  a.scored_cycles = 7;
  a.max_balance = 1e-15;
  for (auto& s : a.sources)
    for (const auto& f : source_sum_fields()) s.*f.at = v++;
  RunStats b;
  b.sources.resize(2);
  b.unpack(a.pack(), "test");
  for (const auto& f : cycle_fields()) CHECK(b.sum.*f.at == a.sum.*f.at);
  for (std::size_t k = 0; k < 2; ++k)
    for (const auto& f : source_sum_fields()) CHECK(b.sources[k].*f.at == a.sources[k].*f.at);
  CHECK(b.scored_cycles == 7);
  RunStats wrong;
  wrong.sources.resize(3);
  CHECK_THROWS_WITH(wrong.unpack(a.pack(), "cp.h5"), Catch::Contains("cp.h5: run statistics of shape"));
}

TEST_CASE("source scores follow from the sums; counts every cycle, scores after spin-up", "[experiments]") {
  SourceSums cycle;
  cycle.add_background(0.30, 0.28, 0.01, 0.02, true);
  cycle.add_background(0.20, 0.25, 0.01, 0.02, false);
  cycle.missing = 1;
  const auto score = [](const SourceSums& s, const char* name) {
    for (const auto& sc : source_scores())
      if (std::string(sc.name) == name) return sc.of(s);
    FAIL(name);
    return 0.0;
  };
  CHECK(score(cycle, "omb_mean") == Approx((0.02 - 0.05) / 2));
  CHECK(score(cycle, "omb_rms") == Approx(std::sqrt((0.02 * 0.02 + 0.05 * 0.05) / 2)));
  CHECK(score(cycle, "normalized_innovation_variance") == Approx((0.0004 + 0.0025) / 2 / 0.0005));
  CHECK(score(cycle, "used") == 1);
  SourceSums run;
  run.add_cycle(cycle, false);  // spin-up: counted, not scored
  CHECK(run.used == 1);
  CHECK(run.missing == 1);
  CHECK(run.n == 0);
  CHECK(std::isnan(score(run, "omb_rms")));  // nothing scored: no score, not 0
  run.add_cycle(cycle, true);
  CHECK(run.used == 2);
  CHECK(run.n == 2);
}

namespace {

SourceParams learning(double memory_days, bool correlation) {
  SourceParams p;
  p.learn_error = "innovations";
  p.learn_memory_days = memory_days;
  p.learn_correlation = correlation;
  p.learn_bounds = {0.01, 100};
  return p;
}

}  // namespace

TEST_CASE("the innovation learner finds R = var(O-B) - HPH'", "[experiments]") {
  // d = background error (sd 0.02, as HPH' says) + observation error (sd 0.05).
  const ErrorLearner le(learning(1e6, false), 0, 1);
  Eigen::MatrixXd state = Eigen::MatrixXd::Zero(ErrorLearner::kRows, 1);
  RandomStream rng(1, "test", 0);
  for (int k = 0; k < 20000; ++k)
    le.update(state, 0, 0.02 * rng.normal() + 0.05 * rng.normal() + 0.01, 0.02 * 0.02, 0.1, Time{86400LL * k}, Time{86400LL * k});
  CHECK(le.errors(state, false)[0] == Approx(0.05).epsilon(0.03));
  ObsBatch b;
  b.resize(1);
  b.error[0] = 0.1;
  le.apply(state, {0}, b, 0);
  CHECK(b.error[0] == Approx(0.05).epsilon(0.03));
}

TEST_CASE("persistent innovations inflate the learned error; white ones do not", "[experiments]") {
  const ErrorLearner le(learning(1e6, true), 0, 2);
  Eigen::MatrixXd state = Eigen::MatrixXd::Zero(ErrorLearner::kRows, 2);
  RandomStream rng(2, "test", 0);
  double red = 0;
  const double phi = 0.8;
  for (int k = 0; k < 40000; ++k) {
    red = phi * red + std::sqrt(1 - phi * phi) * 0.05 * rng.normal();
    le.update(state, 0, 0.05 * rng.normal(), 0.0, 0.1, Time{86400LL * k}, Time{86400LL * k});
    le.update(state, 1, red, 0.0, 0.1, Time{86400LL * k}, Time{86400LL * k});
  }
  const auto plain = le.errors(state, false), used = le.errors(state, true);
  CHECK(used[0] == Approx(plain[0]).epsilon(0.03));
  CHECK(used[1] * used[1] == Approx(plain[1] * plain[1] * (1 + phi) / (1 - phi)).epsilon(0.1));
}

TEST_CASE("innovations of one window share its forecast's error and do not inflate R", "[experiments]") {
  // Two observations a window (06 and 18 h) met by the same forecast: their innovations share its error b (sd 0.03,
  // white from one window to the next, as a right filter's are) and have their own errors (sd 0.04). Pairing them
  // would read the shared part as a persistent observation error (lag-1 correlation 0.36, R x 2.1); across
  // windows the pairs are uncorrelated and R is not inflated.
  const ErrorLearner le(learning(1e6, true), 0, 1);
  Eigen::MatrixXd state = Eigen::MatrixXd::Zero(ErrorLearner::kRows, 1);
  RandomStream rng(3, "test", 0);
  for (int k = 0; k < 40000; ++k) {
    const Time start{86400LL * k};
    const double b = 0.03 * rng.normal();
    for (const long long hour : {6, 18})
      le.update(state, 0, b + 0.04 * rng.normal(), 0.03 * 0.03, 0.1, start + Duration{3600 * hour}, start);
  }
  const auto plain = le.errors(state, false), used = le.errors(state, true);
  CHECK(plain[0] == Approx(0.04).epsilon(0.03));
  CHECK(used[0] == Approx(plain[0]).epsilon(0.03));
}

TEST_CASE("a learner waits for learn_min_count observations and keeps its bounds", "[experiments]") {
  SourceParams p = learning(30, false);
  p.learn_min_count = 5;
  p.learn_bounds = {0.5, 2};
  const ErrorLearner le(p, 0, 1);
  Eigen::MatrixXd state = Eigen::MatrixXd::Zero(ErrorLearner::kRows, 1);
  for (int k = 0; k < 4; ++k) le.update(state, 0, k % 2 ? 1.0 : -1.0, 0.0, 0.1, Time{3600LL * k}, Time{3600LL * k});
  CHECK(std::isnan(le.errors(state, true)[0]));
  le.update(state, 0, 1.0, 0.0, 0.1, Time{3600LL * 5}, Time{3600LL * 5});
  CHECK(le.errors(state, true)[0] == Approx(0.2));  // sqrt(var d) ~ 1, bounded to 2 x 0.1
}

TEST_CASE("a sparse source's learned means still average learn_min_count observations", "[experiments]") {
  // Observations two weeks apart: exponential weighting in time alone (30 days) would give the last one a weight of
  // 1 - exp(-14/30) = 0.37; capped at 2 / (min_count + 1) = 2 / 11. A hundred zero innovations, then one of 1: with
  // weight w, mean d = w and mean d^2 = w, so R = w (1 - w).
  const ErrorLearner le(learning(30, false), 0, 1);
  Eigen::MatrixXd state = Eigen::MatrixXd::Zero(ErrorLearner::kRows, 1);
  const long long fortnight = 14LL * 86400;
  for (int k = 0; k < 100; ++k) le.update(state, 0, 0.0, 0.0, 1.0, Time{fortnight * k}, Time{fortnight * k});
  le.update(state, 0, 1.0, 0.0, 1.0, Time{fortnight * 100}, Time{fortnight * 100});
  const double w = 2.0 / 11.0;
  CHECK(le.errors(state, false)[0] == Approx(std::sqrt(w * (1 - w))));
  // Daily observations weigh 1 - exp(-1/30) (above 1 / 101, the running mean's), below the cap: unchanged.
  Eigen::MatrixXd daily = Eigen::MatrixXd::Zero(ErrorLearner::kRows, 1);
  for (int k = 0; k < 100; ++k) le.update(daily, 0, 0.0, 0.0, 1.0, Time{86400LL * k}, Time{86400LL * k});
  le.update(daily, 0, 1.0, 0.0, 1.0, Time{86400LL * 100}, Time{86400LL * 100});
  const double wd = 1 - std::exp(-1.0 / 30);
  CHECK(le.errors(daily, false)[0] == Approx(std::sqrt(wd * (1 - wd))));
}

TEST_CASE("a file source's observations meet H at their nearest step or at the window's end", "[experiments]") {
  // A points grid with one cell and a file of observations at 01:20, 01:40, 05:00 and 24:00.
  const auto model_cfg = config::load_string(
      "type: soil_water\ngrid: {kind: points, lon: [-88.37], lat: [40.01]}\n"
      "forcing: " LANDDA_SOURCE_DIR "/data/bondville/bondville_1998.nc\n", "model.yaml");
  config::PluginConfig pc;
  pc.type = "soil_water";
  pc.node = model_cfg;
  const auto model = models::registry().create(pc);
  const ObsGeometry g{model->grid(), model->layout(), model->layer_bottoms(), model.get()};
  observations::ObsFile f;
  const Time t0 = Time::parse("1998-05-01T00:00:00Z");
  f.obs.resize(4);
  const int minutes[] = {80, 100, 300, 1440};
  for (int i = 0; i < 4; ++i) {
    f.obs.x[static_cast<std::size_t>(i)] = -88.37;
    f.obs.y[static_cast<std::size_t>(i)] = 40.01;
    f.obs.time[static_cast<std::size_t>(i)] = t0 + Duration{60LL * minutes[i]};
    f.obs.value[i] = 0.3;
    f.obs.error[i] = 0.04;
  }
  const std::string path = (std::filesystem::temp_directory_path() / "landda_slices.nc").string();
  observations::write_ioda(f, path);
  SourceParams p;
  p.name = "probe";
  p.file = path;
  p.op.type = "insitu";
  p.op.node = config::load_string("type: insitu\ndepth_m: 0.05\n", "op.yaml");
  ObsSource src(p, g, true, "test", 0);
  REQUIRE(src.begin_window(t0, t0 + Duration{86400}, Duration{3600}, ObsTiming::nearest_step));
  const auto& s = src.slices();
  REQUIRE(s.size() == 4);
  CHECK((s[0].step == 1 && s[0].h_step == 1 && s[0].begin == 0 && s[0].count == 1));  // 01:20 -> 01:00
  CHECK((s[1].step == 2 && s[1].begin == 1 && s[1].count == 1));                      // 01:40 -> 02:00
  CHECK((s[2].step == 5 && s[2].count == 1));
  CHECK((s[3].step == 24 && s[3].begin == 3));
  REQUIRE(src.begin_window(t0, t0 + Duration{86400}, Duration{3600}, ObsTiming::window_end));
  REQUIRE(src.slices().size() == 1);
  CHECK((src.slices()[0].h_step == 24 && src.slices()[0].count == 4));
  // In a one-step window the nearest step is the window's end.
  REQUIRE(src.begin_window(t0 + Duration{3600}, t0 + Duration{7200}, Duration{3600}, ObsTiming::nearest_step));
  CHECK(src.slices()[0].h_step == 1);
  // A value that cannot be physical: an error naming it, unless the source flags such values.
  f.obs.value[2] = 5.0;
  observations::write_ioda(f, path);
  CHECK_THROWS_WITH(ObsSource(p, g, true, "test", 0),
                    Catch::Contains("1 value(s) of soilMoistureVolumetric (m3 m-3) outside its physical range, the first 5 "
                                    "at location 2 (1998-05-01T05:00:00Z)"));
  p.out_of_range = "flag";
  ObsSource flagged(p, g, true, "test", 0);
  REQUIRE(flagged.begin_window(t0, t0 + Duration{86400}, Duration{3600}, ObsTiming::window_end));
  CHECK(flagged.slices()[0].count == 4);  // read, flagged (QC bounds) and counted by the cycle, not used
}

TEST_CASE("a source with nothing scored reports its scores as none, not zero", "[experiments]") {
  experiments::SourceSums empty;
  empty.missing = 467;
  for (const auto& sc : experiments::source_scores()) {
    const std::string name = sc.name;
    const double v = sc.of(empty);
    INFO(name << " = " << v);
    if (name == "missing") CHECK(v == 467);
    else if (name == "used" || name == "rejected_gross_error" || name == "rejected_out_of_range" || name == "scored") CHECK(v == 0);
    else CHECK(std::isnan(v));
  }
}
