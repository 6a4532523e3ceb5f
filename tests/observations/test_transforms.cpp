#include <catch2/catch.hpp>
#include <cmath>

#include "core/random.hpp"
#include "observations/transforms/exponential_filter.hpp"

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
