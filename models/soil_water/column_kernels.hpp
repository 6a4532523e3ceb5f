#pragma once
// Loops of the soil-column solver written over plain arrays so that the
// compiler vectorises them, each compiled for the baseline x86-64 and for
// AVX2 and AVX-512, picked at load time by the CPU (GCC target_clones), so a
// generic build runs as fast as a -march=native one. Compiled without FMA
// contraction: every version gives bit-identical results.
#include <cstddef>

namespace landda::models::soil::kernels {

// Clapp & Hornberger (1978) head h = -psi_s x^-b and conductivity
// K = K_s k_mult x^(2b+3), x = (theta - theta_r)/(theta_s - theta_r) clamped
// to [se_min, 1], with their derivatives in theta; above theta_s the head
// grows by 1 m per `storage` of water content (see hydraulics.cpp).
struct ClappHornbergerLayer {
  const double *theta, *theta_s, *theta_r, *k_s, *k_mult, *b, *psi_s, *se_min;
  double *h, *dh, *k, *dk;
};
void clapp_hornberger(std::size_t n, const ClappHornbergerLayer& a, double storage);

// The arrays below are layer-major: value (column c, layer l) at [l * n + c].

// Darcy fluxes q at the L + 1 interfaces (downward; q[0..n) the infiltration,
// rain up to the capacity of a ponded surface; the bottom free drainage) and
// their derivatives in the water content above (dq_up) and below (dq_dn).
// dz: layer thicknesses, dzi: node spacings (L - 1).
void interface_fluxes(std::size_t n, int layers, const double* dz, const double* dzi, const double* rain,
                      const double* ks_top, const double* h, const double* dh, const double* k, const double* dk,
                      double* q, double* dq_up, double* dq_dn);

// Solves the tridiagonal Newton system (dz/dt - dq/dtheta) delta = -r of every
// column by the Thomas algorithm; r is replaced by delta. cp: n x L work.
void solve_tridiagonal(std::size_t n, int layers, const double* dz, double dt, const double* dq_up, const double* dq_dn,
                       double* r, double* cp);

// One layer of the linearized update: theta = max(old + delta, air-dry), the
// part above theta_s taken off as excess; accumulates the storage change (before
// the excess), the water extracted and the excess (all m).
struct LayerUpdate {
  double dz, dt;
  const double *theta_s, *theta_r, *se_min, *old, *delta, *sink;
  double *theta, *storage, *extracted, *excess;
};
void update_layer(std::size_t n, const LayerUpdate& u);

// Root water uptake of one layer, fv pet root stress (Feddes et al. 1978:
// stress linear from the wilting point to field capacity), plus for the top
// layer bare-soil evaporation (1 - fv) pet, limited by half the water above
// air-dry per step.
struct LayerSink {
  double fv, bare, dz_over_dt;
  const double *pet, *theta, *wp, *fc, *root, *theta_s, *theta_r, *se_min;
  double* sink;
};
void layer_sink(std::size_t n, const LayerSink& a);

}  // namespace landda::models::soil::kernels
