#include <catch2/catch.hpp>
#include <cmath>

#include "core/random.hpp"
#include "observations/transforms/exponential_filter.hpp"
#include "observations/transforms/rescale.hpp"

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

TEST_CASE("Mean/std rescaling matches each location's first two moments to the reference (Draper et al. 2009)",
          "[observations][transforms]") {
  // Two locations: an affine transform of the reference plus noise, and one
  // with too few pairs; a rejected observation is rescaled but not counted.
  RandomStream r(3, "rescale", 0);
  const int n0 = 400;
  std::vector<int> group;
  std::vector<double> ref;
  std::vector<bool> pair;
  std::vector<double> y;
  for (int i = 0; i < n0; ++i) {
    const double truth = 0.25 + 0.05 * std::sin(0.1 * i);
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
  Eigen::VectorXd value = Eigen::Map<Eigen::VectorXd>(y.data(), static_cast<Eigen::Index>(y.size()));
  Eigen::VectorXd error = Eigen::VectorXd::Constant(value.size(), 0.02);
  const auto fit = observations::rescale_mean_std(group, 2, ref, pair, value, error);
  REQUIRE(fit.size() == 2);
  CHECK(fit[0].applied);
  CHECK(fit[0].pairs == n0 - 1);
  CHECK_FALSE(fit[1].applied);
  double m = 0, mr = 0, v = 0, vr = 0;
  for (int i = 0; i < n0; ++i)
    if (pair[static_cast<std::size_t>(i)]) {
      m += value[i] / (n0 - 1);
      mr += ref[static_cast<std::size_t>(i)] / (n0 - 1);
    }
  for (int i = 0; i < n0; ++i)
    if (pair[static_cast<std::size_t>(i)]) {
      v += std::pow(value[i] - m, 2);
      vr += std::pow(ref[static_cast<std::size_t>(i)] - mr, 2);
    }
  CHECK(m == Approx(mr).margin(1e-12));
  CHECK(v == Approx(vr).epsilon(1e-10));
  CHECK(error[0] == Approx(0.02 * fit[0].ratio));
  CHECK(fit[0].ratio > 1.0);  // the retrievals had 0.6 of the reference's amplitude plus noise
  CHECK(value[7] == Approx((5.0 - fit[0].obs_mean) * fit[0].ratio + fit[0].ref_mean));
  CHECK(value[n0 + 2] == 0.2);  // location 1 untouched
  CHECK(error[n0 + 2] == 0.02);
}
