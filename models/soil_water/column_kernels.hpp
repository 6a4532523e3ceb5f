#pragma once
// Loops of the soil-column solver written over plain arrays so that the
// compiler vectorises them, each compiled for the CPU's vector width
// (core/simd.hpp): the members x cells kernel of every experiment.
#include <cstddef>

namespace landda::models::soil::kernels {

// Clapp & Hornberger (1978) head h = -psi_s x^-b and conductivity
// K = K_s k_mult x^(2b+3), x = (theta - theta_r)/(theta_s - theta_r) clamped
// to [se_min, 1], with their derivatives in theta; above theta_s the head
// grows by 1 m per `storage` of water content (see hydraulics.cpp). `single`:
// the power x^-b in single precision (relative error about 1e-6 for the
// steepest soils), for the linearized scheme, which takes one Newton step and
// needs no residual converged to round-off; the Newton scheme needs double.
struct ClappHornbergerLayer {
  const double *theta, *theta_s, *theta_r, *inv_range, *k_s, *k_mult, *b, *psi_s, *se_min;
  double *h, *dh, *k, *dk;
};
void clapp_hornberger(std::size_t n, const ClappHornbergerLayer& a, double storage, bool single = false);

// van Genuchten (1980) head and Mualem (1976) conductivity with their
// derivatives in theta, Se = (theta - theta_r)/(theta_s - theta_r) clamped to
// [se_min, cap]; from Se = cap to 1 both are continued linearly to their
// saturated values (the head's slope is infinite at saturation for n < 2),
// and above theta_s the head grows by 1 m per `storage` (see hydraulics.cpp).
// h_cap, kr_cap: the head and relative conductivity at the cap (van_genuchten_cap).
struct VanGenuchtenLayer {
  const double *theta, *theta_s, *theta_r, *inv_range, *k_s, *k_mult, *n, *alpha, *l, *se_min, *h_cap, *kr_cap;
  double *h, *dh, *k, *dk;
};
void van_genuchten(std::size_t n, const VanGenuchtenLayer& a, double storage, double cap);
void van_genuchten_cap(std::size_t n, double cap, const double* n_vg, const double* alpha, const double* l, double* h_cap,
                       double* kr_cap);

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

// One layer of the linearized update: theta = old + delta, not below air-dry
// (the shortfall is taken off the layer's extraction `sink`, m/s, which is
// updated), the part above theta_s taken off as excess; accumulates the storage
// change (before the excess), the water extracted and the excess (all m).
struct LayerUpdate {
  double dz, dt;
  const double *theta_s, *theta_dry, *old, *delta;
  double *sink, *theta, *storage, *extracted, *excess;
};
void update_layer(std::size_t n, const LayerUpdate& u);

// Root water uptake of one layer, fv pet root stress (Feddes et al. 1978:
// stress linear from the wilting point wp to field capacity, over 1/inv_stress),
// plus for the top layer bare-soil evaporation (1 - fv) pet, linear from wp/2
// to field capacity (over 1/inv_evap), limited by half the water above air-dry
// per step.
struct LayerSink {
  double fv, bare, dz_over_dt;
  const double *pet, *theta, *wp, *inv_stress, *inv_evap, *root, *theta_dry;
  double* sink;
};
void layer_sink(std::size_t n, const LayerSink& a);

// Effective saturation of Clapp-Hornberger soils at head `head` (< 0), not
// below `floor`: theta_s (head/-psi_s)^(-1/b) relative to [theta_r, theta_s].
void clapp_hornberger_saturation(std::size_t n, double head, double floor, const double* theta_s, const double* theta_r,
                                 const double* psi_s, const double* b, double* se);

// Snow and the water reaching the soil over one step, per cell: precipitation
// (kg m-2 s-1) falls as snow below `threshold` (K) into the store swe (m),
// which melts by `melt_rate` (m s-1 K-1) above it; supply (m s-1) is rain plus
// melt; pet_free is the potential ET where no snow lies (none through a snowpack).
struct SurfaceWater {
  double dt, threshold, melt_rate;
  const double *pr, *tas, *pet;
  double *swe, *supply, *pet_free;
};
void surface_water(std::size_t n, const SurfaceWater& a);

// Residual of the linearized step at the old state: r = q_out - q_in + sink per layer.
void flux_divergence(std::size_t n, int layers, const double* q, const double* sink, double* r);

// The fluxes of a linearized step, at the new state to first order (q +
// dq_up delta_above + dq_dn delta_below), in m over the step; infiltration
// and runoff account for the excess above saturation; the balance error is
// storage change - (infiltration - drainage - extracted) before the excess.
struct StepTotals {
  int layers;
  double dt;
  const double *rain, *q, *dq_up, *dq_dn, *delta, *storage, *extracted, *excess;
  double *infiltration, *runoff, *drainage, *balance_error;
};
void step_totals(std::size_t n, const StepTotals& a);

// Running diagnostics per cell: precipitation and ET (m, summed over layers'
// sinks), runoff and drainage (m), and the largest balance error.
struct Diagnostics {
  int layers;
  double dt;
  const double *pr, *sink, *runoff, *drainage, *balance_error;
  double *sum_pr, *sum_et, *sum_runoff, *sum_drainage, *max_error;
};
void accumulate(std::size_t n, const Diagnostics& a);

}  // namespace landda::models::soil::kernels
