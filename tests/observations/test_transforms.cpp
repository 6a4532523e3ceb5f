#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/random.hpp"
#include "observations/transforms/exponential_filter.hpp"
#include "observations/transforms/rescale.hpp"
#include "observations/transforms/rescale_file.hpp"

using namespace landda;

TEST_CASE("The exponential filter equals the exponentially weighted mean (Wagner et al. 1999)", "[observations][transforms]") {
  // The recursion of Albergel et al. (2008) is the weighted mean
  // sum ms_i exp(-(t_n - t_i)/T) / sum exp(-(t_n - t_i)/T), also for irregular times.
  RandomStream r(5, "swi", 0);
  std::vector<Time> t;
  std::vector<double> ms;
  Time now = Time::parse("2017-01-01");
  for (int i = 0; i < 200; ++i) {
    now = now + Duration{static_cast<std::int64_t>(3600 * (6 + 60 * r.uniform()))};
    t.push_back(now);
    ms.push_back(i % 17 == 5 ? std::nan("") : 0.2 + 0.1 * r.normal());
  }
  const Duration T{10 * 86400};
  const auto swi = observations::exponential_filter(t, ms, T);
  for (std::size_t n = 0; n < ms.size(); ++n) {
    if (!std::isfinite(ms[n])) {
      CHECK(std::isnan(swi[n]));
      continue;
    }
    double num = 0, den = 0;
    for (std::size_t i = 0; i <= n; ++i) {
      if (!std::isfinite(ms[i])) continue;
      const double w = std::exp(-static_cast<double>((t[n] - t[i]).seconds) / static_cast<double>(T.seconds));
      num += w * ms[i];
      den += w;
    }
    CHECK(swi[n] == Approx(num / den).epsilon(1e-10));
  }
  // A constant stays constant; a step is followed with the time scale T.
  std::vector<Time> tt;
  std::vector<double> step;
  for (int d = 0; d < 100; ++d) {
    tt.push_back(Time::parse("2017-01-01") + Duration{86400LL * d});
    step.push_back(d < 50 ? 0.1 : 0.3);
  }
  const auto s = observations::exponential_filter(tt, step, T);
  CHECK(s[49] == Approx(0.1));
  CHECK(s[51] > 0.1);
  CHECK(s[51] < 0.2);
  CHECK(s[99] > 0.28);
  CHECK_THROWS_WITH(observations::exponential_filter({tt[1], tt[0]}, {0.1, 0.2}, T), Catch::Contains("not in order"));
}

namespace {

// Location 0: an affine transform of the reference plus noise (one rejected
// outlier); location 1: too few pairs.
struct RescaleCase {
  std::vector<int> group;
  std::vector<double> ref;
  std::vector<bool> pair;
  Eigen::VectorXd value, error;
  static constexpr int n0 = 400;
  RescaleCase() {
    RandomStream r(3, "rescale", 0);
    std::vector<double> y;
    for (int i = 0; i < n0; ++i) {
      const double truth = 0.25 + 0.05 * std::sin(0.1 * i) + 0.02 * r.normal();
      group.push_back(0);
      ref.push_back(truth);
      pair.push_back(i != 7);
      y.push_back(i == 7 ? 5.0 : 0.6 * truth - 0.08 + 0.01 * r.normal());
    }
    for (int i = 0; i < 5; ++i) {
      group.push_back(1);
      ref.push_back(0.3);
      pair.push_back(true);
      y.push_back(0.1 * i);
    }
    value = Eigen::Map<Eigen::VectorXd>(y.data(), static_cast<Eigen::Index>(y.size()));
    error = Eigen::VectorXd::Constant(value.size(), 0.02);
  }
  std::vector<double> paired(const Eigen::VectorXd& v) const {
    std::vector<double> out;
    for (int i = 0; i < n0; ++i)
      if (pair[static_cast<std::size_t>(i)]) out.push_back(v[i]);
    return out;
  }
  std::vector<double> paired_ref() const {
    return paired(Eigen::Map<const Eigen::VectorXd>(ref.data(), static_cast<Eigen::Index>(ref.size())));
  }
};

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double var_of(const std::vector<double>& v) {
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return s / static_cast<double>(v.size());
}

}  // namespace

