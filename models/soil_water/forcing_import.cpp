#include "models/soil_water/forcing_import.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "io/netcdf.hpp"
#include "models/soil_water/forcing.hpp"

namespace landda::models::soil {

namespace {

// A row's time: the first sets the start, the second the interval, the rest must keep it.
void next_row(ForcingSeries& s, Time time, Time& prev, const std::string& path, int lineno) {
  if (s.values[0].empty()) {
    s.start = time;
  } else {
    const Duration step = time - prev;
    if (s.values[0].size() == 1) s.interval = step;
    if (step.seconds <= 0)
      throw InputError(cat(path, ":", lineno, ": time ", time.iso(), " is not after the previous row (", prev.iso(), ")"));
    if (step != s.interval)
      throw InputError(cat(path, ":", lineno, ": time ", time.iso(), " breaks the ", s.interval.iso(), " interval"));
  }
  prev = time;
}

}  // namespace

ForcingSeries read_bondville(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(cat(path, ": cannot open the Bondville forcing file"));
  ForcingSeries s;
  s.site = "Bondville, IL (US-Bo1)";
  s.source = "Noah-MP test forcing (NOAA-OWP/noah-owp-modular data/bondville.dat)";
  s.lat = 40.01;
  s.lon = -88.37;
  std::string line;
  int lineno = 0;
  bool in_data = false;
  Time prev{};
  const double nan = std::nan("");
  while (std::getline(in, line)) {
    ++lineno;
    if (!in_data) {
      std::string lower = line;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower.find("<forcing>") != std::string::npos) in_data = true;
      continue;
    }
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::istringstream ls(line);
    int y, mo, d, h, mi;
    double ws, wd, t, rh, p, sw, lw, pr;
    if (!(ls >> y >> mo >> d >> h >> mi >> ws >> wd >> t >> rh >> p >> sw >> lw >> pr))
      throw InputError(cat(path, ":", lineno, ": expected 13 numbers (yyyy mm dd hh mi wind wdir T RH P SW LW precip)"));
    next_row(s, Time::from_civil(y, mo, d, h, mi), prev, path, lineno);
    const auto flag = [&](double v) { return v <= -6999.0 ? nan : v; };  // the file's missing-value flag
    s.values[static_cast<int>(Met::pr)].push_back(flag(pr));
    s.values[static_cast<int>(Met::tas)].push_back(flag(t));
    s.values[static_cast<int>(Met::rsds)].push_back(flag(sw));
    s.values[static_cast<int>(Met::rlds)].push_back(flag(lw));
    s.values[static_cast<int>(Met::hurs)].push_back(flag(rh));
    s.values[static_cast<int>(Met::sfcWind)].push_back(flag(ws));
    s.values[static_cast<int>(Met::ps)].push_back(flag(p) * 100.0);  // hPa -> Pa
  }
  if (!in_data) throw InputError(cat(path, ": no '<Forcing>' line: not a Noah Bondville forcing file"));
  if (s.values[0].size() < 2) throw InputError(cat(path, ": fewer than two forcing rows"));
  return s;
}

namespace {

// The value of `key = value` in a namelist line (Fortran logicals as 1/0), or false.
bool namelist_value(const std::string& line, const std::string& key, double& value) {
  std::istringstream ls(line);
  std::string k, eq, v;
  if (!(ls >> k >> eq >> v) || k != key || eq != "=") return false;
  if (!v.empty() && v.back() == ',') v.pop_back();
  if (v == ".true." || v == ".TRUE.") value = 1;
  else if (v == ".false." || v == ".FALSE.") value = 0;
  else value = std::stod(v);
  return true;
}

}  // namespace

double saturation_vapour_pressure(double t) { return 611.2 * std::exp(17.67 * (t - 273.15) / (t - 29.65)); }

double relative_humidity(double q, double t, double p) {
  const double e = q * p / (0.622 + 0.378 * q);
  return std::min(100.0, 100.0 * e / saturation_vapour_pressure(t));
}

double relative_humidity_from_dewpoint(double td, double t) {
  return std::min(100.0, 100.0 * saturation_vapour_pressure(td) / saturation_vapour_pressure(t));
}

