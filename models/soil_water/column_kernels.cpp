#include "models/soil_water/column_kernels.hpp"

#include <algorithm>

#include "models/soil_water/fast_math.hpp"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define LANDDA_CLONES __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#else
#define LANDDA_CLONES
#endif

namespace landda::models::soil::kernels {

namespace {
// Pointers as restrict parameters: GCC does not vectorise when they are read from a struct.
LANDDA_CLONES void ch_loop(std::size_t n, double storage, const double* __restrict th, const double* __restrict theta_s,
                           const double* __restrict theta_r, const double* __restrict k_s,
                           const double* __restrict k_mult, const double* __restrict bb, const double* __restrict psi_s,
                           const double* __restrict se_min, double* __restrict h, double* __restrict dh,
                           double* __restrict k, double* __restrict dk) {
  for (std::size_t c = 0; c < n; ++c) {
    // Every branch computed, then selected: the loop stays free of control flow.
    const double ts = theta_s[c], range = ts - theta_r[c], lo = se_min[c], b = bb[c], ps = psi_s[c];
    const double x = std::min(std::max((th[c] - theta_r[c]) / range, lo), 1.0);
    const double xb = fast::exp(-b * fast::log(x));  // x^-b; x^(2b+3) = x^3 / (x^-b)^2
    const double kk = k_s[c] * k_mult[c] * (x * x * x) / (xb * xb);
    const double slope = 1.0 / (x * range);
    const double excess = th[c] - ts;
    const double dh_unsat = x <= lo ? 0.0 : b * ps * xb * slope;
    const double dk_unsat = x <= lo ? 0.0 : (2.0 * b + 3.0) * kk * slope;
    h[c] = excess > 0.0 ? -ps + excess / storage : -ps * xb;
    dh[c] = excess > 0.0 ? 1.0 / storage : dh_unsat;
    k[c] = kk;
    dk[c] = excess > 0.0 ? 0.0 : dk_unsat;
  }
}
}  // namespace

void clapp_hornberger(std::size_t n, const ClappHornbergerLayer& a, double storage) {
  ch_loop(n, storage, a.theta, a.theta_s, a.theta_r, a.k_s, a.k_mult, a.b, a.psi_s, a.se_min, a.h, a.dh, a.k, a.dk);
}

}  // namespace landda::models::soil::kernels
