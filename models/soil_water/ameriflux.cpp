#include "models/soil_water/ameriflux.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "models/soil_water/forcing.hpp"

namespace landda::models::soil {
namespace {

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  for (std::string item; std::getline(ss, item, ',');) {
    const auto a = item.find_first_not_of(" \t\r"), b = item.find_last_not_of(" \t\r");
    out.push_back(a == std::string::npos ? "" : item.substr(a, b - a + 1));
  }
  return out;
}

double number(const std::string& text, const std::string& where) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty()) throw InputError(cat(where, ": '", text, "' is not a number"));
  return v;
}

// Pyranometers read a few W m-2 below zero at night (thermal offset): down to
// this much below zero a radiation value is zero, counted; further is an error.
constexpr double kRadiationOffset = 10.0;

}  // namespace

const std::vector<double>& AmerifluxTable::column(const std::string& name) const {
  const auto it = columns.find(name);
  if (it == columns.end()) throw InputError(cat(path, ": no column '", name, "'"));
  return it->second;
}

bool AmerifluxTable::has(const std::string& name) const {
  const auto it = columns.find(name);
  if (it == columns.end()) return false;
  for (double x : it->second)
    if (std::isfinite(x)) return true;
  return false;
}

void AmerifluxTable::keep(Time start, Time end) {
  std::size_t a = 0, b = this->end.size();
  while (a < b && this->end[a] - period < start) ++a;
  while (b > a && this->end[b - 1] > end) --b;
  if (a == b) throw InputError(cat(path, ": no period lies in [", start.iso(), ", ", end.iso(), ")"));
  this->end = std::vector<Time>(this->end.begin() + static_cast<std::ptrdiff_t>(a), this->end.begin() + static_cast<std::ptrdiff_t>(b));
  for (auto& [name, v] : columns) v = std::vector<double>(v.begin() + static_cast<std::ptrdiff_t>(a), v.begin() + static_cast<std::ptrdiff_t>(b));
}