ForcingSeries read_hrldas_point(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(cat(path, ": cannot open the HRLDAS forcing file"));
  ForcingSeries s;
  s.source = "HRLDAS single-point forcing (" + path + ")";
  double rh_given = 0, t_offset = 0, t_scale = 1, p_scale = 100, pr_scale = 1, lat = std::nan(""), lon = std::nan("");
  std::string line;
  int lineno = 0;
  Time prev{};
  while (std::getline(in, line)) {
    ++lineno;
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    if (!std::isdigit(static_cast<unsigned char>(line[first])) || line.find('=') != std::string::npos) {
      for (auto [key, at] : {std::pair{"latitude", &lat}, {"longitude", &lon}, {"have_relative_humidity", &rh_given},
                             {"temperature_offset", &t_offset}, {"temperature_scale", &t_scale},
                             {"pressure_scale", &p_scale}, {"precipitation_scale", &pr_scale}})
        try {
          namelist_value(line, key, *at);
        } catch (const std::exception&) {
          throw InputError(cat(path, ":", lineno, ": ", key, ": expected a number"));
        }
      continue;
    }
    std::istringstream ls(line);
    int y, mo, d, h, mi;
    double ws, t, hum, p, sw, lw, pr;
    if (!(ls >> y >> mo >> d >> h >> mi >> ws >> t >> hum >> p >> sw >> lw >> pr))
      throw InputError(cat(path, ":", lineno, ": expected 12 numbers (yyyy mm dd hh mi wind T humidity P SW LW precip)"));
    next_row(s, Time::from_civil(y, mo, d, h, mi), prev, path, lineno);
    t = t * t_scale + t_offset;
    p *= p_scale;
    pr *= pr_scale;  // per second: kg m-2 s-1
    const double rh = rh_given > 0 ? hum : relative_humidity(hum, t, p);
    const auto bad = [&](const char* what, double v, const char* allowed) {
      throw InputError(cat(path, ":", lineno, ": ", what, " ", v, " cannot be physical (", allowed, ")"));
    };
    if (!(t > 150 && t < 350)) bad("air temperature", t, "150-350 K after the file's conversion");
    if (!(p > 30000 && p < 110000)) bad("pressure", p, "30,000-110,000 Pa after pressure_scale");
    if (!(hum >= 0 && (rh_given > 0 ? hum <= 105 : hum < 0.1))) bad("humidity", hum, rh_given > 0 ? "0-105 %" : "0-0.1 kg/kg");
    if (!(ws >= 0 && ws < 100)) bad("wind speed", ws, "0-100 m/s");
    if (!(sw >= 0 && sw < 1500)) bad("shortwave", sw, "0-1500 W m-2");
    if (!(lw > 0 && lw < 1000)) bad("longwave", lw, "0-1000 W m-2");
    if (!(pr >= 0 && pr < 0.2)) bad("precipitation", pr, "0-0.2 kg m-2 s-1 after precipitation_scale");
    s.values[static_cast<int>(Met::pr)].push_back(pr);
    s.values[static_cast<int>(Met::tas)].push_back(t);
    s.values[static_cast<int>(Met::rsds)].push_back(sw);
    s.values[static_cast<int>(Met::rlds)].push_back(lw);
    s.values[static_cast<int>(Met::hurs)].push_back(rh);
    s.values[static_cast<int>(Met::sfcWind)].push_back(ws);
    s.values[static_cast<int>(Met::ps)].push_back(p);
  }
  if (s.values[0].size() < 2) throw InputError(cat(path, ": fewer than two forcing rows (not an HRLDAS single-point forcing file?)"));
  if (!std::isfinite(lat) || !std::isfinite(lon) || std::abs(lat) > 90 || std::abs(lon) > 360)
    throw InputError(cat(path, ": no valid latitude and longitude in its &location namelist"));
  s.lat = lat;
  s.lon = lon;
  s.site = cat("HRLDAS point (", lat, " N, ", lon, " E)");
  return s;
}

long long interpolate_gaps(std::vector<double>& x, long long max_gap) {
  long long filled = 0;
  const auto n = static_cast<long long>(x.size());
  for (long long k = 0; k < n;) {
    if (std::isfinite(x[k])) {
      ++k;
      continue;
    }
    long long e = k;
    while (e < n && !std::isfinite(x[e])) ++e;
    if (k > 0 && e < n && e - k <= max_gap) {
      for (long long j = k; j < e; ++j) {
        const double w = static_cast<double>(j - k + 1) / static_cast<double>(e - k + 1);
        x[j] = (1.0 - w) * x[k - 1] + w * x[e];
      }
      filled += e - k;
    }
    k = e;
  }
  return filled;
}

std::array<long long, 7> fill_gaps(ForcingSeries& s, int max_gap, const std::string& origin) {
  std::array<long long, 7> filled{};
  for (int v = 0; v < 7; ++v) {
    auto& x = s.values[v];
    filled[v] = interpolate_gaps(x, max_gap);
    // The first gap left: too long, or at an end.
    const auto n = static_cast<long long>(x.size());
    long long k = 0;
    while (k < n && std::isfinite(x[k])) ++k;
    if (k == n) continue;
    long long e = k;
    while (e < n && !std::isfinite(x[e])) ++e;
    const Time t0 = s.start + Duration{s.interval.seconds * k}, t1 = s.start + Duration{s.interval.seconds * (e - 1)};
    throw InputError(cat(origin, ": ", met_name(static_cast<Met>(v)), " is missing from ", t0.iso(), " to ", t1.iso(), " (",
                         e - k, " records); gaps longer than ", max_gap, " records, or at the ends, are not filled (--max-gap)"));
  }
  return filled;
}

