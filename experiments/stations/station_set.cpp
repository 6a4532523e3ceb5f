#include "experiments/stations/station_set.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <sstream>

#include "core/cell_index.hpp"
#include "core/error.hpp"
#include "core/grid.hpp"
#include "core/log.hpp"
#include "io/atomic_file.hpp"
#include "models/soil_water/forcing.hpp"
#include "models/soil_water/forcing_import.hpp"
#include "models/soil_water/static_fields.hpp"
#include "observations/dsg/dsg_import.hpp"
#include "observations/ioda/ioda_file.hpp"
#include "observations/ismn/ismn_file.hpp"

namespace fs = std::filesystem;

namespace landda::experiments {

void StationRetrieval::visit(config::Visitor& v) {
  v("source", source, config::doc("the base config's source whose file this makes").needed());
  v("product", product,
    config::doc("the cell files' product preset (as `landda import cf-dsg --product`)")
        .one_of(observations::DsgProduct::presets())
        .needed());
  v("files", files, config::doc("the TU Wien time-series cell files (and nothing else)").file());
  v("max_distance_km", max_distance_km,
    config::doc("a station takes the nearest grid point with data in the period within this distance").above(0));
}

void StationsParams::visit(config::Visitor& v) {
  v("ismn", ismn,
    config::doc("folders of an ISMN download (either layout; a station in several folders takes each variable and "
                "depth from the first that has it)")
        .dir());
  v("networks", networks, config::doc("only these networks (empty: all)"));
  v("stations", stations, config::doc("only these stations, by name or network:name (empty: all)"));
  v("bbox", bbox, config::doc("only stations in [lon_min, lat_min, lon_max, lat_max] (empty: anywhere)"));
  v("max_depth_m", max_depth_m, config::doc("probes deeper than this are not used").above(0).in("m"));
  v("surface_depth_m", surface_depth_m,
    config::doc("probes at most this deep validate the surface layer; deeper ones their own depth").above(0).in("m"));
  v("profile_bottom_m", profile_bottom_m,
    config::doc("the profile layer 0 to this depth, where a station's probes reach from the surface layer to within "
                "0.1 m of it")
        .above(0)
        .in("m"));
  v("forcing_max_distance_km", forcing_max_distance_km,
    config::doc("a station without its own precipitation or temperature (or with gaps) takes the nearest station's "
                "within this distance")
        .at_least(0)
        .in("km"));
  v("lapse_rate", lapse_rate,
    config::doc("temperature taken from another station is carried to this station's elevation by this rate "
                "(6.5 K/km, the standard atmosphere; LIS's elevation correction)")
        .range(0, 12)
        .in("K/km"));
  v("max_gap_hours", max_gap_hours,
    config::doc("gaps up to this long that no station fills are interpolated linearly in time").range(0, 240));
  v("probe_error", probe_error, config::doc("error standard deviation written with the probes").above(0).in("m3 m-3"));
  v.sections("retrievals", retrievals,
             config::doc("retrievals of the base config read from cell files at every station (a base source with its "
                         "own file keeps it)"));
}

std::string ForcingOrigin::text() const {
  std::ostringstream o;
  o << own << " h own";
  for (const auto& d : donors)
    o << "; " << d.hours << " h from " << d.station << " (" << std::lround(d.distance_km) << " km, "
      << (d.elevation_difference_m >= 0 ? "+" : "") << std::lround(d.elevation_difference_m) << " m)";
  if (interpolated) o << "; " << interpolated << " h interpolated";
  return o.str();
}

std::string layer_title(const std::string& layer) {
  if (layer == "surface") return "Surface";
  if (layer == "rootzone") return "Root zone";
  if (layer == "crns") return "Cosmic-ray probes";
  int a = 0, b = 0;
  if (std::sscanf(layer.c_str(), "depth_%dcm", &a) == 1) return cat("Probes at ", a, " cm");
  if (std::sscanf(layer.c_str(), "profile_%d_%dcm", &a, &b) == 2) return cat("Profile ", a, "-", b, " cm");
  return layer;
}

namespace {

using observations::IsmnFile;
using observations::IsmnStation;
using Series = std::vector<double>;

int centimetres(double depth_m) { return static_cast<int>(std::lround(depth_m * 100)); }

bool is_crns(const IsmnStation& s) {
  for (const auto* f : s.of("sm"))
    if (f->sensor.find("osmic") != std::string::npos) return true;
  return s.network == "COSMOS";
}

// Hourly mean over the sensors of one variable at one depth (good values only).
Series sensor_mean(const std::vector<const IsmnFile*>& files, Time start, long long n, Duration shift, double scale,
                   double offset) {
  Series sum(static_cast<std::size_t>(n), 0.0), count(static_cast<std::size_t>(n), 0.0);
  for (const auto* f : files) {
    const Series v = observations::hourly_values(*f, start, n, shift, scale, offset);
    for (std::size_t k = 0; k < v.size(); ++k)
      if (std::isfinite(v[k])) sum[k] += v[k], count[k] += 1;
  }
  for (std::size_t k = 0; k < sum.size(); ++k) sum[k] = count[k] > 0 ? sum[k] / count[k] : std::nan("");
  return sum;
}

// Per depth (m), the hourly probe series of a station's soil moisture to max_depth.
std::map<double, Series> probe_series(const IsmnStation& s, Time start, long long n, double max_depth) {
  std::map<double, std::vector<const IsmnFile*>> by_depth;
  for (const auto* f : s.of("sm"))
    if (f->depth_from <= max_depth) by_depth[std::round(f->depth_from * 1e4) / 1e4].push_back(f);  // 0.1 mm: one depth, several sensors
  std::map<double, Series> out;
  for (const auto& [depth, files] : by_depth) {
    Series v = sensor_mean(files, start, n, Duration{0}, 1.0, 0.0);
    if (std::any_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); })) out[depth] = std::move(v);
  }
  return out;
}

