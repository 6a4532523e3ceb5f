#pragma once
// exp and log in plain double arithmetic and integer bit operations, so that
// loops calling them vectorise (glibc's exp/log are calls the vectoriser
// cannot widen). Both are within 1e-15 relative of the C library's; no
// handling of NaN, infinities or subnormals: callers keep arguments in range.
#include <algorithm>
#include <bit>
#include <cstdint>

namespace landda::models::soil::fast {

// exp(x), |x| <= 700: x = n ln2 + r with |r| <= ln2/2 (Cody & Waite reduction:
// ln2 in two parts so n * ln2_hi is exact), exp(r) by its Taylor series to r^13
// (truncation below 1e-16), then 2^n put into the exponent bits.
[[gnu::always_inline]] inline double exp(double x) {
  constexpr double kShift = 0x1.8p52;  // adding it leaves round(x / ln2) in the low mantissa bits
  x = std::clamp(x, -700.0, 700.0);
  const double t = x * 0x1.71547652b82fep0 + kShift;
  const double n = t - kShift;
  const double r = (x - n * 0x1.62e42fee00000p-1) - n * 0x1.a39ef35793c76p-33;
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  return std::bit_cast<double>(std::bit_cast<std::int64_t>(p) + (std::bit_cast<std::int64_t>(t) << 52));
}

// log(x), x positive and normal: x = m 2^k with m in [sqrt(1/2), sqrt(2)),
// log m = 2 atanh(s), s = (m - 1)/(m + 1), |s| < 0.172, series to s^21.
[[gnu::always_inline]] inline double log(double x) {
  const std::int64_t bits = std::bit_cast<std::int64_t>(x);
  const std::int64_t k = (bits - 0x3fe6a09e667f3bcdLL) >> 52;  // 0x3fe6a09e667f3bcd: the bits of sqrt(1/2)
  const double m = std::bit_cast<double>(bits - (k << 52));
  const double kd = std::bit_cast<double>(k + 0x4338000000000000LL) - 0x1.8p52;  // k as a double
  const double s = (m - 1.0) / (m + 1.0), s2 = s * s;
  double p = 1.0 / 21.0;
  p = p * s2 + 1.0 / 19.0;
  p = p * s2 + 1.0 / 17.0;
  p = p * s2 + 1.0 / 15.0;
  p = p * s2 + 1.0 / 13.0;
  p = p * s2 + 1.0 / 11.0;
  p = p * s2 + 1.0 / 9.0;
  p = p * s2 + 1.0 / 7.0;
  p = p * s2 + 1.0 / 5.0;
  p = p * s2 + 1.0 / 3.0;
  p = p * s2 + 1.0;
  return kd * 0x1.62e42fee00000p-1 + (2.0 * s * p + kd * 0x1.a39ef35793c76p-33);
}

}  // namespace landda::models::soil::fast