AmerifluxTable read_ameriflux(const std::string& path, double utc_offset_hours) {
  if (!(std::fabs(utc_offset_hours) <= 14)) throw ConfigError(cat("--utc-offset must lie in [-14, 14] hours"));
  std::ifstream in(path);
  if (!in) throw InputError(cat(path, ": cannot open the AmeriFlux file"));
  AmerifluxTable t;
  t.path = path;
  std::string line;
  long long n = 0;
  bool located = false;
  while (std::getline(in, line)) {
    ++n;
    if (line.rfind("Sitename:", 0) == 0) t.site = split_csv(line.substr(9)).front();
    if (line.rfind("Location:", 0) == 0) {
      located = std::sscanf(line.c_str(), "Location: Latitude: %lf Longitude: %lf Elevation (masl): %lf", &t.lat, &t.lon,
                            &t.elevation) >= 2;
      if (!located || std::fabs(t.lat) > 90 || std::fabs(t.lon) > 180)
        throw InputError(cat(path, ":", n, ": expected 'Location: Latitude: <deg> Longitude: <deg> ...', got '", line, "'"));
    }
    if (line.rfind("YEAR,", 0) == 0) break;
  }
  if (!located) throw InputError(cat(path, ": no 'Location: Latitude: ... Longitude: ...' line in the header"));
  const auto names = split_csv(line);
  std::string units_line, valid_line;
  if (names.size() < 6 || names[3] != "DOY" || names[4] != "HRMIN" || !std::getline(in, units_line) || !std::getline(in, valid_line))
    throw InputError(cat(path, ":", n, ": expected the column names 'YEAR, GAP, DTIME, DOY, HRMIN, ...', then units and % valid lines"));
  const auto units = split_csv(units_line);
  for (std::size_t c = 0; c < names.size(); ++c) t.units[names[c]] = c < units.size() ? units[c] : "";
  n += 2;
  const Duration offset{static_cast<std::int64_t>(std::llround(utc_offset_hours * 3600))};
  while (std::getline(in, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto cells = split_csv(line);
    const std::string where = cat(path, ":", n);
    if (cells.size() != names.size()) throw InputError(cat(where, ": ", cells.size(), " values for ", names.size(), " columns"));
    const int year = static_cast<int>(number(cells[0], where)), doy = static_cast<int>(number(cells[3], where));
    const int hrmin = static_cast<int>(number(cells[4], where));
    if (doy < 1 || doy > 366 || hrmin < 0 || hrmin > 2400 || hrmin % 100 >= 60)
      throw InputError(cat(where, ": DOY ", doy, " HRMIN ", hrmin, " is not a time of day"));
    // HRMIN ends the period in local standard time; UTC = local - offset.
    const Time end = Time::from_civil(year, 1, 1) + Duration{(doy - 1) * 86400LL + (hrmin / 100) * 3600LL + (hrmin % 100) * 60LL} - offset;
    if (!t.end.empty() && end - t.end.back() != t.period)
      throw InputError(cat(where, ": ", end.iso(), " does not follow ", t.end.back().iso(), " by ", t.period.iso(),
                           " (rows must be consecutive half hours)"));
    t.end.push_back(end);
    for (std::size_t c = 5; c < names.size(); ++c) {
      const double v = number(cells[c], where);
      t.columns[names[c]].push_back(v == -9999 || v == -6999 ? std::nan("") : v);
    }
  }
  if (t.end.empty()) throw InputError(cat(path, ": no data rows"));
  return t;
}

ForcingSeries ameriflux_forcing(const AmerifluxTable& t, long long& zeroed) {
  zeroed = 0;
  struct Source {
    Met met;
    const char* column;
    const char* units;
    double scale, offset;
  };
  const double per_second = 1.0 / static_cast<double>(t.period.seconds);
  const Source sources[] = {{Met::pr, "PREC", "mm", per_second, 0},   {Met::tas, "TA", "deg C", 1, 273.15},
                            {Met::rsds, "Rg", "W/m2", 1, 0},          {Met::rlds, "Rgl", "W/m2", 1, 0},
                            {Met::hurs, "RH", "%", 1, 0},             {Met::sfcWind, "WS", "m/s", 1, 0},
                            {Met::ps, "PRESS", "kPa", 1000, 0}};
  ForcingSeries s;
  s.start = t.end.front() - t.period;
  s.interval = t.period;
  s.lat = t.lat, s.lon = t.lon;
  s.site = t.site;
  s.source = "AmeriFlux: " + t.path;
  for (const auto& src : sources) {
    if (!t.has(src.column)) {
      if (src.met == Met::pr || src.met == Met::tas)
        throw InputError(cat(t.path, ": column ", src.column, " (", met_name(src.met), ") has no value; the model needs it"));
      continue;
    }
    if (t.units.at(src.column) != src.units)
      throw InputError(cat(t.path, ": column ", src.column, " has units '", t.units.at(src.column), "'; expected '", src.units, "'"));
    auto& out = s.values[static_cast<int>(src.met)];
    const auto range = plausible_range(src.met);
    const auto& column = t.column(src.column);
    for (std::size_t k = 0; k < column.size(); ++k) {
      double v = column[k] * src.scale + src.offset;
      if ((src.met == Met::rsds || src.met == Met::rlds) && v < 0 && v >= -kRadiationOffset) {
        v = 0.0;  // a radiometer's night-time offset, not radiation
        ++zeroed;
      }
      if (std::isfinite(v) && !(v >= range.lo && v <= range.hi))
        throw InputError(cat(t.path, ": ", src.column, " = ", column[k], " ", src.units, " in the period ending ", t.end[k].iso(),
                             " is outside the plausible range of ", met_name(src.met), " [", range.lo, ", ", range.hi, "] ",
                             plausible_units(src.met)));
      out.push_back(v);
    }
  }
  return s;
}

}  // namespace landda::models::soil
