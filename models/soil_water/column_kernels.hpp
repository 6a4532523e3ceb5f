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

}  // namespace landda::models::soil::kernels
