// ExactSum: the rounded sum does not depend on how the terms are grouped.
#include <catch2/catch.hpp>
#include <vector>

#include "core/exact_sum.hpp"
#include "core/random.hpp"

using namespace landda;

TEST_CASE("An exact sum rounds the same however its terms are split", "[framework]") {
  RandomStream r(5, "exact_sum", 0);
  int plain_differs = 0;
  for (int trial = 0; trial < 200; ++trial) {
    // 32 values of an ensemble of H(X) near 0.3, some far off (cancellation in the sum of deviations).
    std::vector<double> x(32);
    for (auto& v : x) v = 0.3 + 0.02 * r.normal() + (r.uniform() < 0.1 ? 1e3 * r.normal() : 0.0);
    ExactSum whole;
    double plain_whole = 0;
    for (const double v : x) whole.add(v), plain_whole += v;
    for (const std::size_t cut : {std::size_t{1}, std::size_t{11}, std::size_t{16}, std::size_t{31}}) {
      ExactSum a, b;  // two ranks' partial sums, combined
      double pa = 0, pb = 0;
      for (std::size_t k = 0; k < x.size(); ++k) (k < cut ? a : b).add(x[k]), (k < cut ? pa : pb) += x[k];
      a.add(b);
      CHECK(a.value() == whole.value());
      plain_differs += pa + pb != plain_whole;
    }
  }
  CHECK(plain_differs > 0);  // plain partial sums do differ in the last bit: the test can tell
}
