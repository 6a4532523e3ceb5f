// Merged products on synthetic cases whose truth is known: the data are
// generated here (a daily bucket model driven by random rain and a seasonal
// temperature), written as observation and forcing files, and merged by
// `landda merge`'s own driver.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "config/node.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "models/soil_water/forcing.hpp"
#include "models/soil_water/forcing_import.hpp"
#include "observations/ioda/ioda_file.hpp"
#include "observations/merging/merge.hpp"
#include "observations/merging/tc/tc.hpp"

using namespace landda;
namespace fs = std::filesystem;
namespace merging = landda::observations::merging;

namespace {

const Time kStart = Time::parse("2017-01-01");
constexpr int kDays = 730;

struct Truth {
  int locations = 0;
  std::vector<std::vector<double>> sm, rain, tas;  // [location][day]: m3 m-3, mm, deg C
  double lon(int l) const { return 10.0 + 0.5 * l; }
  double lat(int) const { return 45.0; }
  std::string name(int l) const { return "S" + std::to_string(l); }
};

// A bucket: rain fills it, drainage and evaporation (faster when warm) empty it.
Truth make_truth(int locations, std::uint64_t seed) {
  Truth tr;
  tr.locations = locations;
  for (int l = 0; l < locations; ++l) {
    RandomStream r(seed, "truth", static_cast<std::uint64_t>(l));
    const double t_mean = -2.0 + 16.0 * l / std::max(1, locations - 1);
    std::vector<double> sm, rain, tas;
    double s = 0.25;
    for (int d = 0; d < kDays; ++d) {
      const double t = t_mean - 12.0 * std::cos(2 * M_PI * d / 365.25) + 3.0 * r.normal();
      const double p = r.uniform() < 0.3 ? -8.0 * std::log(1 - r.uniform()) : 0.0;
      const double frozen = t < 0 ? 0.2 : 1.0;  // frozen soil takes little water and loses little
      s += frozen * p / 250.0 - 0.04 * (s - 0.08) * frozen * (0.5 + std::max(t, 0.0) / 20.0);
      s = std::clamp(s, 0.05, 0.45);
      sm.push_back(s);
      rain.push_back(p);
      tas.push_back(t);
    }
    tr.sm.push_back(sm);
    tr.rain.push_back(rain);
    tr.tas.push_back(tas);
  }
  return tr;
}

// One product: value(location, day, truth) -> retrieval (NaN: none), with a
// nominal error written as ObsError.
template <class F>
void write_product(const Truth& tr, const std::string& path, double nominal_error, F value) {
  observations::ObsFile f;
  std::vector<double> v;
  for (int d = 0; d < kDays; ++d)
    for (int l = 0; l < tr.locations; ++l) {
      const double x = value(l, d);
      if (!std::isfinite(x)) continue;
      v.push_back(x);
      f.obs.x.push_back(tr.lon(l));
      f.obs.y.push_back(tr.lat(l));
      f.obs.time.push_back(kStart + Duration{86400LL * d + 6 * 3600});
      f.station.push_back(tr.name(l));
    }
  f.obs.value = Eigen::Map<Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
  f.obs.error = Eigen::VectorXd::Constant(f.obs.value.size(), nominal_error);
  f.obs.qc.assign(v.size(), 0);
  f.obs.source.assign(v.size(), 0);
  f.obs.source_names = {"synthetic"};
  f.platform = f.sensor = f.source = "synthetic";
  observations::write_ioda(f, path);
}

void write_forcing(const Truth& tr, const std::string& dir) {
  for (int l = 0; l < tr.locations; ++l) {
    models::soil::ForcingSeries s;
    s.start = kStart;
    s.interval = Duration{86400};
    s.lon = tr.lon(l);
    s.lat = tr.lat(l);
    s.site = tr.name(l);
    s.source = "synthetic";
    for (int d = 0; d < kDays; ++d) {
      s.values[static_cast<int>(models::soil::Met::pr)].push_back(tr.rain[static_cast<std::size_t>(l)][static_cast<std::size_t>(d)] / 86400.0);
      s.values[static_cast<int>(models::soil::Met::tas)].push_back(tr.tas[static_cast<std::size_t>(l)][static_cast<std::size_t>(d)] + 273.15);
    }
    models::soil::write_forcing(s, dir + "/forcing_" + tr.name(l) + ".nc");
  }
}

std::string fresh_dir(const std::string& name) {
  const auto d = fs::temp_directory_path() / ("landda_test_merging_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d.string();
}

// Runs the merge a YAML text describes; returns the merged file.
observations::ObsFile merge(const std::string& yaml, const std::string& out) {
  auto cfg = merging::read_merge_config(config::load_string(yaml + "\noutput: {dir: " + out + "}\n"));
  merging::run_merge(cfg);
  return observations::read_ioda(out + "/merged.nc");
}

// Error of a file against the truth at the given locations, independent of
// its scale: the RMS residual of the truth's best linear fit on it,
// sd(truth) sqrt(1 - R^2) (what remains after any rescaling).
double fit_error(const observations::ObsFile& f, const Truth& tr, const std::vector<int>& at) {
  std::vector<double> x, y;
  for (std::size_t i = 0; i < f.station.size(); ++i) {
    const int l = std::stoi(f.station[i].substr(1));
    if (std::find(at.begin(), at.end(), l) == at.end()) continue;
    const auto d = static_cast<std::size_t>((f.obs.time[i] - kStart).seconds / 86400);
    x.push_back(f.obs.value[static_cast<Eigen::Index>(i)]);
    y.push_back(tr.sm[static_cast<std::size_t>(l)][d]);
  }
  const double r = metrics::pearson(x, y);
  const Eigen::Map<const Eigen::ArrayXd> ya(y.data(), static_cast<Eigen::Index>(y.size()));
  return std::sqrt((ya - ya.mean()).square().mean() * (1 - r * r));
}

// The slope of a file's anomalies on the truth's (about each location's means)
// at the given locations: below 1 for a damped, conditional-mean estimate.
double anomaly_slope(const observations::ObsFile& f, const Truth& tr, const std::vector<int>& at) {
  double cov = 0, var = 0;
  for (const int l : at) {
    std::vector<double> x, y;
    for (std::size_t i = 0; i < f.station.size(); ++i) {
      if (std::stoi(f.station[i].substr(1)) != l) continue;
      x.push_back(f.obs.value[static_cast<Eigen::Index>(i)]);
      y.push_back(tr.sm[static_cast<std::size_t>(l)][static_cast<std::size_t>((f.obs.time[i] - kStart).seconds / 86400)]);
    }
    const Eigen::Map<const Eigen::ArrayXd> xa(x.data(), static_cast<Eigen::Index>(x.size())), ya(y.data(), xa.size());
    cov += ((xa - xa.mean()) * (ya - ya.mean())).sum();
    var += (ya - ya.mean()).square().sum();
  }
  return cov / var;
}

std::vector<int> all_locations(const Truth& tr) {
  std::vector<int> v(static_cast<std::size_t>(tr.locations));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

std::string products_yaml(const std::string& dir, std::initializer_list<const char*> names) {
  std::string y = "start: 2017-01-01\nend: 2019-01-01\nproducts:\n";
  for (const char* n : names) y += cat("  - {name: ", n, ", file: ", dir, "/", n, ".nc}\n");
  return y;
}

}  // namespace

TEST_CASE("Mean and TC merging beat every input when errors are independent", "[observations][merging]") {
  const std::string dir = fresh_dir("independent");
  const Truth tr = make_truth(6, 11);
  const double sigma[3] = {0.03, 0.04, 0.05};
  const char* names[3] = {"a", "b", "c"};
  for (int p = 0; p < 3; ++p)
    write_product(tr, cat(dir, "/", names[p], ".nc"), 0.1, [&, p](int l, int d) {
      RandomStream r(7, cat("obs", p, "-", d), static_cast<std::uint64_t>(l));
      if (r.uniform() < 0.2) return std::nan("");  // gaps
      // Different scales and offsets: the rescaling must undo them.
      return (0.02 * p) + (1 + 0.3 * p) * tr.sm[static_cast<std::size_t>(l)][static_cast<std::size_t>(d)] +
             (1 + 0.3 * p) * sigma[p] * r.normal();
    });
  const std::string base = products_yaml(dir, {"a", "b", "c"});
  const auto mean = merge(base + "merger: {type: mean}\nmin_products: 2", dir + "/mean");
  const auto tc = merge(base + "merger: {type: tc}\nmin_products: 2", dir + "/tc");
  const auto locs = all_locations(tr);
  double best_input = 1;
  for (const char* n : names) {
    const double u = fit_error(observations::read_ioda(cat(dir, "/", n, ".nc")), tr, locs);
    INFO("input " << n << " error " << u);
    best_input = std::min(best_input, u);
  }
  const double um = fit_error(mean, tr, locs), ut = fit_error(tc, tr, locs);
  INFO("mean " << um << " tc " << ut << " best input " << best_input);
  CHECK(um < best_input);
  CHECK(ut < best_input);
  CHECK(ut <= um * 1.01);
  // The error TC states, 1 / sum(1 / sigma_i^2), is about the real one.
  CHECK(tc.obs.error.mean() == Approx(ut).epsilon(0.25));
  // Too few triplets at each location (about 500 of 1,000 needed): the estimate pooled over all locations.
  const auto pooled = merge(base + "merger: {type: tc, min_samples: 1000}\nmin_products: 2", dir + "/tc_pooled");
  const double up = fit_error(pooled, tr, locs);
  INFO("tc pooled " << up);
  CHECK(up < best_input);
  CHECK(up == Approx(ut).epsilon(0.05));
}

TEST_CASE("TC beats the mean when errors differ by location and season", "[observations][merging]") {
  const std::string dir = fresh_dir("varying");
  const Truth tr = make_truth(8, 12);
  const char* names[3] = {"a", "b", "c"};
  for (int p = 0; p < 3; ++p)
    write_product(tr, cat(dir, "/", names[p], ".nc"), 0.04, [&, p](int l, int d) {
      RandomStream r(8, cat("obs", p, "-", d), static_cast<std::uint64_t>(l));
      const Time t = kStart + Duration{86400LL * d};
      double s = 0.04;
      if (p == 0) s = l % 2 ? 0.08 : 0.015;  // good at even locations
      if (p == 1) s = l % 2 ? 0.015 : 0.08;  // good at odd ones
      if (p == 2) s = merging::season_of(t) == 2 ? 0.10 : 0.02;  // poor in summer
      return tr.sm[static_cast<std::size_t>(l)][static_cast<std::size_t>(d)] + s * r.normal();
    });
  const std::string base = products_yaml(dir, {"a", "b", "c"});
  const auto mean = merge(base + "merger: {type: mean}", dir + "/mean");
  const auto tc = merge(base + "merger: {type: tc}", dir + "/tc");
  const auto tcs = merge(base + "merger: {type: tc, stratify: season}", dir + "/tc_season");
  const auto locs = all_locations(tr);
  const double um = fit_error(mean, tr, locs), ut = fit_error(tc, tr, locs), us = fit_error(tcs, tr, locs);
  INFO("mean " << um << " tc " << ut << " tc by season " << us);
  CHECK(ut < 0.8 * um);
  CHECK(us < ut);
}

namespace {

// Errors that depend on the state and the forcing: A reads dry on frozen
// days, B wet after rain, C's noise grows with the water content. TC and the
// mean see only their average size; the LSTM sees the rain and temperature.
struct StateDependent {
  std::string dir;
  Truth tr;
  std::string yaml;
  std::vector<int> holdout;
};

const StateDependent& state_dependent_case() {
  static const StateDependent c = [] {
    StateDependent s;
    s.dir = fresh_dir("lstm");
    s.tr = make_truth(20, 13);
    const Truth& tr = s.tr;
    const auto sm = [&tr](int l, int d) { return tr.sm[static_cast<std::size_t>(l)][static_cast<std::size_t>(d)]; };
    const auto tas = [&tr](int l, int d) { return tr.tas[static_cast<std::size_t>(l)][static_cast<std::size_t>(d)]; };
    const auto rain = [&tr](int l, int d) { return tr.rain[static_cast<std::size_t>(l)][static_cast<std::size_t>(d)]; };
    write_product(tr, s.dir + "/a.nc", 0.03, [&](int l, int d) {
      RandomStream r(9, cat("a", d), static_cast<std::uint64_t>(l));
      return tas(l, d) < 0 ? 0.06 + 0.02 * r.normal() : sm(l, d) + 0.02 * r.normal();
    });
    write_product(tr, s.dir + "/b.nc", 0.03, [&](int l, int d) {
      RandomStream r(10, cat("b", d), static_cast<std::uint64_t>(l));
      return sm(l, d) + (rain(l, d) > 5 ? 0.10 : 0.0) + 0.02 * r.normal();
    });
    write_product(tr, s.dir + "/c.nc", 0.03, [&](int l, int d) {
      RandomStream r(11, cat("c", d), static_cast<std::uint64_t>(l));
      return sm(l, d) + 0.25 * sm(l, d) * r.normal();
    });
    // The reference: in-situ-like, small noise, at every location (holdouts are scored against the truth).
    write_product(tr, s.dir + "/insitu.nc", 0.01, [&](int l, int d) {
      RandomStream r(12, cat("i", d), static_cast<std::uint64_t>(l));
      return sm(l, d) + 0.01 * r.normal();
    });
    write_forcing(tr, s.dir);
    s.holdout = {2, 7, 12, 17};
    std::string forcing;
    for (int l = 0; l < tr.locations; ++l) forcing += cat(l ? ", " : "", s.dir, "/forcing_", tr.name(l), ".nc");
    s.yaml = products_yaml(s.dir, {"a", "b", "c"}) + "max_distance_km: 5\n" +
             cat("merger:\n  type: lstm\n  reference: ", s.dir, "/insitu.nc\n  forcing: [", forcing,
                 "]\n  holdout_stations: [S2, S7, S12, S17]\n  hidden: 16\n  sequence_days: 90\n  stride_days: 45\n"
                 "  epochs: 80\n  patience: 10\n  learning_rate: 0.01\n");
    return s;
  }();
  return c;
}

}  // namespace

TEST_CASE("The LSTM beats TC and the mean where errors depend on the state and the forcing",
          "[observations][merging][lstm]") {
  const auto& c = state_dependent_case();
  const auto lstm = merge(c.yaml, c.dir + "/lstm");
  const auto base = products_yaml(c.dir, {"a", "b", "c"});
  const auto mean = merge(base + "merger: {type: mean}", c.dir + "/mean");
  const auto tc = merge(base + "merger: {type: tc}", c.dir + "/tc");
  const double ul = fit_error(lstm, c.tr, c.holdout), um = fit_error(mean, c.tr, c.holdout), ut = fit_error(tc, c.tr, c.holdout);
  INFO("held-out locations: lstm " << ul << " tc " << ut << " mean " << um);
  CHECK(ul < 0.8 * ut);
  CHECK(ul < 0.8 * um);
  // Its stated error (the validation RMSE inflated for the residuals' day-to-day
  // correlation) does not understate the real one, nor exceed it by much.
  CHECK(lstm.obs.error[0] >= ul);
  CHECK(lstm.obs.error[0] < 5 * ul);

  SECTION("train, save, load, predict: a saved model gives the same predictions") {
    const auto again = merge(c.yaml + cat("  model: ", c.dir, "/lstm/model.pt\n"), c.dir + "/lstm_applied");
    REQUIRE(again.obs.value.size() == lstm.obs.value.size());
    CHECK((again.obs.value.array() == lstm.obs.value.array()).all());
    CHECK((again.obs.error.array() == lstm.obs.error.array()).all());
  }
  SECTION("a model trained on other inputs is refused") {
    const std::string other = products_yaml(c.dir, {"a", "b"}) + "max_distance_km: 5\n" +
                              cat("merger: {type: lstm, model: ", c.dir, "/lstm/model.pt}");
    CHECK_THROWS_WITH(merge(other, c.dir + "/refused"), Catch::Contains("trained on inputs"));
  }
}

TEST_CASE("LSTM training is deterministic for a seed", "[observations][merging][lstm]") {
  const auto& c = state_dependent_case();
  auto cfg_text = c.yaml;
  cfg_text.replace(cfg_text.find("epochs: 80"), 10, "epochs: 3 ");
  const auto one = merge(cfg_text, c.dir + "/seed_a");
  const auto two = merge(cfg_text, c.dir + "/seed_b");
  REQUIRE(one.obs.value.size() == two.obs.value.size());
  CHECK((one.obs.value.array() == two.obs.value.array()).all());
  const auto other = merge(cfg_text + "seed: 2\n", c.dir + "/seed_c");
  CHECK(!(other.obs.value.array() == one.obs.value.array()).all());
}

TEST_CASE("Calibration to the signal undoes the damping of a network's conditional mean",
          "[observations][merging][lstm]") {
  // Three products with large independent errors: the best the network can do
  // is a conditional mean whose anomalies are damped (slope on the truth about
  // R^2). Calibrated on the validation locations, the held-out locations'
  // slope comes out near 1, as a filter assumes of an observation.
  const std::string dir = fresh_dir("calibration");
  const Truth tr = make_truth(20, 17);
  const char* names[3] = {"a", "b", "c"};
  for (int p = 0; p < 3; ++p)
    write_product(tr, cat(dir, "/", names[p], ".nc"), 0.06, [&, p](int l, int d) {
      RandomStream r(21, cat("noisy", p, "-", d), static_cast<std::uint64_t>(l));
      return tr.sm[static_cast<std::size_t>(l)][static_cast<std::size_t>(d)] + 0.06 * r.normal();
    });
  write_product(tr, dir + "/insitu.nc", 0.01, [&](int l, int d) {
    RandomStream r(22, cat("i", d), static_cast<std::uint64_t>(l));
    return tr.sm[static_cast<std::size_t>(l)][static_cast<std::size_t>(d)] + 0.01 * r.normal();
  });
  const std::string yaml = products_yaml(dir, {"a", "b", "c"}) + "max_distance_km: 5\n" +
                           cat("merger:\n  type: lstm\n  reference: ", dir, "/insitu.nc\n  season: false\n",
                               "  holdout_stations: [S2, S7, S12, S17]\n  hidden: 8\n  sequence_days: 90\n",
                               "  stride_days: 45\n  epochs: 40\n  patience: 10\n  learning_rate: 0.01\n");
  const auto calibrated = merge(yaml, dir + "/signal");
  const auto raw = merge(yaml + "  calibration: none\n", dir + "/none");
  const std::vector<int> holdout{2, 7, 12, 17};
  const double s_raw = anomaly_slope(raw, tr, holdout), s_cal = anomaly_slope(calibrated, tr, holdout);
  INFO("slope on the truth at held-out locations: uncalibrated " << s_raw << ", calibrated " << s_cal);
  CHECK(s_raw < 0.95);
  CHECK(std::abs(s_cal - 1.0) < 0.5 * std::abs(s_raw - 1.0));
  CHECK(std::abs(s_cal - 1.0) < 0.05);
}

TEST_CASE("Unnamed locations are told apart by their coordinates as numbers", "[observations][merging]") {
  // (-88.37, 40.01) and (88.37, 40.01) were one key when coordinates were compared as text without punctuation.
  observations::ObsFile f;
  f.obs.resize(4);
  const double lon[] = {-88.37, 88.37, -88.37, 88.37};
  for (int i = 0; i < 4; ++i) {
    f.obs.x[static_cast<std::size_t>(i)] = lon[i];
    f.obs.y[static_cast<std::size_t>(i)] = 40.01;
    f.obs.time[static_cast<std::size_t>(i)] = kStart + Duration{3600LL * (i / 2 + 1)};
    f.obs.value[i] = lon[i] < 0 ? 0.1 : 0.4;
    f.obs.error[i] = 0.04;
  }
  const std::vector<MergeLocation> where{{"-88.3700,40.0100", -88.37, 40.01, false}, {"88.3700,40.0100", 88.37, 40.01, false}};
  const auto b = merging::bin_to_locations(f, where, kStart, Duration{86400}, 1, 1.0);
  CHECK(b.value(0, 0) == Approx(0.1));
  CHECK(b.value(0, 1) == Approx(0.4));
  CHECK(b.used == 4);
}
