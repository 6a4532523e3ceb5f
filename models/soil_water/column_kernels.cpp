#include "models/soil_water/column_kernels.hpp"

#include <algorithm>
#include <cmath>

#include "core/simd.hpp"
#include "models/soil_water/fast_math.hpp"

namespace landda::models::soil::kernels {

namespace {
template <bool Single>
[[gnu::always_inline]] inline void ch_body(std::size_t n, double storage, const double* __restrict th,
                                           const double* __restrict theta_s, const double* __restrict theta_r,
                                           const double* __restrict inv_range, const double* __restrict k_s,
                                           const double* __restrict k_mult, const double* __restrict bb,
                                           const double* __restrict psi_s, const double* __restrict se_min,
                                           double* __restrict h, double* __restrict dh, double* __restrict k,
                                           double* __restrict dk) {
  const double inv_storage = 1.0 / storage;
  for (std::size_t c = 0; c < n; ++c) {
    // Every branch computed, then selected: the loop stays free of control flow.
    const double ts = theta_s[c], lo = se_min[c], b = bb[c], ps = psi_s[c];
    const double x = std::min(std::max((th[c] - theta_r[c]) * inv_range[c], lo), 1.0);
    const double excess = th[c] - ts;
    double xb, kk, dh_unsat, dk_unsat;  // x^-b, K_s x^(2b+3) and the slopes below saturation
    if constexpr (Single) {
      // All of it in float: the linearized scheme takes one Newton step and needs no round-off-level residual.
      const float xf = static_cast<float>(x), bf = static_cast<float>(b);
      const float p = fast::expf(-bf * fast::logf(xf));  // x^-b; x^(2b+3) = x^3 / (x^-b)^2
      const float kf = static_cast<float>(k_s[c] * k_mult[c]) * (xf * xf * xf) / (p * p);
      const float slope = static_cast<float>(inv_range[c]) / xf;  // dx/dtheta / x
      xb = p;
      kk = kf;
      dh_unsat = x <= lo ? 0.0 : static_cast<double>(bf * static_cast<float>(ps) * p * slope);
      dk_unsat = x <= lo ? 0.0 : static_cast<double>((2.0f * bf + 3.0f) * kf * slope);
    } else {
      xb = fast::exp(-b * fast::log(x));
      kk = k_s[c] * k_mult[c] * (x * x * x) / (xb * xb);
      const double slope = inv_range[c] / x;
      dh_unsat = x <= lo ? 0.0 : b * ps * xb * slope;
      dk_unsat = x <= lo ? 0.0 : (2.0 * b + 3.0) * kk * slope;
    }
    h[c] = excess > 0.0 ? -ps + excess * inv_storage : -ps * xb;
    dh[c] = excess > 0.0 ? inv_storage : dh_unsat;
    k[c] = kk;
    dk[c] = excess > 0.0 ? 0.0 : dk_unsat;
  }
}

LANDDA_CLONES void ch_loop(std::size_t n, double storage, bool single, const double* __restrict th,
                           const double* __restrict theta_s, const double* __restrict theta_r,
                           const double* __restrict inv_range, const double* __restrict k_s,
                           const double* __restrict k_mult, const double* __restrict bb, const double* __restrict psi_s,
                           const double* __restrict se_min, double* __restrict h, double* __restrict dh,
                           double* __restrict k, double* __restrict dk) {
  if (single) ch_body<true>(n, storage, th, theta_s, theta_r, inv_range, k_s, k_mult, bb, psi_s, se_min, h, dh, k, dk);
  else ch_body<false>(n, storage, th, theta_s, theta_r, inv_range, k_s, k_mult, bb, psi_s, se_min, h, dh, k, dk);
}

// Head and its slope in Se at x (van Genuchten): x^(-1/m) = 1 + (alpha |h|)^n.
struct VgHead {
  double h, dh_dse;
};
[[gnu::always_inline]] inline VgHead vg_head(double lx, double x, double nn, double m, double al) {
  const double xm = fast::exp(-lx / m);
  const double lb = fast::log(xm - 1.0);
  return {-fast::exp(lb / nn) / al, fast::exp((1.0 / nn - 1.0) * lb) * xm / (x * al * nn * m)};
}
// Mualem's relative conductivity x^l (1 - (1 - x^(1/m))^m)^2 and its slope in Se.
struct VgConductivity {
  double kr, dkr_dse;
};
[[gnu::always_inline]] inline VgConductivity vg_conductivity(double lx, double x, double m, double ll) {
  const double xkm = fast::exp(lx / m);
  const double lom = fast::log(1.0 - xkm);
  const double inner = 1.0 - fast::exp(m * lom), xl = fast::exp(ll * lx);
  const double dinner = fast::exp((m - 1.0) * lom) * xkm / x;
  return {xl * inner * inner, ll * xl / x * inner * inner + xl * 2.0 * inner * dinner};
}

LANDDA_CLONES void vg_loop(std::size_t n, double storage, double cap, const double* __restrict th,
                           const double* __restrict theta_s, const double* __restrict theta_r,
                           const double* __restrict inv_range, const double* __restrict k_s,
                           const double* __restrict k_mult, const double* __restrict n_vg,
                           const double* __restrict alpha, const double* __restrict l_vg,
                           const double* __restrict se_min, const double* __restrict h_cap,
                           const double* __restrict kr_cap, double* __restrict h, double* __restrict dh,
                           double* __restrict k, double* __restrict dk) {
  const double inv_storage = 1.0 / storage;
  for (std::size_t c = 0; c < n; ++c) {
    // Every branch computed, then selected: the loop stays free of control flow.
    const double ts = theta_s[c], tr = theta_r[c], ir = inv_range[c], lo = se_min[c];
    const double nn = n_vg[c], m = 1.0 - 1.0 / nn, al = alpha[c], ll = l_vg[c], ks = k_s[c] * k_mult[c];
    const double se = (th[c] - tr) * ir;
    const double x = std::min(std::max(se, lo), cap), lx = fast::log(x);
    const VgHead hx = vg_head(lx, x, nn, m, al);
    const VgConductivity kx = vg_conductivity(lx, x, m, ll);
    const double above_cap = (se - cap) / ir;  // theta - theta at Se = cap
    const double h_slope = -h_cap[c] / (1.0 - cap) * ir, k_slope = ks * (1.0 - kr_cap[c]) / (1.0 - cap) * ir;
    const double h_unsat = se > cap ? h_cap[c] + above_cap * h_slope : hx.h;
    const double dh_unsat = se > cap ? h_slope : se <= lo ? 0.0 : hx.dh_dse * ir;
    const double k_unsat = se > cap ? ks * kr_cap[c] + above_cap * k_slope : ks * kx.kr;
    const double dk_unsat = se > cap ? k_slope : ks * kx.dkr_dse * ir;
    h[c] = se > 1.0 ? (th[c] - ts) * inv_storage : h_unsat;
    dh[c] = se > 1.0 ? inv_storage : dh_unsat;
    k[c] = se >= 1.0 ? ks : k_unsat;
    dk[c] = se >= 1.0 || se <= lo ? 0.0 : dk_unsat;
  }
}

LANDDA_CLONES void vg_cap_loop(std::size_t n, double cap, const double* __restrict n_vg, const double* __restrict alpha,
                               const double* __restrict l_vg, double* __restrict h_cap, double* __restrict kr_cap) {
  const double lcap = fast::log(cap);
  for (std::size_t c = 0; c < n; ++c) {
    const double m = 1.0 - 1.0 / n_vg[c];
    h_cap[c] = vg_head(lcap, cap, n_vg[c], m, alpha[c]).h;
    kr_cap[c] = vg_conductivity(lcap, cap, m, l_vg[c]).kr;
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
                               const double* __restrict theta_dry, const double* __restrict old, const double* __restrict delta,
                               double* __restrict sink, double* __restrict theta, double* __restrict storage,
                               double* __restrict extracted, double* __restrict excess) {
  for (std::size_t c = 0; c < n; ++c) {
    // Never drier than air-dry (or than the layer already was: an analysis
    // may leave a member's layer below its own air-dry content): the water the
    // step would take below that is water the roots and the soil surface could
    // not extract, so the layer's extraction shrinks by it (what is left over,
    // if any, shows in the balance error).
    const double lo = std::min(theta_dry[c], old[c]);
    const double deficit = std::max(lo - (old[c] + delta[c]), 0.0) * dz;
    const double unmet = std::min(deficit, sink[c] * dt);
    const double th = std::max(old[c] + delta[c] + unmet / dz, lo);
    const double ex = std::max(th - theta_s[c], 0.0);
    sink[c] -= unmet / dt;
    storage[c] += dz * (th - old[c]);
    extracted[c] += sink[c] * dt;
    excess[c] += ex * dz;
    theta[c] = th - ex;
  }
}

LANDDA_CLONES void sink_loop(std::size_t n, double fv, double bare, double dz_over_dt, const double* __restrict pet,
                             const double* __restrict theta, const double* __restrict wp,
                             const double* __restrict inv_stress, const double* __restrict inv_evap,
                             const double* __restrict root, const double* __restrict theta_dry,
                             double* __restrict sink) {
  for (std::size_t c = 0; c < n; ++c) {
    const double stress = std::min(std::max((theta[c] - wp[c]) * inv_stress[c], 0.0), 1.0);
    const double evap = std::min(std::max((theta[c] - 0.5 * wp[c]) * inv_evap[c], 0.0), 1.0);
    const double want = fv * pet[c] * root[c] * stress + bare * pet[c] * evap;
    sink[c] = std::min(want, 0.5 * std::max(theta[c] - theta_dry[c], 0.0) * dz_over_dt);
  }
}

LANDDA_CLONES void saturation_loop(std::size_t n, double head, double floor, const double* __restrict theta_s,
                                   const double* __restrict theta_r, const double* __restrict psi_s,
                                   const double* __restrict b, double* __restrict se) {
  for (std::size_t c = 0; c < n; ++c) {
    const double ratio = std::max(-head / psi_s[c], 1.0);  // at or above -psi_s the soil is saturated
    const double theta = theta_s[c] * fast::exp(-fast::log(ratio) / b[c]);
    se[c] = std::max(floor, (theta - theta_r[c]) / (theta_s[c] - theta_r[c]));
  }
}

LANDDA_CLONES void surface_loop(std::size_t n, double dt, double threshold, double melt_rate, const double* __restrict pr,
                                const double* __restrict tas, const double* __restrict pet, double* __restrict swe,
                                double* __restrict supply, double* __restrict pet_free) {
  for (std::size_t c = 0; c < n; ++c) {
    const double p = pr[c] / 1000.0;  // kg m-2 s-1 -> m/s
    const double rain = tas[c] < threshold ? 0.0 : p;
    const double store = swe[c] + (p - rain) * dt;
    const double melt = std::min(melt_rate * std::max(tas[c] - threshold, 0.0) * dt, store);
    swe[c] = store - melt;
    supply[c] = rain + melt / dt;
    pet_free[c] = store - melt <= 0.0 ? pet[c] : 0.0;
  }
}

LANDDA_CLONES void divergence_loop(std::size_t n, int L, const double* __restrict q, const double* __restrict sink,
                                   double* __restrict r) {
  for (int l = 0; l < L; ++l) {
    const std::size_t o = static_cast<std::size_t>(l) * n;
    for (std::size_t c = 0; c < n; ++c) r[o + c] = -q[o + c] + q[o + n + c] + sink[o + c];
  }
}

LANDDA_CLONES void totals_loop(std::size_t n, int L, double dt, const double* __restrict rain, const double* __restrict q,
                               const double* __restrict dq_up, const double* __restrict dq_dn,
                               const double* __restrict delta, const double* __restrict storage,
                               const double* __restrict extracted, const double* __restrict excess,
                               double* __restrict infiltration, double* __restrict runoff, double* __restrict drainage,
                               double* __restrict balance) {
  const std::size_t bottom = static_cast<std::size_t>(L) * n, last = bottom - n;
  for (std::size_t c = 0; c < n; ++c) {
    const double qtop = q[c] + dq_dn[c] * delta[c], qbot = q[bottom + c] + dq_up[bottom + c] * delta[last + c];
    const double in = qtop * dt, out = qbot * dt;
    balance[c] = storage[c] - (in - out - extracted[c]);
    infiltration[c] = in - excess[c];  // water beyond saturation leaves as saturation-excess runoff
    runoff[c] = (rain[c] - qtop) * dt + excess[c];
    drainage[c] = out;
  }
}

LANDDA_CLONES void diagnostics_loop(std::size_t n, int L, double dt, const double* __restrict pr,
                                    const double* __restrict sink, const double* __restrict runoff,
                                    const double* __restrict drainage, const double* __restrict balance,
                                    double* __restrict sum_pr, double* __restrict sum_et, double* __restrict sum_runoff,
                                    double* __restrict sum_drainage, double* __restrict max_error) {
  for (std::size_t c = 0; c < n; ++c) {
    sum_pr[c] += pr[c] / 1000.0 * dt;
    sum_runoff[c] += runoff[c];
    sum_drainage[c] += drainage[c];
    max_error[c] = std::max(max_error[c], std::abs(balance[c]));
  }
  for (int l = 0; l < L; ++l)
    for (std::size_t c = 0; c < n; ++c) sum_et[c] += sink[static_cast<std::size_t>(l) * n + c] * dt;
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
  update_loop(n, u.dz, u.dt, u.theta_s, u.theta_dry, u.old, u.delta, u.sink, u.theta, u.storage, u.extracted,
              u.excess);
}

void layer_sink(std::size_t n, const LayerSink& a) {
  sink_loop(n, a.fv, a.bare, a.dz_over_dt, a.pet, a.theta, a.wp, a.inv_stress, a.inv_evap, a.root, a.theta_dry, a.sink);
}

void clapp_hornberger(std::size_t n, const ClappHornbergerLayer& a, double storage, bool single) {
  ch_loop(n, storage, single, a.theta, a.theta_s, a.theta_r, a.inv_range, a.k_s, a.k_mult, a.b, a.psi_s, a.se_min, a.h,
          a.dh, a.k, a.dk);
}

void van_genuchten(std::size_t n, const VanGenuchtenLayer& a, double storage, double cap) {
  vg_loop(n, storage, cap, a.theta, a.theta_s, a.theta_r, a.inv_range, a.k_s, a.k_mult, a.n, a.alpha, a.l, a.se_min,
          a.h_cap, a.kr_cap, a.h, a.dh, a.k, a.dk);
}

void van_genuchten_cap(std::size_t n, double cap, const double* n_vg, const double* alpha, const double* l, double* h_cap,
                       double* kr_cap) {
  vg_cap_loop(n, cap, n_vg, alpha, l, h_cap, kr_cap);
}

void clapp_hornberger_saturation(std::size_t n, double head, double floor, const double* theta_s, const double* theta_r,
                                 const double* psi_s, const double* b, double* se) {
  saturation_loop(n, head, floor, theta_s, theta_r, psi_s, b, se);
}

void surface_water(std::size_t n, const SurfaceWater& a) {
  surface_loop(n, a.dt, a.threshold, a.melt_rate, a.pr, a.tas, a.pet, a.swe, a.supply, a.pet_free);
}

void flux_divergence(std::size_t n, int layers, const double* q, const double* sink, double* r) {
  divergence_loop(n, layers, q, sink, r);
}

void step_totals(std::size_t n, const StepTotals& a) {
  totals_loop(n, a.layers, a.dt, a.rain, a.q, a.dq_up, a.dq_dn, a.delta, a.storage, a.extracted, a.excess,
              a.infiltration, a.runoff, a.drainage, a.balance_error);
}

void accumulate(std::size_t n, const Diagnostics& a) {
  diagnostics_loop(n, a.layers, a.dt, a.pr, a.sink, a.runoff, a.drainage, a.balance_error, a.sum_pr, a.sum_et,
                   a.sum_runoff, a.sum_drainage, a.max_error);
}

}  // namespace landda::models::soil::kernels
