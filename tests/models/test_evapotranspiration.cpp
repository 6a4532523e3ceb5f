#include <catch2/catch.hpp>
#include <cmath>

#include "core/time.hpp"
#include "models/soil_water/evapotranspiration.hpp"

using namespace landda;
using namespace landda::models::soil;

namespace {
// One cell of forcing; net radiation `rn` (MJ m-2 h-1) delivered through the
// downward longwave so that the FAO-56 example's value is met exactly.
MetStep one_cell(double tc, double rh, double u2, double rn) {
  MetStep m;
  m.resize(1);
  const double tk = tc + 273.15, sigma = 5.670374419e-8;
  m.tas[0] = tk;
  m.hurs[0] = rh;
  m.wind[0] = u2;
  m.ps[0] = 101200.0;  // Pa: gamma = 0.0673 kPa/degC, as in the example
  m.rsds[0] = 0.0;
  m.rlds[0] = (rn / 0.0036 + 0.97 * sigma * tk * tk * tk * tk) / 0.97;
  m.pr[0] = 0.0;
  return m;
}
}  // namespace

TEST_CASE("Hourly Penman-Monteith reproduces FAO-56 example 19", "[models][soil]") {
  // N'Diaye, Senegal, 1 October 14-15 h: T 38 degC, RH 52 %, u2 3.3 m/s,
  // Rn 1.749 MJ m-2 h-1 (G = 0.1 Rn by day): ETo 0.63 mm/h (Allen et al. 1998).
  const MetStep m = one_cell(38.0, 52.0, 3.3, 1.749);
  Eigen::ArrayXd pet, lat = Eigen::ArrayXd::Constant(1, 16.0);
  const EtSettings at_2m{0.23, 2.0};
  potential_et(EtMethod::penman_monteith, m, lat, Time::parse("2015-10-01T14:00:00Z"), at_2m, pet);
  CHECK(pet[0] * 3600.0 * 1000.0 == Approx(0.63).margin(0.01));
  // Priestley-Taylor on the same radiation: 1.26 Delta/(Delta + gamma) (Rn - G)/lambda = 0.68 mm/h.
  potential_et(EtMethod::priestley_taylor, m, lat, Time::parse("2015-10-01T14:00:00Z"), at_2m, pet);
  CHECK(pet[0] * 3600.0 * 1000.0 == Approx(0.681).margin(0.005));
  // At night (net radiation negative) potential ET is not negative.
  potential_et(EtMethod::priestley_taylor, one_cell(20.0, 90.0, 1.0, -0.1), lat, Time::parse("2015-10-01T02:00:00Z"),
               at_2m, pet);
  CHECK(pet[0] == 0.0);
}

TEST_CASE("Hargreaves uses FAO-56's extraterrestrial radiation (example 8)", "[models][soil]") {
  // 20 degS on 3 September: Ra = 32.2 MJ m-2 day-1; with Tmax 30 and Tmin 18 degC,
  // ET0 = 0.0023 x 0.408 Ra (Tmean + 17.8) sqrt(Tmax - Tmin) = 4.37 mm/day.
  MetStep m;
  m.resize(2);
  m.tmin.setConstant(18.0 + 273.15);
  m.tmax.setConstant(30.0 + 273.15);
  m.tas.setConstant(24.0 + 273.15);
  Eigen::ArrayXd pet, lat(2);
  lat << -20.0, 20.0;
  potential_et(EtMethod::hargreaves, m, lat, Time::parse("2015-09-03T12:00:00Z"), EtSettings{}, pet);
  const double ra = 32.2;
  CHECK(pet[0] * 86400.0 * 1000.0 == Approx(0.0023 * 0.408 * ra * 41.8 * std::sqrt(12.0)).epsilon(0.005));
  // In the northern hemisphere's late summer the days are longer: more radiation.
  CHECK(pet[1] > pet[0]);
}