void write_forcing(const ForcingSeries& s, const std::string& path) { write_forcing(std::vector<ForcingSeries>{s}, path); }

void write_forcing(const std::vector<ForcingSeries>& cells, const std::string& path) {
  if (cells.empty()) throw Error(cat(path, ": a forcing file needs at least one point"));
  const ForcingSeries& s = cells.front();
  std::size_t n = 0;  // records: every variable written has them all
  for (const auto& v : s.values) n = std::max(n, v.size());
  const std::size_t m = cells.size();
  for (const auto& c : cells)
    if (c.start != s.start || c.interval != s.interval)
      throw Error(cat(path, ": the points of a forcing file share one time axis (", c.site, " does not)"));
  const bool points = m > 1;  // one point: dimensions (time); several: (time, cell) with each cell's place
  auto nc = io::NcFile::create(path);
  nc.def_dim("time", n);
  if (points) nc.def_dim("cell", m);
  nc.put_att("", "Conventions", "CF-1.8");
  nc.put_att("", "featureType", "timeSeries");
  nc.put_att("", "title", points ? cat("landda forcing: ", m, " points") : "landda forcing: " + s.site);
  const bool stations = s.source.rfind("ISMN stations", 0) == 0;
  nc.put_att("", "source", points && stations ? "landda station set (stations.csv beside this file says where each value came from)"
                                              : s.source);
  nc.put_att("", "landda_record_convention", "each record is the mean over [time, time + interval)");
  if (!points) {
    nc.put_att("", "latitude", s.lat);
    nc.put_att("", "longitude", s.lon);
  }
  nc.def_var({"time", io::NcType::f64, {"time"}});
  nc.put_att("time", "standard_name", "time");
  const CfTimeUnits cf{1.0, s.start};
  nc.put_att("time", "units", cf.str());
  nc.put_att("time", "calendar", "proleptic_gregorian");
  if (points) {
    nc.def_var({"lat", io::NcType::f64, {"cell"}});
    nc.put_att("lat", "standard_name", "latitude");
    nc.put_att("lat", "units", "degrees_north");
    nc.def_var({"lon", io::NcType::f64, {"cell"}});
    nc.put_att("lon", "standard_name", "longitude");
    nc.put_att("lon", "units", "degrees_east");
    std::vector<std::string> names;
    for (const auto& c : cells) names.push_back(c.site);
    nc.def_strings("station_name", "cell", names);
    nc.put_att("station_name", "cf_role", "timeseries_id");
  }
  const char* standard[] = {"precipitation_flux", "air_temperature", "surface_downwelling_shortwave_flux_in_air",
                            "surface_downwelling_longwave_flux_in_air", "relative_humidity", "wind_speed",
                            "surface_air_pressure"};
  const char* units[] = {"kg m-2 s-1", "K", "W m-2", "W m-2", "%", "m s-1", "Pa"};
  const std::vector<std::string> dims = points ? std::vector<std::string>{"time", "cell"} : std::vector<std::string>{"time"};
  const std::vector<std::size_t> chunks = points ? std::vector<std::size_t>{std::min<std::size_t>(n, 8760), m}
                                                 : std::vector<std::size_t>{std::min<std::size_t>(n, 8760)};
  for (int v = 0; v < 7; ++v) {
    if (s.values[v].empty()) continue;
    for (const auto& c : cells)
      if (c.values[v].size() != n)
        throw Error(cat(path, ": ", c.site, " has ", c.values[v].size(), " records of ", met_name(static_cast<Met>(v)), ", not ", n));
    const char* name = met_name(static_cast<Met>(v));
    nc.def_var({name, io::NcType::f64, dims, chunks, 4, -9999.0});
    nc.put_att(name, "standard_name", standard[v]);
    nc.put_att(name, "units", units[v]);
    if (points) nc.put_att(name, "coordinates", "lat lon station_name");
  }
  nc.end_def();
  std::vector<double> t(n);
  for (std::size_t k = 0; k < n; ++k) t[k] = static_cast<double>(s.interval.seconds) * static_cast<double>(k);
  nc.put("time", t.data());
  if (points) {
    std::vector<double> lat, lon;
    std::vector<std::string> names;
    for (const auto& c : cells) lat.push_back(c.lat), lon.push_back(c.lon), names.push_back(c.site);
    nc.put("lat", lat.data());
    nc.put("lon", lon.data());
    nc.put_strings("station_name", names);
  }
  for (int v = 0; v < 7; ++v) {
    if (s.values[v].empty()) continue;
    std::vector<double> x(n * m);
    for (std::size_t c = 0; c < m; ++c) {
      for (std::size_t k = 0; k < n; ++k) {
        const double e = cells[c].values[v][k];
        x[k * m + c] = std::isfinite(e) ? e : -9999.0;
      }
    }
    nc.put(met_name(static_cast<Met>(v)), x.data());
  }
  nc.commit();
}

}  // namespace landda::models::soil
