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
// ln2 in two parts so n * ln2_hi is exact), exp(r) by its Taylor series to r^12
// (truncation 2e-16), evaluated by Estrin's scheme (independent products, so the
// evaluation is not one long chain of dependent operations), then 2^n put into
// the exponent bits.
[[gnu::always_inline]] inline double exp(double x) {
  constexpr double kShift = 0x1.8p52;  // adding it leaves round(x / ln2) in the low mantissa bits
  x = std::clamp(x, -700.0, 700.0);
  const double t = x * 0x1.71547652b82fep0 + kShift;
  const double n = t - kShift;
  const double r = (x - n * 0x1.62e42fee00000p-1) - n * 0x1.a39ef35793c76p-33;
  const double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
  const double p01 = 1.0 + r, p23 = 1.0 / 2 + r * (1.0 / 6), p45 = 1.0 / 24 + r * (1.0 / 120);
  const double p67 = 1.0 / 720 + r * (1.0 / 5040), p89 = 1.0 / 40320 + r * (1.0 / 362880);
  const double p1011 = 1.0 / 3628800 + r * (1.0 / 39916800), p12 = 1.0 / 479001600;
  const double q0 = p01 + r2 * p23, q1 = p45 + r2 * p67, q2 = p89 + r2 * p1011;
  const double p = (q0 + r4 * q1) + r8 * (q2 + r4 * p12);
  return std::bit_cast<double>(std::bit_cast<std::int64_t>(p) + (std::bit_cast<std::int64_t>(t) << 52));
}

// log(x), x positive and normal: x = m 2^k with m in [sqrt(1/2), sqrt(2)),
// log m = 2 atanh(s), s = (m - 1)/(m + 1), s^2 < 0.0295, series to s^19
// (truncation 3e-17), by Estrin's scheme in s^2.
[[gnu::always_inline]] inline double log(double x) {
  const std::int64_t bits = std::bit_cast<std::int64_t>(x);
  const std::int64_t k = (bits - 0x3fe6a09e667f3bcdLL) >> 52;  // 0x3fe6a09e667f3bcd: the bits of sqrt(1/2)
  const double m = std::bit_cast<double>(bits - (k << 52));
  const double kd = std::bit_cast<double>(k + 0x4338000000000000LL) - 0x1.8p52;  // k as a double
  const double s = (m - 1.0) / (m + 1.0), z = s * s, z2 = z * z, z4 = z2 * z2, z8 = z4 * z4;
  const double a01 = 1.0 + z * (1.0 / 3), a23 = 1.0 / 5 + z * (1.0 / 7), a45 = 1.0 / 9 + z * (1.0 / 11);
  const double a67 = 1.0 / 13 + z * (1.0 / 15), a89 = 1.0 / 17 + z * (1.0 / 19);
  const double p = (a01 + z2 * a23) + z4 * (a45 + z2 * a67) + z8 * a89;
  return kd * 0x1.62e42fee00000p-1 + (2.0 * s * p + kd * 0x1.a39ef35793c76p-33);
}

// Single-precision versions (relative error below 2e-7), for loops where
// float accuracy is enough and twice the lanes per vector count more.
// expf: |x| <= 87, Taylor series of exp(r) to r^7 (truncation 3e-9).
[[gnu::always_inline]] inline float expf(float x) {
  constexpr float kShift = 0x1.8p23f;
  x = std::clamp(x, -87.0f, 87.0f);
  const float t = x * 0x1.715476p0f + kShift;
  const float n = t - kShift;
  const float r = (x - n * 0x1.62e400p-1f) - n * 0x1.7f7d1cp-20f;
  const float r2 = r * r, r4 = r2 * r2;
  const float p = ((1.0f + r) + r2 * (0.5f + r * (1.0f / 6))) + r4 * ((1.0f / 24 + r * (1.0f / 120)) + r2 * (1.0f / 720 + r * (1.0f / 5040)));
  return std::bit_cast<float>(std::bit_cast<std::int32_t>(p) + (std::bit_cast<std::int32_t>(t) << 23));
}

// logf: x positive and normal, m in [sqrt(1/2), sqrt(2)), 2 atanh(s) to s^9 (truncation 2e-10).
[[gnu::always_inline]] inline float logf(float x) {
  const std::int32_t bits = std::bit_cast<std::int32_t>(x);
  const std::int32_t k = (bits - 0x3f3504f3) >> 23;  // 0x3f3504f3: the bits of sqrt(1/2)
  const float m = std::bit_cast<float>(bits - (k << 23));
  const float kd = static_cast<float>(k);
  const float s = (m - 1.0f) / (m + 1.0f), z = s * s, z2 = z * z;
  const float p = (1.0f + z * (1.0f / 3)) + z2 * ((1.0f / 5 + z * (1.0f / 7)) + z2 * (1.0f / 9));
  return kd * 0x1.62e400p-1f + (2.0f * s * p + kd * 0x1.7f7d1cp-20f);
}

}  // namespace landda::models::soil::fast
