#include "models/soil_water/forcing_import.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "io/netcdf.hpp"
#include "models/soil_water/forcing.hpp"

namespace landda::models::soil {

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
    const Time time = Time::from_civil(y, mo, d, h, mi);
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

std::array<long long, 7> fill_gaps(ForcingSeries& s, int max_gap, const std::string& origin) {
  std::array<long long, 7> filled{};
  for (int v = 0; v < 7; ++v) {
    auto& x = s.values[v];
    const auto n = static_cast<long long>(x.size());
    for (long long k = 0; k < n;) {
      if (std::isfinite(x[k])) {
        ++k;
        continue;
      }
      long long e = k;
      while (e < n && !std::isfinite(x[e])) ++e;
      const Time t0 = s.start + Duration{s.interval.seconds * k}, t1 = s.start + Duration{s.interval.seconds * (e - 1)};
      if (k == 0 || e == n || e - k > max_gap)
        throw InputError(cat(origin, ": ", met_name(static_cast<Met>(v)), " is missing from ", t0.iso(), " to ", t1.iso(),
                             " (", e - k, " records); gaps longer than ", max_gap,
                             " records, or at the ends, are not filled (--max-gap)"));
      for (long long j = k; j < e; ++j) {
        const double w = static_cast<double>(j - k + 1) / static_cast<double>(e - k + 1);
        x[j] = (1.0 - w) * x[k - 1] + w * x[e];
      }
      filled[v] += e - k;
      k = e;
    }
  }
  return filled;
}

void write_forcing(const ForcingSeries& s, const std::string& path) {
  const std::size_t n = s.values[0].size();
  auto nc = io::NcFile::create(path);
  nc.def_dim("time", n);
  nc.put_att("", "Conventions", "CF-1.8");
  nc.put_att("", "featureType", "timeSeries");
  nc.put_att("", "title", "landda forcing: " + s.site);
  nc.put_att("", "source", s.source);
  nc.put_att("", "landda_record_convention", "each record is the mean over [time, time + interval)");
  nc.put_att("", "latitude", s.lat);
  nc.put_att("", "longitude", s.lon);
  nc.def_var({"time", io::NcType::f64, {"time"}});
  nc.put_att("time", "standard_name", "time");
  const CfTimeUnits cf{1.0, s.start};
  nc.put_att("time", "units", cf.str());
  nc.put_att("time", "calendar", "proleptic_gregorian");
  const char* standard[] = {"precipitation_flux", "air_temperature", "surface_downwelling_shortwave_flux_in_air",
                            "surface_downwelling_longwave_flux_in_air", "relative_humidity", "wind_speed",
                            "surface_air_pressure"};
  const char* units[] = {"kg m-2 s-1", "K", "W m-2", "W m-2", "%", "m s-1", "Pa"};
  for (int v = 0; v < 7; ++v) {
    if (s.values[v].empty()) continue;
    const char* name = met_name(static_cast<Met>(v));
    nc.def_var({name, io::NcType::f64, {"time"}, {std::min<std::size_t>(n, 8760)}, 4, -9999.0});
    nc.put_att(name, "standard_name", standard[v]);
    nc.put_att(name, "units", units[v]);
  }
  nc.end_def();
  std::vector<double> t(n);
  for (std::size_t k = 0; k < n; ++k) t[k] = static_cast<double>(s.interval.seconds) * static_cast<double>(k);
  nc.put("time", t.data());
  for (int v = 0; v < 7; ++v) {
    if (s.values[v].empty()) continue;
    std::vector<double> x = s.values[v];
    for (double& e : x)
      if (!std::isfinite(e)) e = -9999.0;
    nc.put(met_name(static_cast<Met>(v)), x.data());
  }
  nc.commit();
}

}  // namespace landda::models::soil
