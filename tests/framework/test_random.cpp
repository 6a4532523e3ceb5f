#include <catch2/catch.hpp>
#include <cmath>

#include "core/random.hpp"

using namespace landda;

TEST_CASE("Random streams are keyed by seed, purpose and member", "[framework][random]") {
  RandomStream a(7, "model", 3), b(7, "model", 3), c(7, "model", 4), d(7, "obs", 3), e(8, "model", 3);
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next();
    CHECK(x == b.next());
    CHECK(x != c.next());
    CHECK(x != d.next());
    CHECK(x != e.next());
  }
}

TEST_CASE("A stream's state restores it exactly", "[framework][random]") {
  RandomStream a(1, "x", 0);
  for (int i = 0; i < 10; ++i) a.normal();
  const auto saved = a.state();
  std::vector<double> first;
  for (int i = 0; i < 20; ++i) first.push_back(a.normal());
  RandomStream b;
  b.set_state(saved);
  for (int i = 0; i < 20; ++i) CHECK(b.normal() == first[static_cast<std::size_t>(i)]);
}

TEST_CASE("Normal and uniform deviates have the right moments", "[framework][random]") {
  RandomStream r(42, "moments", 0);
  const int n = 200000;
  double s = 0, s2 = 0, s4 = 0, u = 0;
  for (int i = 0; i < n; ++i) {
    const double x = r.normal();
    s += x;
    s2 += x * x;
    s4 += x * x * x * x;
    const double v = r.uniform();
    REQUIRE(v >= 0.0);
    REQUIRE(v < 1.0);
    u += v;
  }
  CHECK(std::fabs(s / n) < 0.01);
  CHECK(s2 / n == Approx(1.0).epsilon(0.01));
  CHECK(s4 / n == Approx(3.0).epsilon(0.03));  // Gaussian kurtosis
  CHECK(u / n == Approx(0.5).epsilon(0.01));
}
