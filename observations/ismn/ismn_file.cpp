#include "observations/ismn/ismn_file.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "core/error.hpp"

namespace landda::observations {
namespace {

Time parse_stamp(const std::string& date, const std::string& clock, const std::string& path, int line) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  if (std::sscanf(date.c_str(), "%d/%d/%d", &y, &mo, &d) != 3 || std::sscanf(clock.c_str(), "%d:%d", &h, &mi) != 2)
    throw InputError(cat(path, ":", line, ": expected a time 'YYYY/MM/DD HH:MM', got '", date, " ", clock, "'"));
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59)
    throw InputError(cat(path, ":", line, ": time '", date, " ", clock, "' is out of range"));
  const Time t = Time::from_civil(y, mo, d, h, mi);
  char civil[16];
  std::snprintf(civil, sizeof civil, "%04d-%02d-%02d", y, mo, d);
  if (t.iso().compare(0, 10, civil) != 0)  // 2017/02/30 would roll over to March
    throw InputError(cat(path, ":", line, ": date '", date, "' does not exist"));
  return t;
}

double parse_value(const std::string& s, const std::string& path, int line) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0') throw InputError(cat(path, ":", line, ": value '", s, "' is not a number"));
  return v;
}

// The station fields that follow the CSE column at `cse`: network, station,
// latitude, longitude, elevation, depth_from, depth_to.
// A name written into outputs: printable ASCII or well-formed UTF-8 (an xarray reader refuses anything else).
void check_name(const std::string& name, const std::string& path, int line) {
  for (std::size_t i = 0; i < name.size();) {
    const auto c = static_cast<unsigned char>(name[i]);
    const int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
    bool ok = extra >= 0 && (extra > 0 || c >= 0x20) && i + static_cast<std::size_t>(extra) < name.size() + (extra == 0);
    for (int k = 1; ok && k <= extra; ++k) ok = (static_cast<unsigned char>(name[i + static_cast<std::size_t>(k)]) >> 6) == 0x2;
    if (!ok) throw InputError(cat(path, ":", line, ": the station or network name holds a byte that is not UTF-8 text (byte ", i + 1, ")"));
    i += static_cast<std::size_t>(extra) + 1;
  }
}

void read_station(const std::vector<std::string>& tok, std::size_t cse, IsmnFile& f, int line) {
  f.network = tok[cse + 1];
  f.station = tok[cse + 2];
  check_name(f.network, f.path, line);
  check_name(f.station, f.path, line);
  f.lat = parse_value(tok[cse + 3], f.path, line);
  f.lon = parse_value(tok[cse + 4], f.path, line);
  f.elevation = parse_value(tok[cse + 5], f.path, line);
  f.depth_from = parse_value(tok[cse + 6], f.path, line);
  f.depth_to = parse_value(tok[cse + 7], f.path, line);
  if (f.lat < -90 || f.lat > 90 || f.lon < -180 || f.lon > 360)
    throw InputError(cat(f.path, ":", line, ": station coordinates (", f.lat, ", ", f.lon, ") are out of range"));
}

}  // namespace

IsmnFile read_ismn(const std::string& path, bool allow_empty) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw InputError(cat(path, ": is a folder; an ISMN station file (.stm) was expected (a `stations:` section or "
                           "--validate-with takes folders)"));
  std::ifstream in(path);
  if (!in) throw InputError(cat(path, ": cannot open the ISMN file"));
  IsmnFile f;
  f.path = path;
  // Name: <network>_<network>_<station>_<variable>_<from>_<to>_<sensor>_<start>_<end>.stm
  const std::string name = std::filesystem::path(path).stem().string();
  std::vector<std::string> parts;
  std::stringstream ns(name);
  for (std::string p; std::getline(ns, p, '_');) parts.push_back(p);
  if (parts.size() < 9)
    throw InputError(cat(path, ": the file name does not follow ISMN's <network>_<network>_<station>_<variable>_"
                               "<depth_from>_<depth_to>_<sensor>_<start>_<end>.stm"));
  f.variable = parts[3];
  f.sensor = parts[6];
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::istringstream ls(line);
    std::vector<std::string> tok;
    for (std::string t; ls >> t;) tok.push_back(t);
    const bool stamp_first = tok.size() >= 2 && tok[0].size() == 10 && tok[0][4] == '/';
    if (!stamp_first) {
      if (lineno != 1 || tok.size() < 9)
        throw InputError(cat(path, ":", lineno, ": expected a data line 'YYYY/MM/DD HH:MM value flag provider_flag'"));
      // header+values layout: CSE network station lat lon elevation depth_from depth_to sensor (may hold spaces)
      read_station(tok, 0, f, lineno);
      continue;
    }
    std::size_t k = 0;
    Time t;
    double v = 0;
    std::string flag, provider;
    if (tok.size() >= 15 && tok[2].size() == 10 && tok[2][4] == '/') {
      // CEOP layout: nominal and actual stamps, CSE, network, station, lat, lon, elev, from, to, value, flags.
      t = parse_stamp(tok[0], tok[1], path, lineno);
      read_station(tok, 4, f, lineno);
      k = 12;
    } else if (tok.size() >= 4) {
      t = parse_stamp(tok[0], tok[1], path, lineno);
      k = 2;
    } else {
      throw InputError(cat(path, ":", lineno, ": expected 'YYYY/MM/DD HH:MM value flag provider_flag'"));
    }
    if (tok.size() < k + 2) throw InputError(cat(path, ":", lineno, ": missing value or quality flag"));
    v = parse_value(tok[k], path, lineno);
    flag = tok[k + 1];
    provider = tok.size() > k + 2 ? tok[k + 2] : "";
    if (!f.time.empty() && !(t > f.time.back()))
      throw InputError(cat(path, ":", lineno, ": time ", t.iso(), " is not after the previous line's ", f.time.back().iso(),
                           " (times out of order)"));
    f.time.push_back(t);
    f.value.push_back(v);
    f.flag.push_back(flag);
    f.provider_flag.push_back(provider);
  }
  if (f.time.empty() && !allow_empty) throw InputError(cat(path, ": no data lines"));
  return f;
}