// One forcing variable of every station that measures it, and how to fill a station's from them.
struct MetNetwork {
  const char* what;  // "precipitation" or "air temperature"
  double lapse = 0;  // K per m, applied to values taken from another station
  std::map<std::string, Series> own;
  std::map<std::string, const IsmnStation*> where;
  std::vector<std::string> keys;      // where's keys, in the index's order
  std::shared_ptr<PlaceIndex> index;  // of where's stations: donors in log(stations) a query

  // The station's series: its own values, short gaps interpolated, then the
  // nearest donors' values (lapse-corrected), then short gaps again; an empty
  // `failure` when every hour has a value.
  Series fill(const IsmnStation& s, const StationsParams& p, Time start, long long n, ForcingOrigin& origin,
              std::string& failure) const {
    const auto mine = own.find(s.key());
    Series x = mine != own.end() ? mine->second : Series(static_cast<std::size_t>(n), std::nan(""));
    for (double v : x) origin.own += std::isfinite(v);
    origin.interpolated += models::soil::interpolate_gaps(x, p.max_gap_hours);
    std::vector<std::pair<double, std::string>> donors;
    for (const int k : index->within(s.lon, s.lat, p.forcing_max_distance_km)) {
      const std::string& key = keys[static_cast<std::size_t>(k)];
      const IsmnStation* st = where.at(key);
      if (key != s.key()) donors.emplace_back(haversine_km(s.lon, s.lat, st->lon, st->lat), key);
    }
    std::sort(donors.begin(), donors.end());
    for (const auto& [d, key] : donors) {
      const Series& dv = own.at(key);
      const double dz = where.at(key)->elevation - s.elevation;
      ForcingOrigin::Donor donor{key, d, dz, 0};
      for (std::size_t k = 0; k < x.size(); ++k)
        if (!std::isfinite(x[k]) && std::isfinite(dv[k])) x[k] = dv[k] + lapse * dz, ++donor.hours;
      if (donor.hours) origin.donors.push_back(donor);
    }
    origin.interpolated += models::soil::interpolate_gaps(x, p.max_gap_hours);
    const auto missing = std::count_if(x.begin(), x.end(), [](double v) { return !std::isfinite(v); });
    const auto first = std::find_if(x.begin(), x.end(), [](double v) { return !std::isfinite(v); }) - x.begin();
    if (missing)
      failure = cat(what, " is missing for ", missing, " hour(s) from ", (start + Duration{3600 * first}).iso(), " that neither its own gauge, nor a station within ",
                    p.forcing_max_distance_km, " km (", donors.size(), " such), nor interpolation over gaps of at most ",
                    p.max_gap_hours, " h fills");
    return x;
  }
};

