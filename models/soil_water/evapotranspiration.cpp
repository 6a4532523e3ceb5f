#include "models/soil_water/evapotranspiration.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/error.hpp"
#include "models/soil_water/fast_math.hpp"

namespace landda::models::soil {
namespace {

using Eigen::ArrayXd;
constexpr double kSigma = 5.670374419e-8;  // Stefan-Boltzmann, W m-2 K-4
constexpr double kLambda = 2.45;           // latent heat, MJ/kg (FAO-56)
constexpr double kEmissivity = 0.97;

// Saturation vapour pressure (kPa) and its slope (kPa/degC), FAO-56 eqs. 11 and 13.
double esat(double tc) { return 0.6108 * fast::exp(17.27 * tc / (tc + 237.3)); }

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
  // One pass per cell into `pet`, no temporary arrays: this runs every step
  // for every block of cells when the forcing varies in space.
  const Eigen::Index n = m.tas.size();
  pet.resize(n);
  if (method == EtMethod::hargreaves) {
    const double J = t.day_of_year();
    const double dr = 1.0 + 0.033 * std::cos(2.0 * std::numbers::pi * J / 365.0);
    const double decl = 0.409 * std::sin(2.0 * std::numbers::pi * J / 365.0 - 1.39);
    for (Eigen::Index c = 0; c < n; ++c) {
      const double phi = lat_deg[c] * (std::numbers::pi / 180.0);
      const double ws = std::acos(std::clamp(-std::tan(phi) * std::tan(decl), -1.0, 1.0));
      const double ra = 24.0 * 60.0 / std::numbers::pi * 0.0820 * dr *
                        (ws * std::sin(phi) * std::sin(decl) + std::cos(phi) * std::cos(decl) * std::sin(ws));  // MJ m-2 day-1
      const double tmin = m.tmin[c], tmax = m.tmax[c], tmean = 0.5 * (tmin + tmax) - 273.15;
      const double mm_day = 0.0023 * 0.408 * ra * std::max(tmean + 17.8, 0.0) * std::sqrt(std::max(tmax - tmin, 0.0));
      pet[c] = std::max(mm_day / 1000.0 / 86400.0, 0.0);
    }
    return;
  }
  const bool pm = method == EtMethod::penman_monteith, has_rh = m.hurs.size() > 0, has_ps = m.ps.size() > 0;
  const bool has_rlds = m.rlds.size() > 0;
  const double zf = 4.87 / std::log(67.8 * s.wind_height_m - 5.42);  // FAO-56 eq. 47
  for (Eigen::Index c = 0; c < n; ++c) {
    const double tk = m.tas[c], tc = tk - 273.15;
    const double es = esat(tc), rh = has_rh ? std::clamp(m.hurs[c], 0.0, 100.0) : 70.0, ea = es * rh / 100.0;
    const double delta = 4098.0 * es / ((tc + 237.3) * (tc + 237.3));
    const double gamma = 0.000665 * (has_ps ? m.ps[c] / 1000.0 : 101.3);
    // Net radiation (W m-2): shortwave absorbed plus net longwave; without
    // downward longwave, FAO-56 eq. 39 with Rs/Rso taken as 0.7.
    const double t4 = (tk * tk) * (tk * tk);
    const double net_w = has_rlds ? (1.0 - s.albedo) * m.rsds[c] + kEmissivity * m.rlds[c] - kEmissivity * kSigma * t4
                                  : (1.0 - s.albedo) * m.rsds[c] -
                                        kSigma * t4 * (0.34 - 0.14 * std::sqrt(std::max(ea, 0.0))) * (1.35 * 0.7 - 0.35);
    const double rn = net_w * 0.0036;  // MJ m-2 h-1
    const double g = rn > 0.0 ? 0.1 * rn : 0.5 * rn;
    double mm_h;
    if (!pm) {
      mm_h = 1.26 * delta / (delta + gamma) * (rn - g) / kLambda;
    } else {
      const double u2 = m.wind[c] * zf;
      mm_h = (0.408 * delta * (rn - g) + gamma * (37.0 / tk) * u2 * (es - ea)) / (delta + gamma * (1.0 + 0.34 * u2));
    }
    pet[c] = std::max(mm_h / 1000.0 / 3600.0, 0.0);
  }
}

}  // namespace landda::models::soil