TEST_CASE("Mean/std rescaling matches each location's first two moments to the reference (Draper et al. 2009)",
          "[observations][transforms]") {
  RescaleCase c;
  const auto fit = observations::fit_rescaling("mean_std", c.group, 2, c.ref, c.pair, c.value);
  REQUIRE(fit.size() == 2);
  CHECK(fit[0].applied);
  CHECK(fit[0].pairs == RescaleCase::n0 - 1);
  CHECK_FALSE(fit[1].applied);
  Eigen::VectorXd v = c.value, e = c.error;
  observations::apply_rescaling(fit, c.group, v, e);
  const auto y = c.paired(v), r = c.paired_ref();
  CHECK(mean_of(y) == Approx(mean_of(r)).margin(1e-12));
  CHECK(var_of(y) == Approx(var_of(r)).epsilon(1e-10));
  CHECK(e[0] == Approx(0.02 * fit[0].error_ratio));
  CHECK(fit[0].error_ratio > 1.0);  // the retrievals had 0.6 of the reference's amplitude
  // The rejected outlier is mapped by the same line, not clipped.
  const double slope = (fit[0].ref_knots[1] - fit[0].ref_knots[0]) / (fit[0].obs_knots[1] - fit[0].obs_knots[0]);
  CHECK(v[7] == Approx(fit[0].ref_knots[0] + (5.0 - fit[0].obs_knots[0]) * slope));
  CHECK(v[RescaleCase::n0 + 2] == 0.2);  // location 1 untouched
  CHECK(e[RescaleCase::n0 + 2] == 0.02);
}

TEST_CASE("CDF matching gives the rescaled retrievals the reference's percentiles (Reichle & Koster 2004)",
          "[observations][transforms]") {
  RescaleCase c;
  const auto fit = observations::fit_rescaling("cdf", c.group, 2, c.ref, c.pair, c.value);
  REQUIRE(fit[0].obs_knots.size() == 21);
  Eigen::VectorXd v = c.value, e = c.error;
  observations::apply_rescaling(fit, c.group, v, e);
  auto y = c.paired(v), r = c.paired_ref();
  std::sort(y.begin(), y.end());
  std::sort(r.begin(), r.end());
  // The map is monotone, so order statistics map onto order statistics: at
  // knots that fall on one (0, 50, 100th percentile of 399 pairs) the
  // rescaled series equals the reference exactly, and near it elsewhere.
  for (std::size_t k : {std::size_t{0}, (y.size() - 1) / 2, y.size() - 1}) CHECK(y[k] == Approx(r[k]).margin(1e-12));
  for (std::size_t k = 0; k < y.size(); k += 20) CHECK(y[k] == Approx(r[k]).margin(0.005));
  CHECK(std::is_sorted(fit[0].obs_knots.begin(), fit[0].obs_knots.end()));
  // Monotone between knots as well.
  CHECK(fit[0].map(0.10) < fit[0].map(0.11));
  CHECK(e[0] == Approx(0.02 * fit[0].error_ratio));
}

TEST_CASE("A stored rescaling is read back for the same places and refused for others", "[observations][transforms]") {
  RescaleCase c;
  const auto fit = observations::fit_rescaling("cdf", c.group, 2, c.ref, c.pair, c.value);
  const std::string path = (std::filesystem::temp_directory_path() / "landda_rescaling.nc").string();
  observations::write_rescaling(path, "cdf", {10.0, 11.0}, {50.0, 51.0}, fit);
  const auto back = observations::read_rescaling(path, "cdf", {11.0, 10.0}, {51.0, 50.0});
  REQUIRE(back.size() == 2);
  CHECK(back[1].obs_knots == fit[0].obs_knots);
  CHECK(back[1].ref_knots == fit[0].ref_knots);
  CHECK(back[1].error_ratio == fit[0].error_ratio);
  CHECK(back[1].applied);
  CHECK_FALSE(back[0].applied);
  CHECK_THROWS_WITH(observations::read_rescaling(path, "mean_std", {10.0}, {50.0}),
                    Catch::Contains("landda_rescaling.nc: holds 'cdf' rescaling; the source asks for 'mean_std'"));
  CHECK_THROWS_WITH(observations::read_rescaling(path, "cdf", {12.0}, {50.0}),
                    Catch::Contains("no rescaling for the observations at longitude 12"));
}