MetNetwork met_network(const std::vector<const IsmnStation*>& all, const char* variable, Time start, long long n) {
  const bool pr = std::string(variable) == "p";
  MetNetwork m{pr ? "precipitation" : "air temperature", 0.0, {}, {}, {}, nullptr};
  for (const auto* s : all) {
    const auto files = s->of(variable);
    if (files.empty()) continue;
    // Precipitation accumulated over the hour ending at its stamp is the flux of the record before it (mm/h -> kg m-2 s-1).
    Series v = pr ? sensor_mean(files, start, n, Duration{-3600}, 1.0 / 3600.0, 0.0)
                  : sensor_mean(files, start, n, Duration{0}, 1.0, 273.15);
    if (std::none_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); })) continue;
    m.own[s->key()] = std::move(v);
    m.where[s->key()] = s;
  }
  std::vector<double> lon, lat;
  for (const auto& [key, st] : m.where) m.keys.push_back(key), lon.push_back(st->lon), lat.push_back(st->lat);
  m.index = std::make_shared<PlaceIndex>(std::move(lon), std::move(lat));
  return m;
}

// Why a station of the main folders is not wanted by the filters ("" when it is).
std::string filtered_out(const IsmnStation& s, const StationsParams& p) {
  if (!p.networks.empty() && std::find(p.networks.begin(), p.networks.end(), s.network) == p.networks.end())
    return cat("network ", s.network, " is not in stations.networks");
  if (!p.stations.empty() && std::find(p.stations.begin(), p.stations.end(), s.name) == p.stations.end() &&
      std::find(p.stations.begin(), p.stations.end(), s.key()) == p.stations.end())
    return "not in stations.stations";
  if (p.bbox.size() == 4 && (s.lon < p.bbox[0] || s.lat < p.bbox[1] || s.lon > p.bbox[2] || s.lat > p.bbox[3]))
    return "outside stations.bbox";
  return "";
}

// Mean over [0, bottom] of the piecewise-linear profile through the probes,
// constant above the shallowest and below the deepest.
double profile_mean(const std::vector<double>& z, const std::vector<double>& v, double bottom) {
  const auto at = [&](double d) {
    if (d <= z.front()) return v.front();
    if (d >= z.back()) return v.back();
    const auto i = static_cast<std::size_t>(std::upper_bound(z.begin(), z.end(), d) - z.begin());
    const double w = (d - z[i - 1]) / (z[i] - z[i - 1]);
    return (1 - w) * v[i - 1] + w * v[i];
  };
  std::vector<double> knots{0.0};
  for (double d : z)
    if (d > 0 && d < bottom) knots.push_back(d);
  knots.push_back(bottom);
  double sum = 0;
  for (std::size_t i = 1; i < knots.size(); ++i) sum += 0.5 * (at(knots[i - 1]) + at(knots[i])) * (knots[i] - knots[i - 1]);
  return sum / bottom;
}

// A probe series as an ISMN file of good values (the observation writer's input).
IsmnFile probe_file(const StationColumn& c, const Series& v, Time start) {
  IsmnFile f;
  f.path = c.key;
  f.network = c.network;
  f.station = c.name;
  f.variable = "sm";
  f.lon = c.lon;
  f.lat = c.lat;
  for (std::size_t k = 0; k < v.size(); ++k)
    if (std::isfinite(v[k])) {
      f.time.push_back(start + Duration{3600 * static_cast<std::int64_t>(k)});
      f.value.push_back(v[k]);
      f.flag.push_back("G");
      f.provider_flag.push_back("");
    }
  return f;
}

struct Prepared {
  StationColumn column;
  std::map<double, Series> probes;
  Series pr, tas;
};

