#pragma once
// AmeriFlux / FLUXNET standardized Level-2 site files (CSV; Boden et al.
// 2013, ORNL AmeriFlux data management): a site header ("Location: Latitude:
// ... Longitude: ... Elevation (masl): ..."), then a line of column names, a
// line of units, a line of the percentage of valid data, then rows. Times are
// YEAR, DOY and HRMIN, the end of the averaging period in local standard time
// (the site's UTC offset, which the file does not state, is given); -9999 and
// -6999 are missing.
#include <map>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "models/soil_water/forcing_import.hpp"

namespace landda::models::soil {

struct AmerifluxTable {
  std::string path, site;
  double lat = 0, lon = 0, elevation = 0;
  Duration period{1800};
  std::vector<Time> end;                                  // end of each row's period, UTC
  std::map<std::string, std::vector<double>> columns;     // NaN where missing
  std::map<std::string, std::string> units;
  const std::vector<double>& column(const std::string& name) const;  // throws InputError naming the file
  bool has(const std::string& name) const;                           // present with at least one value
  // Only the periods inside [start, end); throws InputError when none is.
  void keep(Time start, Time end);
};

AmerifluxTable read_ameriflux(const std::string& path, double utc_offset_hours);

// Forcing from PREC (mm a period), TA (deg C), RH (%), PRESS (kPa), WS (m/s),
// Rg and Rgl (W m-2) where present: each row's means over its period become
// the record starting at the period's beginning. pr and tas must be there.
// Radiation a little below zero (a radiometer's night-time offset, down to
// -10 W m-2) is set to zero and counted in `zeroed`; anything implausible else is an error.
ForcingSeries ameriflux_forcing(const AmerifluxTable& t, long long& zeroed);

}  // namespace landda::models::soil
