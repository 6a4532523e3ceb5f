#include "observations/hrldas/hrldas_obs.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/error.hpp"

namespace landda::observations {

HrldasObsImport read_hrldas_obs(const std::string& path, const std::string& column, double lon, double lat,
                                const std::string& station, double error_sd, int repeats) {
  std::ifstream in(path);
  if (!in) throw InputError(cat(path, ": cannot open the HRLDAS observation table"));
  if (!(std::abs(lat) <= 90 && std::abs(lon) <= 360)) throw ConfigError(cat("--lon/--lat: ", lon, ", ", lat, " is not a place"));
  if (!(error_sd > 0)) throw ConfigError("--error must be > 0");
  std::string line;
  int lineno = 0, col = -1;
  std::vector<std::string> names;
  HrldasObsImport out;
  ObsBatch& b = out.file.obs;
  std::vector<double> value;
  std::vector<Time> time;
  while (std::getline(in, line)) {
    ++lineno;
    std::istringstream ls(line);
    if (names.empty()) {
      for (std::string w; ls >> w;) names.push_back(w);
      if (names.empty() || names[0] != "TIMESTAMP")
        throw InputError(cat(path, ":", lineno, ": expected a header `TIMESTAMP <column> ...`"));
      for (std::size_t k = 1; k < names.size(); ++k)
        if (names[k] == column) col = static_cast<int>(k);
      if (col < 0) throw InputError(cat(path, ":", lineno, ": no column '", column, "' (columns: ", line, ")"));
      continue;
    }
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::vector<std::string> cells;
    for (std::string w; ls >> w;) cells.push_back(w);
    if (cells.size() != names.size())
      throw InputError(cat(path, ":", lineno, ": expected ", names.size(), " columns, got ", cells.size()));
    const std::string& ts = cells[0];
    if (ts.size() != 10 || ts.find_first_not_of("0123456789") != std::string::npos)
      throw InputError(cat(path, ":", lineno, ": TIMESTAMP '", ts, "' is not yyyymmddhh"));
    const int y = std::stoi(ts.substr(0, 4)), mo = std::stoi(ts.substr(4, 2)), d = std::stoi(ts.substr(6, 2)),
              h = std::stoi(ts.substr(8, 2));
    const Time t = Time::from_civil(y, mo, d, h);
    char expect[32];
    std::snprintf(expect, sizeof expect, "%04d-%02d-%02dT%02d", y, mo, d, h);
    if (t.iso().rfind(expect, 0) != 0)  // 2001-02-30 would become 2001-03-02
      throw InputError(cat(path, ":", lineno, ": TIMESTAMP '", ts, "' is not a date and hour"));
    if (!time.empty() && !(t > time.back()))
      throw InputError(cat(path, ":", lineno, ": time ", t.iso(), " is not after the previous row's"));
    double v = std::nan("");
    try {
      v = std::stod(cells[static_cast<std::size_t>(col)]);
    } catch (const std::exception&) {
      throw InputError(cat(path, ":", lineno, ": ", column, " '", cells[static_cast<std::size_t>(col)], "' is not a number"));
    }
    time.push_back(t);
    value.push_back(v);
  }
  if (names.empty()) throw InputError(cat(path, ": empty table"));
  const std::size_t n = value.size();
  b.resize(static_cast<Eigen::Index>(n));
  out.rows = n;
  for (std::size_t i = 0; i < n; ++i) {
    b.x[i] = lon;
    b.y[i] = lat;
    b.time[i] = time[i];
    b.value[static_cast<Eigen::Index>(i)] = value[i];
    b.error[static_cast<Eigen::Index>(i)] = error_sd;
    if (value[i] <= -998.5 || !std::isfinite(value[i])) {
      b.qc[i] = static_cast<int>(QcFlag::missing);
      b.value[static_cast<Eigen::Index>(i)] = std::nan("");
      ++out.missing;
    } else if (value[i] < 0 || value[i] > 1) {
      b.qc[i] = static_cast<int>(QcFlag::bounds);
      ++out.out_of_range;
    }
  }
  // Runs of identical values: a stuck or filled record.
  for (std::size_t i = 0; i < n && repeats > 1;) {
    std::size_t e = i + 1;
    while (e < n && b.qc[e] == 0 && b.qc[i] == 0 && value[e] == value[i]) ++e;
    if (b.qc[i] == 0 && e - i >= static_cast<std::size_t>(repeats))
      for (std::size_t k = i; k < e; ++k) b.qc[k] = static_cast<int>(QcFlag::bounds), ++out.repeated;
    i = e;
  }
  out.file.station.assign(n, station);
  out.file.platform = out.file.sensor = station;
  out.file.source = cat("HRLDAS observation table ", path, ", column ", column);
  return out;
}

}  // namespace landda::observations
