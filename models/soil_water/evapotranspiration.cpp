#include "models/soil_water/evapotranspiration.hpp"

#include <cmath>
#include <numbers>

#include "core/error.hpp"

namespace landda::models::soil {
namespace {

using Eigen::ArrayXd;
constexpr double kSigma = 5.670374419e-8;  // Stefan-Boltzmann, W m-2 K-4
constexpr double kLambda = 2.45;           // latent heat, MJ/kg (FAO-56)
constexpr double kEmissivity = 0.97;

// Saturation vapour pressure (kPa) and its slope (kPa/degC), FAO-56 eqs. 11 and 13.
ArrayXd esat(const ArrayXd& tc) { return 0.6108 * (17.27 * tc / (tc + 237.3)).exp(); }
ArrayXd slope(const ArrayXd& tc) { return 4098.0 * esat(tc) / (tc + 237.3).square(); }

// Net radiation (W m-2): shortwave absorbed plus net longwave; without
// downward longwave, FAO-56 eq. 39 with Rs/Rso taken as 0.7.
ArrayXd net_radiation(const MetStep& m, const ArrayXd& ea, double albedo) {
  const ArrayXd up = kEmissivity * kSigma * m.tas.pow(4);
  if (m.rlds.size()) return (1.0 - albedo) * m.rsds + kEmissivity * m.rlds - up;
  const ArrayXd rnl = kSigma * m.tas.pow(4) * (0.34 - 0.14 * ea.max(0.0).sqrt()) * (1.35 * 0.7 - 0.35);
  return (1.0 - albedo) * m.rsds - rnl;
}

}  // namespace

void MetStep::resize(Eigen::Index n) {
  for (ArrayXd* a : {&pr, &tas, &rsds, &rlds, &hurs, &wind, &ps, &tmin, &tmax}) a->resize(n);
}

const char* et_method_name(EtMethod m) {
  switch (m) {
    case EtMethod::penman_monteith: return "penman_monteith";
    case EtMethod::priestley_taylor: return "priestley_taylor";
    case EtMethod::hargreaves: return "hargreaves";
  }
  return "?";
}

EtMethod choose_et_method(const std::string& requested, const Forcing& f) {
  const bool pm = f.has(Met::rsds) && f.has(Met::hurs) && f.has(Met::sfcWind) && f.has(Met::ps);
  const bool pt = f.has(Met::rsds);
  if (requested == "auto") return pm ? EtMethod::penman_monteith : pt ? EtMethod::priestley_taylor : EtMethod::hargreaves;
  if (requested == "penman_monteith") {
    if (!pm)
      throw InputError(cat(f.path(), ": Penman-Monteith needs rsds, hurs, sfcWind and ps; the forcing lacks some "
                                     "(use et_method: priestley_taylor, hargreaves or auto)"));
    return EtMethod::penman_monteith;
  }
  if (requested == "priestley_taylor") {
    if (!pt) throw InputError(cat(f.path(), ": Priestley-Taylor needs rsds; the forcing has none (use hargreaves)"));
    return EtMethod::priestley_taylor;
  }
  if (requested == "hargreaves") return EtMethod::hargreaves;
  throw ConfigError(cat("unknown et_method '", requested, "'"));
}

void potential_et(EtMethod method, const MetStep& m, const Eigen::Ref<const ArrayXd>& lat_deg, Time t, const EtSettings& s,
                  ArrayXd& pet) {
  const ArrayXd tc = m.tas - 273.15;
  if (method == EtMethod::hargreaves) {
    const ArrayXd& tmin = m.tmin;
    const ArrayXd& tmax = m.tmax;
    const double J = t.day_of_year();
    const double dr = 1.0 + 0.033 * std::cos(2.0 * std::numbers::pi * J / 365.0);
    const double decl = 0.409 * std::sin(2.0 * std::numbers::pi * J / 365.0 - 1.39);
    const ArrayXd phi = lat_deg * (std::numbers::pi / 180.0);
    const ArrayXd ws = (-(phi.tan()) * std::tan(decl)).max(-1.0).min(1.0).acos();
    const ArrayXd ra = 24.0 * 60.0 / std::numbers::pi * 0.0820 * dr *
                       (ws * phi.sin() * std::sin(decl) + phi.cos() * std::cos(decl) * ws.sin());  // MJ m-2 day-1
    const ArrayXd tmean = 0.5 * (tmin + tmax) - 273.15;
    const ArrayXd mm_day = 0.0023 * 0.408 * ra * (tmean + 17.8).max(0.0) * (tmax - tmin).max(0.0).sqrt();
    pet = (mm_day / 1000.0 / 86400.0).max(0.0);
    return;
  }
  const ArrayXd es = esat(tc);
  const ArrayXd rh = m.hurs.size() ? ArrayXd(m.hurs.min(100.0).max(0.0)) : ArrayXd(ArrayXd::Constant(tc.size(), 70.0));
  const ArrayXd ea = es * rh / 100.0;
  const ArrayXd delta = slope(tc);
  const ArrayXd pkpa = m.ps.size() ? ArrayXd(m.ps / 1000.0) : ArrayXd::Constant(tc.size(), 101.3);
  const ArrayXd gamma = 0.000665 * pkpa;
  const ArrayXd rn = net_radiation(m, ea, s.albedo) * 0.0036;  // MJ m-2 h-1
  const ArrayXd g = (rn > 0.0).select(0.1 * rn, 0.5 * rn);
  ArrayXd mm_h;
  if (method == EtMethod::priestley_taylor) {
    mm_h = 1.26 * delta / (delta + gamma) * (rn - g) / kLambda;
  } else {
    const double zf = 4.87 / std::log(67.8 * s.wind_height_m - 5.42);  // FAO-56 eq. 47
    const ArrayXd u2 = m.wind * zf;
    mm_h = (0.408 * delta * (rn - g) + gamma * (37.0 / (m.tas)) * u2 * (es - ea)) / (delta + gamma * (1.0 + 0.34 * u2));
  }
  pet = (mm_h / 1000.0 / 3600.0).max(0.0);
}

}  // namespace landda::models::soil
