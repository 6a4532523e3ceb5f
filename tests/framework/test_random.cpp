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

TEST_CASE("Counter-based deviates: any one of a key's without the ones before, normal, and unrelated across keys",
          "[framework][random]") {
  const std::uint64_t key = RandomStream(5, "keys", 0).next() | 1, other = RandomStream(5, "keys", 1).next() | 1;
  // The same deviate whatever order they are asked for in (a block of cells drawn from its first cell on).
  CHECK(normal_at(key, 123456) == normal_at(key, 123456));
  CHECK(normal_at(key, 7) != normal_at(key, 8));
  const int n = 200000;
  double s = 0, s2 = 0, s4 = 0, lag = 0, cross = 0, prev = normal_at(key, 0);
  for (int i = 0; i < n; ++i) {
    const double x = normal_at(key, static_cast<std::uint64_t>(i));
    s += x;
    s2 += x * x;
    s4 += x * x * x * x;
    if (i > 0) lag += x * prev;
    prev = x;
    cross += x * normal_at(other, static_cast<std::uint64_t>(i));
  }
  CHECK(std::fabs(s / n) < 0.01);
  CHECK(s2 / n == Approx(1.0).epsilon(0.01));
  CHECK(s4 / n == Approx(3.0).epsilon(0.03));
  // Neighbouring cells' deviates (and two members' of one cell) uncorrelated: |r| below 4 / sqrt(n).
  CHECK(std::fabs(lag / n) < 4 / std::sqrt(n));
  CHECK(std::fabs(cross / n) < 4 / std::sqrt(n));
}