ObsFile ismn_to_obs(const std::vector<IsmnFile>& files, Time start, Time end, double error_sd) {
  struct Row {
    Time t;
    double lon, lat, value;
    std::string station;
  };
  std::vector<Row> rows;
  for (const auto& f : files) {
    if (f.variable != "sm")
      throw InputError(cat(f.path, ": is an ISMN '", f.variable, "' file; soil moisture (sm) was expected"));
    for (std::size_t i = 0; i < f.time.size(); ++i)
      // Flagged good but not a volumetric water content (99, -5): not imported.
      if (f.good(i) && !(f.time[i] < start) && f.time[i] < end && f.value[i] >= 0.0 && f.value[i] <= 1.0)
        rows.push_back({f.time[i], f.lon, f.lat, f.value[i], f.network + ":" + f.station});
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.t < b.t; });
  ObsFile out;
  out.platform = "ISMN";
  out.sensor = "in_situ";
  out.source = "landda import ismn";
  out.obs.resize(static_cast<Eigen::Index>(rows.size()));
  out.obs.source_names = {"ismn"};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out.obs.time[i] = rows[i].t;
    out.obs.x[i] = rows[i].lon;
    out.obs.y[i] = rows[i].lat;
    out.obs.value[static_cast<Eigen::Index>(i)] = rows[i].value;
    out.obs.error[static_cast<Eigen::Index>(i)] = error_sd;
    out.station.push_back(rows[i].station);
  }
  return out;
}

std::vector<double> hourly_values(const IsmnFile& f, Time start, long long n, Duration shift, double scale, double offset) {
  std::vector<double> out(static_cast<std::size_t>(std::max<long long>(n, 0)), std::nan(""));
  for (std::size_t i = 0; i < f.time.size(); ++i) {
    if (!f.good(i)) continue;
    const std::int64_t s = (f.time[i] + shift - start).seconds;
    if (s < 0 || s % 3600 != 0 || s / 3600 >= n) continue;
    out[static_cast<std::size_t>(s / 3600)] = f.value[i] * scale + offset;
  }
  return out;
}

std::vector<const IsmnFile*> IsmnStation::of(const std::string& variable) const {
  std::vector<const IsmnFile*> out;
  for (const auto& f : files)
    if (f.variable == variable) out.push_back(&f);
  return out;
}

std::vector<IsmnStation> read_ismn_folders(const std::vector<std::string>& dirs) {
  namespace fs = std::filesystem;
  std::map<std::string, IsmnStation> stations;
  // (station, variable, depths) -> the folder that gave them
  std::map<std::tuple<std::string, std::string, double, double>, std::size_t> first;
  for (std::size_t d = 0; d < dirs.size(); ++d) {
    if (!fs::is_directory(dirs[d])) throw InputError(cat(dirs[d], ": not a folder (an ISMN download was expected)"));
    std::vector<fs::path> paths;  // sorted: the same stations in the same order on every machine
    for (const auto& e : fs::recursive_directory_iterator(dirs[d]))
      if (e.is_regular_file() && (e.path().extension() == ".stm" || e.path().string().ends_with("_static_variables.csv")))
        paths.push_back(e.path());
    std::sort(paths.begin(), paths.end());
    for (const auto& path : paths) {
      std::vector<std::string> parts;
      std::stringstream ns(path.filename().string());
      for (std::string p; std::getline(ns, p, '_');) parts.push_back(p);
      if (parts.size() < 4)
        throw InputError(cat(path.string(), ": the file name does not follow ISMN's <network>_<network>_<station>_..."));
      IsmnStation& s = stations[parts[1] + ":" + parts[2]];
      s.network = parts[1];
      s.name = parts[2];
      if (path.extension() == ".csv") {
        if (s.static_file.empty()) s.static_file = path.string();
        continue;
      }
      IsmnFile f = read_ismn(path.string(), true);
      const auto [it, added] = first.try_emplace({s.key(), f.variable, f.depth_from, f.depth_to}, d);
      if (!added && it->second != d) continue;
      if (s.files.empty() || (f.variable == "sm" && s.of("sm").empty())) {
        s.lon = f.lon;  // the soil-moisture probes' coordinates where there are some
        s.lat = f.lat;
        s.elevation = f.elevation;
      }
      s.files.push_back(std::move(f));
    }
  }
  std::vector<IsmnStation> out;
  for (auto& [key, s] : stations) out.push_back(std::move(s));
  return out;
}

}  // namespace landda::observations