// A station's column, or the reason it has none.
std::string prepare_column(const IsmnStation& s, bool validation_only, const StationsParams& p, const MetNetwork& rain,
                           const MetNetwork& air, Time start, long long n, bool need_static, Prepared& out) {
  out.probes = probe_series(s, start, n, p.max_depth_m);
  if (out.probes.empty())
    return s.of("sm").empty() ? "no soil-moisture file" : cat("no good soil moisture in the period at depths to ", p.max_depth_m, " m");
  if (need_static && s.static_file.empty())
    return "no static-variables file (the base's soil comes from each station's ISMN static variables)";
  if (need_static) try {
      models::soil::read_ismn_static(s.static_file);
    } catch (const InputError& e) {
      return cat("its static variables cannot give the soil: ", e.what());
    }
  StationColumn& c = out.column;
  c.key = s.key();
  c.network = s.network;
  c.name = s.name;
  c.static_file = s.static_file;
  c.lon = s.lon;
  c.lat = s.lat;
  c.elevation = s.elevation;
  c.validation_only = validation_only;
  c.crns = is_crns(s);
  std::string failure;
  out.pr = rain.fill(s, p, start, n, c.pr, failure);
  if (failure.empty()) out.tas = air.fill(s, p, start, n, c.tas, failure);
  for (const auto& [d, v] : out.probes) c.depths.push_back(d);
  c.profile = !c.crns && c.depths.front() <= p.surface_depth_m && c.depths.back() >= p.profile_bottom_m - 0.1;
  return failure;
}