namespace {
// Daily pairs over 300 days at one location: a reference with a seasonal cycle
// and weather anomalies, and observations that are `obs(ref, day)`.
struct AnomalyCase {
  std::vector<int> group;
  std::vector<double> ref;
  std::vector<bool> pair;
  std::vector<Time> time;
  Eigen::VectorXd value, error;
  template <class F>
  explicit AnomalyCase(F obs) {
    const int n = 300;
    value.resize(n);
    error = Eigen::VectorXd::Constant(n, 0.04);
    for (int d = 0; d < n; ++d) {
      const double season = std::sin(2 * M_PI * d / 365.0), weather = 0.03 * std::sin(d * 0.9) * std::cos(d * 0.37);
      group.push_back(0);
      ref.push_back(0.25 + 0.06 * season + weather);
      pair.push_back(true);
      time.push_back(Time::from_civil(2017, 1, 1) + Duration{86400LL * d + 6 * 3600});
      value[d] = obs(ref.back(), d);
    }
  }
};
}  // namespace

TEST_CASE("Anomaly rescaling keeps the reference's moving climatology and the observations' anomalies",
          "[observations][transforms]") {
  // Observations that are an affine map of the reference come back as the reference itself:
  // the moving means commute with the map, and the anomaly ratio is its slope.
  AnomalyCase affine([](double r, int) { return 0.1 + 2.0 * r; });
  auto fit = observations::fit_rescaling("anomaly", affine.group, 1, affine.ref, affine.pair, affine.value, affine.time);
  REQUIRE(fit[0].applied);
  CHECK(fit[0].error_ratio == Approx(0.5).epsilon(1e-12));
  CHECK(fit[0].clim_obs.size() == 300);
  Eigen::VectorXd v = affine.value, e = affine.error;
  observations::apply_rescaling(fit, affine.group, v, e, affine.time);
  for (int d = 0; d < 300; ++d) CHECK(v[d] == Approx(affine.ref[static_cast<std::size_t>(d)]).margin(1e-12));
  CHECK(e[0] == Approx(0.02));
  CHECK_THROWS(observations::apply_rescaling(fit, affine.group, v, e));  // an anomaly fit needs the times

  // A retrieval whose seasonal cycle is wrong (a cosine added) but whose anomalies are right: the
  // anomaly method removes the wrong season, mean/std matching cannot.
  AnomalyCase shifted([](double r, int d) { return r + 0.08 * std::cos(2 * M_PI * d / 365.0); });
  const auto miss = [&](const std::string& method) {
    const auto f = observations::fit_rescaling(method, shifted.group, 1, shifted.ref, shifted.pair, shifted.value, shifted.time);
    Eigen::VectorXd y = shifted.value, err = shifted.error;
    observations::apply_rescaling(f, shifted.group, y, err, shifted.time);
    double s = 0;
    for (int d = 0; d < 300; ++d) s += std::pow(y[d] - shifted.ref[static_cast<std::size_t>(d)], 2);
    return std::sqrt(s / 300);
  };
  CHECK(miss("anomaly") < 0.004);
  CHECK(miss("mean_std") > 0.03);
}

TEST_CASE("An anomaly rescaling is stored with its climatologies and read back", "[observations][transforms]") {
  AnomalyCase c([](double r, int d) { return r + 0.05 * std::cos(2 * M_PI * d / 365.0) + 0.01 * std::sin(d * 1.7); });
  const auto fit = observations::fit_rescaling("anomaly", c.group, 1, c.ref, c.pair, c.value, c.time);
  const std::string path = (std::filesystem::temp_directory_path() / "landda_rescaling_anomaly.nc").string();
  observations::write_rescaling(path, "anomaly", {10.0}, {50.0}, fit);
  const auto back = observations::read_rescaling(path, "anomaly", {10.0}, {50.0});
  REQUIRE(back[0].applied);
  CHECK(back[0].clim_day0 == fit[0].clim_day0);
  for (int d = 0; d < 300; d += 7) {
    const Time t = c.time[static_cast<std::size_t>(d)];
    CHECK(back[0].map(0.3, t) == Approx(fit[0].map(0.3, t)).epsilon(1e-12));
  }
  // Outside the period: the climatology of the nearest day.
  CHECK(back[0].map(0.3, Time::from_civil(2019, 1, 1)) == Approx(fit[0].map(0.3, c.time.back())).epsilon(1e-12));
  CHECK_THROWS_WITH(observations::read_rescaling(path, "mean_std", {10.0}, {50.0}), Catch::Contains("holds 'anomaly'"));
}
