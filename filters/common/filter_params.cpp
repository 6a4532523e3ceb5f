#include "filters/common/filter_params.hpp"

namespace landda::filters {

void InflationParams::visit(config::Visitor& v) {
  v("factor", factor,
    config::doc("multiplicative inflation of the ensemble anomalies (the variance grows by factor^2); see apply").range(1.0, 10.0));
  v("apply", apply,
    config::doc("inflate the forecast before the analysis (prior) or the analysis after it (posterior)")
        .one_of({"prior", "posterior"}));
  v("rtps", rtps,
    config::doc("relaxation to prior spread (Whitaker & Hamill 2012): 0 off, 1 restores the prior spread").range(0.0, 1.0));
  v("adaptive", adaptive,
    config::doc("adaptive inflation: none, or enkf_n (finite-size EnKF-N of Bocquet 2011, needs no tuning; "
                "global ETKF and LETKF)")
        .one_of({"none", "enkf_n"}));
  v("enkf_n_strength", enkf_n_strength,
    config::doc("EnKF-N hyperprior weight xN: 1 is Bocquet's (2011) Jeffreys hyperprior; 2 trusts the ensemble "
                "spread more, which suits deterministic chaotic models (DAPPER's xN)")
        .range(0.1, 100.0));
}

void CommonParams::visit(config::Visitor& v) {
  v("members", members, config::doc("ensemble size N").range(2, 100000));
  v.section("inflation", inflation, config::doc("inflation of the forecast ensemble"));
}

void LocalizationParams::visit(config::Visitor& v) {
  v("radius", radius,
    config::doc("cut-off radius: observations farther than this from a grid cell do not affect it; the taper "
                "reaches zero there (grid units, or km on lon/lat grids)")
        .above(0.0)
        .needed());
  v("function", function,
    config::doc("taper of the observation weight with distance (R-localization, Hunt et al. 2007)")
        .one_of({"gaspari_cohn", "boxcar"}));
  v("weight_stride", weight_stride,
    config::doc("LETKF on lon/lat or Cartesian grids: solve the local analysis every this many cells in x and y "
                "and interpolate the weights bilinearly between them (Yang et al. 2009); 1 solves every cell")
        .range(1, 64));
}

}  // namespace landda::filters
