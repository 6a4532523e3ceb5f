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

LANDDA_CLONES void fluxes_loop(std::size_t n, int L, const double* __restrict dz, const double* __restrict dzi,
                               const double* __restrict rain, const double* __restrict ks_top,
                               const double* __restrict h, const double* __restrict dh, const double* __restrict k,
                               const double* __restrict dk, double* __restrict q, double* __restrict dq_up,
                               double* __restrict dq_dn) {
  // Top: rain up to the capacity of a ponded surface (h = 0) over half the top
  // layer, with the arithmetic-mean conductivity of the surface and the node.
  const double half = 0.5 * dz[0];
  for (std::size_t c = 0; c < n; ++c) {
    const double kt = 0.5 * (ks_top[c] + k[c]), g = 1.0 - h[c] / half, cap = kt * g;
    const double slope = 0.5 * dk[c] * g - kt * dh[c] / half;
    q[c] = std::min(rain[c], std::max(cap, 0.0));
    dq_dn[c] = rain[c] < cap ? 0.0 : cap <= 0.0 ? 0.0 : slope;
    dq_up[c] = 0.0;
  }
  for (int i = 0; i + 1 < L; ++i) {
    const double inv = 1.0 / dzi[i];
    const std::size_t u = static_cast<std::size_t>(i) * n, d = u + n;
    for (std::size_t c = 0; c < n; ++c) {
      const double kf = 0.5 * (k[u + c] + k[d + c]), g = 1.0 - (h[d + c] - h[u + c]) * inv;  // gravity included
      q[d + c] = kf * g;
      dq_up[d + c] = 0.5 * dk[u + c] * g + kf * dh[u + c] * inv;
      dq_dn[d + c] = 0.5 * dk[d + c] * g - kf * dh[d + c] * inv;
    }
  }
  const std::size_t last = static_cast<std::size_t>(L - 1) * n, bottom = last + n;
  for (std::size_t c = 0; c < n; ++c) {  // free drainage: unit gradient
    q[bottom + c] = k[last + c];
    dq_up[bottom + c] = dk[last + c];
    dq_dn[bottom + c] = 0.0;
  }
}

LANDDA_CLONES void thomas_loop(std::size_t n, int L, const double* __restrict dz, double dt,
                               const double* __restrict dq_up, const double* __restrict dq_dn, double* __restrict r,
                               double* __restrict cp) {
  // Row l: -dq_up[l] delta[l-1] + (dz/dt - dq_dn[l] + dq_up[l+1]) delta[l] + dq_dn[l+1] delta[l+1] = -r[l].
  for (std::size_t c = 0; c < n; ++c) {
    const double b = dz[0] / dt - dq_dn[c] + dq_up[n + c];
    cp[c] = dq_dn[n + c] / b;
    r[c] = -r[c] / b;
  }
  for (int l = 1; l < L; ++l) {
    const std::size_t o = static_cast<std::size_t>(l) * n, p = o - n, nx = o + n;
    for (std::size_t c = 0; c < n; ++c) {
      const double a = -dq_up[o + c], b = dz[l] / dt - dq_dn[o + c] + dq_up[nx + c];
      const double pivot = b - a * cp[p + c];
      r[o + c] = (-r[o + c] - a * r[p + c]) / pivot;
      cp[o + c] = dq_dn[nx + c] / pivot;
    }
  }
  for (int l = L - 2; l >= 0; --l) {
    const std::size_t o = static_cast<std::size_t>(l) * n;
    for (std::size_t c = 0; c < n; ++c) r[o + c] -= cp[o + c] * r[o + n + c];
  }
}

LANDDA_CLONES void update_loop(std::size_t n, double dz, double dt, const double* __restrict theta_s,
                               const double* __restrict theta_r, const double* __restrict se_min,
                               const double* __restrict old, const double* __restrict delta,
                               const double* __restrict sink, double* __restrict theta, double* __restrict storage,
                               double* __restrict extracted, double* __restrict excess) {
  for (std::size_t c = 0; c < n; ++c) {
    const double lo = theta_r[c] + se_min[c] * (theta_s[c] - theta_r[c]);
    const double th = std::max(old[c] + delta[c], lo);  // never drier than air-dry (reported in the balance)
    const double ex = std::max(th - theta_s[c], 0.0);
    storage[c] += dz * (th - old[c]);
    extracted[c] += sink[c] * dt;
    excess[c] += ex * dz;
    theta[c] = th - ex;
  }
}

LANDDA_CLONES void sink_loop(std::size_t n, double fv, double bare, double dz_over_dt, const double* __restrict pet,
                             const double* __restrict theta, const double* __restrict wp, const double* __restrict fc,
                             const double* __restrict root, const double* __restrict theta_s,
                             const double* __restrict theta_r, const double* __restrict se_min,
                             double* __restrict sink) {
  for (std::size_t c = 0; c < n; ++c) {
    const double stress = std::min(std::max((theta[c] - wp[c]) / (fc[c] - wp[c]), 0.0), 1.0);
    const double dry = 0.5 * wp[c];  // bare soil dries below the wilting point
    const double evap = std::min(std::max((theta[c] - dry) / (fc[c] - dry), 0.0), 1.0);
    const double want = fv * pet[c] * root[c] * stress + bare * pet[c] * evap;
    const double air_dry = theta_r[c] + se_min[c] * (theta_s[c] - theta_r[c]);
    sink[c] = std::min(want, 0.5 * std::max(theta[c] - air_dry, 0.0) * dz_over_dt);
  }
}

}  // namespace

void interface_fluxes(std::size_t n, int layers, const double* dz, const double* dzi, const double* rain,
                      const double* ks_top, const double* h, const double* dh, const double* k, const double* dk,
                      double* q, double* dq_up, double* dq_dn) {
  fluxes_loop(n, layers, dz, dzi, rain, ks_top, h, dh, k, dk, q, dq_up, dq_dn);
}

void solve_tridiagonal(std::size_t n, int layers, const double* dz, double dt, const double* dq_up, const double* dq_dn,
                       double* r, double* cp) {
  thomas_loop(n, layers, dz, dt, dq_up, dq_dn, r, cp);
}

void update_layer(std::size_t n, const LayerUpdate& u) {
  update_loop(n, u.dz, u.dt, u.theta_s, u.theta_r, u.se_min, u.old, u.delta, u.sink, u.theta, u.storage, u.extracted,
              u.excess);
}

void layer_sink(std::size_t n, const LayerSink& a) {
  sink_loop(n, a.fv, a.bare, a.dz_over_dt, a.pet, a.theta, a.wp, a.fc, a.root, a.theta_s, a.theta_r, a.se_min, a.sink);
}

void clapp_hornberger(std::size_t n, const ClappHornbergerLayer& a, double storage) {
  ch_loop(n, storage, a.theta, a.theta_s, a.theta_r, a.k_s, a.k_mult, a.b, a.psi_s, a.se_min, a.h, a.dh, a.k, a.dk);
}

}  // namespace landda::models::soil::kernels
