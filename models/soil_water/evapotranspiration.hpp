#pragma once
// Potential evapotranspiration from the forcing that exists:
//  - Penman-Monteith, FAO-56 hourly reference ET (Allen et al. 1998, eq. 53),
//    when radiation, humidity, wind and pressure are all given;
//  - Priestley & Taylor (1972), alpha = 1.26, from radiation and temperature;
//  - Hargreaves & Samani (1985), from the daily temperature range and the
//    extraterrestrial radiation (FAO-56 eq. 21).
#include <Eigen/Core>
#include <string>

#include "core/time.hpp"
#include "models/soil_water/forcing.hpp"

namespace landda::models::soil {

enum class EtMethod { penman_monteith, priestley_taylor, hargreaves };

// `requested` is auto|penman_monteith|priestley_taylor|hargreaves; auto picks
// the most complete method the forcing allows. Throws InputError if the
// requested method needs variables the file lacks.
EtMethod choose_et_method(const std::string& requested, const Forcing& f);
const char* et_method_name(EtMethod m);

// Forcing of one step for every cell, in the file's units.
struct MetStep {
  Eigen::ArrayXd pr, tas, rsds, rlds, hurs, wind, ps;
  Eigen::ArrayXd tmin, tmax;  // the day's range of tas (Hargreaves only)
  void resize(Eigen::Index n);
};

struct EtSettings {
  double albedo = 0.23;        // FAO-56 reference surface
  double wind_height_m = 10.0; // height of the wind measurement
};

// Potential ET (m/s, >= 0) for every cell of `met` over the step starting at t.
void potential_et(EtMethod method, const MetStep& met, const Eigen::Ref<const Eigen::ArrayXd>& lat_deg, Time t,
                  const EtSettings& s, Eigen::ArrayXd& pet);

}  // namespace landda::models::soil