// The probe validation sources: one per depth, the profile, the cosmic-ray probes.
void write_probes(StationSet& set, const std::vector<Prepared>& cols, const StationsParams& p, Time start, Time end,
                  bool write) {
  std::map<std::string, std::vector<IsmnFile>> files;
  std::map<std::string, StationProbe> probes;
  const auto add = [&](const StationProbe& probe, IsmnFile f) {
    probes.try_emplace(probe.name, probe);
    files[probe.name].push_back(std::move(f));
  };
  for (const auto& c : cols) {
    if (c.column.crns) {
      add({"crns", "", "crns", "crns", 0, 0, 0}, probe_file(c.column, c.probes.begin()->second, start));
      continue;
    }
    for (const auto& [d, v] : c.probes) {
      const int cm = centimetres(d);
      add({cat("insitu_", cm, "cm"), "", d <= p.surface_depth_m ? "surface" : cat("depth_", cm, "cm"), "insitu", d, 0, 0},
          probe_file(c.column, v, start));
    }
    if (!c.column.profile) continue;
    Series prof(c.probes.begin()->second.size(), std::nan(""));
    std::vector<double> z(c.column.depths), v(z.size());
    for (std::size_t k = 0; k < prof.size(); ++k) {
      std::size_t i = 0;
      for (const auto& [d, s] : c.probes) v[i++] = s[k];
      if (std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); }))
        prof[k] = profile_mean(z, v, p.profile_bottom_m);
    }
    const std::string name = cat("profile_0_", centimetres(p.profile_bottom_m), "cm");
    add({name, "", name, "layer_average", 0, 0, p.profile_bottom_m}, probe_file(c.column, prof, start));
  }
  for (auto& [name, probe] : probes) {
    probe.file = fs::absolute(set.dir + "/" + name + ".nc").string();
    if (write) observations::write_ioda(observations::ismn_to_obs(files[name], start, end, p.probe_error), probe.file);
    set.probes.push_back(probe);
  }
  // Tables and figures from the surface down: probes by depth, then the profile, then cosmic-ray probes.
  const auto rank = [](const StationProbe& s) { return s.op == "insitu" ? s.depth_m : s.op == "layer_average" ? 1e3 : 2e3; };
  std::stable_sort(set.probes.begin(), set.probes.end(), [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
}

void write_forcing_files(StationSet& set, const std::vector<Prepared>& cols, Time start, bool write) {
  std::vector<models::soil::ForcingSeries> all;
  if (write) fs::create_directories(set.dir + "/forcing");
  for (const auto& c : cols) {
    models::soil::ForcingSeries s;
    s.start = start;
    s.interval = Duration{3600};
    s.lon = c.column.lon;
    s.lat = c.column.lat;
    s.site = c.column.key;
    s.source = "ISMN stations: precipitation " + c.column.pr.text() + "; air temperature " + c.column.tas.text();
    s.values[static_cast<int>(models::soil::Met::pr)] = c.pr;
    s.values[static_cast<int>(models::soil::Met::tas)] = c.tas;
    const std::string file = fs::absolute(set.dir + "/forcing/" + c.column.network + "_" + c.column.name + ".nc").string();
    if (write) models::soil::write_forcing(s, file);
    set.point_forcing.push_back(file);
    all.push_back(std::move(s));
  }
  set.forcing = fs::absolute(set.dir + "/forcing.nc").string();
  if (write) models::soil::write_forcing(all, set.forcing);
}

void import_retrievals(StationSet& set, const StationsParams& p, Time start, Time end, bool write) {
  std::vector<observations::Site> sites;
  for (const auto& c : set.columns) sites.push_back({c.key, c.lon, c.lat});
  for (const auto& r : p.retrievals) {
    const auto got = observations::import_dsg(observations::DsgProduct::preset(r.product), r.files, sites, start, end,
                                              r.max_distance_km, true);
    for (std::size_t k = 0; k < got.matches.size(); ++k) {
      const auto& m = got.matches[k];
      set.columns[k].retrievals.push_back(
          m.gpi < 0 ? cat(r.source, ": no grid point with data within ", r.max_distance_km, " km")
                    : cat(r.source, ": gpi ", m.gpi, " at ", std::lround(m.distance_km * 10) / 10.0, " km, ", m.valid,
                          " of ", m.total, " valid", m.nearer_empty ? cat(", ", m.nearer_empty, " nearer without data") : ""));
    }
    const std::string file = fs::absolute(set.dir + "/" + r.source + ".nc").string();
    if (write) observations::write_ioda(got.file, file);
    set.retrieval_files.emplace_back(r.source, file);
  }
}

std::string csv_field(std::string s) {
  std::replace(s.begin(), s.end(), '"', '\'');
  return "\"" + s + "\"";
}

void write_station_csv(const StationSet& set) {
  std::ostringstream o;
  o << "station,network,lon,lat,elevation_m,column,probe_depths_m,profile,static_file,precipitation,air_temperature,"
       "retrievals,reason_unused\n";
  for (const auto& c : set.columns) {
    std::ostringstream depths, retr;
    for (double d : c.depths) depths << (depths.tellp() > 0 ? " " : "") << d;
    for (const auto& r : c.retrievals) retr << (retr.tellp() > 0 ? "; " : "") << r;
    o << c.key << ',' << c.network << ',' << c.lon << ',' << c.lat << ',' << c.elevation << ','
      << (c.validation_only ? "validation only" : "yes") << ',' << depths.str() << ',' << (c.profile ? "yes" : "no")
      << ',' << csv_field(c.static_file) << ',' << csv_field(c.pr.text()) << ',' << csv_field(c.tas.text()) << ','
      << csv_field(retr.str()) << ",\n";
  }
  for (const auto& [key, why] : set.unused) o << key << ",,,,,no,,,,,,," << csv_field(why) << '\n';
  io::write_text_file(set.dir + "/stations.csv", o.str());
}

}  // namespace

