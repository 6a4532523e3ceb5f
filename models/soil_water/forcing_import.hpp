#pragma once
// Turning real forcing downloads into landda forcing files (forcing.hpp).
#include <array>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace landda::models::soil {

// A point forcing series in landda's units, NaN for gaps.
struct ForcingSeries {
  Time start;
  Duration interval{1800};
  std::array<std::vector<double>, 7> values;  // indexed by Met
  double lon = 0, lat = 0;
  std::string site, source;
};

// The Noah/Noah-MP Bondville text forcing (header, a "<Forcing>" line, then
// rows "yyyy mm dd hh mi wind wdir T(K) RH(%) P(hPa) SW LW precip(kg m-2 s-1)").
ForcingSeries read_bondville(const std::string& path);

// HRLDAS's single-point text forcing (NCAR/hrldas single_point examples):
// Fortran namelists (&location: latitude, longitude; &conversion:
// have_relative_humidity, temperature_offset/_scale, pressure_scale,
// precipitation_scale), then rows "yyyy mm dd hh mi wind T humidity P SW LW
// precip" with the namelist's units (specific humidity kg/kg becomes relative
// humidity with Bolton's 1980 saturation pressure). Values that cannot be
// physical are errors naming the line.
ForcingSeries read_hrldas_point(const std::string& path);

// Saturation vapour pressure over water (Pa) at temperature t (K), Bolton (1980).
double saturation_vapour_pressure(double t);
// Relative humidity (%, at most 100) from specific humidity (kg/kg), temperature (K) and pressure (Pa),
double relative_humidity(double q, double t, double p);
// and from the dew point (K) and temperature (K).
double relative_humidity_from_dewpoint(double td, double t);

// Fills the gaps (NaN) of at most `max_gap` values between two values by linear
// interpolation; longer gaps and those at the ends stay. Returns how many were filled.
long long interpolate_gaps(std::vector<double>& x, long long max_gap);

// Fills gaps of at most `max_gap_records` by linear interpolation in time and
// returns how many values were filled per variable; a longer gap is an
// InputError naming the variable and the times.
std::array<long long, 7> fill_gaps(ForcingSeries& s, int max_gap_records, const std::string& origin);

// Writes a landda forcing file (atomically): one point as (time), several
// points on one time axis as (time, cell), in the order of the model's cells.
void write_forcing(const ForcingSeries& s, const std::string& path);
void write_forcing(const std::vector<ForcingSeries>& cells, const std::string& path);

}  // namespace landda::models::soil
