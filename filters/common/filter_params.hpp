#pragma once
// Keys shared by every filter: ensemble size and inflation.
#include "config/params.hpp"

namespace landda::filters {

struct InflationParams {
  // Multiplies the forecast anomalies (so the variance by factor^2) before the analysis.
  double factor = 1.0;
  // When the factor is applied: to the forecast (prior) or to the analysis (posterior, as DART allows).
  std::string apply = "prior";
  double prior_factor() const { return apply == "prior" ? factor : 1.0; }
  double posterior_factor() const { return apply == "posterior" ? factor : 1.0; }
  // Relaxation to prior spread (Whitaker & Hamill 2012): 0 = off, 1 = restore the prior spread.
  double rtps = 0.0;
  // Adaptive inflation: none, or enkf_n (finite-size EnKF-N, Bocquet 2011; no tuning).
  std::string adaptive = "none";
  // Weight of the EnKF-N hyperprior (1: Bocquet 2011; 2 for deterministic chaotic models).
  double enkf_n_strength = 1.0;
  void visit(config::Visitor& v);
};

struct CommonParams {
  int members = 20;
  InflationParams inflation;
  void visit(config::Visitor& v);
};

struct LocalizationParams {
  // Distance at which the Gaspari-Cohn weight reaches zero (= 2c in Gaspari & Cohn 1999).
  double radius = 0.0;
  std::string function = "gaspari_cohn";
  // Compute local weights every `weight_stride` cells of a structured grid and
  // interpolate between them (Yang, Kalnay, Hunt & Bowler 2009); 1: every cell.
  int weight_stride = 1;
  void visit(config::Visitor& v);
};

}  // namespace landda::filters