StationSet prepare_stations(const StationsParams& p, const std::vector<std::string>& validate_with, Time start,
                            Time end, bool need_static, const std::string& dir, bool write) {
  StationSet set;
  set.dir = dir;
  const long long n = (end - start).seconds / 3600;
  const auto main = observations::read_ismn_folders(p.ismn);
  const auto extra = validate_with.empty() ? std::vector<IsmnStation>{} : observations::read_ismn_folders(validate_with);
  // Every gauge in the folders may force a station, filtered out or not.
  std::vector<const IsmnStation*> all;
  std::vector<bool> validation_only;
  for (const auto* list : {&main, &extra})
    for (const auto& s : *list) {
      all.push_back(&s);
      validation_only.push_back(list == &extra);
    }
  const MetNetwork rain = met_network(all, "p", start, n);
  MetNetwork air = met_network(all, "ta", start, n);
  air.lapse = p.lapse_rate / 1000.0;  // a donor higher up (dz > 0) is colder than the station: add lapse * dz
  std::vector<Prepared> cols;
  std::map<std::string, bool> taken;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const IsmnStation* s = all[i];
    std::string why = validation_only[i] ? std::string() : filtered_out(*s, p);
    if (why.empty() && taken.count(s->key())) why = "already a column (from the stations folders)";
    Prepared prep;
    if (why.empty()) why = prepare_column(*s, validation_only[i], p, rain, air, start, n, need_static, prep);
    if (!why.empty()) {
      set.unused.emplace_back(s->key(), why);
      continue;
    }
    taken[s->key()] = true;
    cols.push_back(std::move(prep));
  }
  if (cols.empty()) {
    std::vector<std::string> why;
    for (const auto& [key, reason] : set.unused) why.push_back(key + ": " + reason);
    throw InputError(cat("stations: no station of ", config::join(p.ismn), " can be a column (",
                         why.empty() ? "no ISMN station files found" : config::join(why, "; "), ")"));
  }
  for (const auto& c : cols) set.columns.push_back(c.column);
  if (write) fs::create_directories(dir);
  write_forcing_files(set, cols, start, write);
  write_probes(set, cols, p, start, end, write);
  import_retrievals(set, p, start, end, write);
  if (write) write_station_csv(set);
  log::info("stations: ", set.columns.size(), " column(s), ", set.unused.size(), " station(s) without one; ",
            set.probes.size(), " probe source(s)", write ? cat(" in ", dir, " (stations.csv)") : std::string());
  return set;
}

namespace {

// Station columns are independent: one station's retrievals must not reach
// another's column through the ensemble's sampling noise, so a filter that
// updates several columns together must localize within the closest pair.
void check_local_filter(const StationSet& s, const YAML::Node& run, const std::string& origin) {
  double closest = std::numeric_limits<double>::infinity();
  std::string a, b;
  for (std::size_t i = 0; i < s.columns.size(); ++i)
    for (std::size_t j = i + 1; j < s.columns.size(); ++j)
      if (const double d = haversine_km(s.columns[i].lon, s.columns[i].lat, s.columns[j].lon, s.columns[j].lat); d < closest)
        closest = d, a = s.columns[i].key, b = s.columns[j].key;
  if (s.columns.size() < 2) return;
  const YAML::Node f = run["filter"];
  const std::string type = f && f["type"] ? f["type"].as<std::string>() : "etkf";
  const YAML::Node loc = f ? f["localization"] : YAML::Node();
  const YAML::Node radius = loc && loc.IsMap() ? loc["radius"] : YAML::Node();
  const std::string need = cat("filter type letkf with a localization radius below the closest two stations' distance (",
                               a, " and ", b, ", ", std::lround(closest * 10) / 10.0, " km)");
  if (type == "none") return;
  if (type != "letkf") throw ConfigError(cat(origin, ": stations: ", s.columns.size(), " station columns need a local filter: ", need, "; the base's is ", type));
  if (radius && radius.IsScalar() && radius.as<double>() >= closest)
    throw ConfigError(cat(origin, ": stations: filter.localization.radius ", radius.as<double>(), " km lets one station's observations update another: ", need));
}

}  // namespace

void apply_stations(const StationSet& s, YAML::Node& run, const std::string& origin) {
  check_local_filter(s, run, origin);
  YAML::Node model = run["model"];
  YAML::Node grid;
  grid["kind"] = "points";
  for (const auto& c : s.columns) {
    grid["lon"].push_back(c.lon);
    grid["lat"].push_back(c.lat);
    grid["names"].push_back(c.key);
  }
  model["grid"] = grid;
  model["forcing"] = s.forcing;
  if (model["soil"] && model["soil"]["source"] && model["soil"]["source"].as<std::string>() == "ismn") {
    YAML::Node files(YAML::NodeType::Sequence);
    for (const auto& c : s.columns) files.push_back(c.static_file);
    model["soil"]["ismn_files"] = files;
  }
  for (const auto& [source, file] : s.retrieval_files) {
    bool found = false;
    for (YAML::Node o : run["experiment"]["observations"])
      if (o["name"] && o["name"].as<std::string>() == source) {
        o["file"] = file;
        found = true;
      }
    if (!found) throw ConfigError(cat(origin, ": stations.retrievals: the base config has no source '", source, "'"));
  }
}

}  // namespace landda::experiments
