// `landda import KIND INPUT --output FILE`: real downloads -> landda files.
#include <boost/program_options.hpp>
#include <iostream>

#include "core/error.hpp"
#include "core/log.hpp"
#include "experiments/app/commands.hpp"
#include "experiments/app/options.hpp"
#include "models/soil_water/forcing.hpp"
#include "models/soil_water/forcing_import.hpp"
#include "models/soil_water/gridded_forcing.hpp"
#include "models/soil_water/ameriflux.hpp"
#include "models/soil_water/lis_state.hpp"
#include "observations/hrldas/hrldas_obs.hpp"
#include "observations/ismn/ismn_file.hpp"
#include "observations/ioda/ioda_file.hpp"
#include "observations/dsg/dsg_import.hpp"
#include "observations/products/product_import.hpp"
#include "observations/products/register.hpp"
#include "models/soil_water/soil_water.hpp"
#include "config/node.hpp"

#include <filesystem>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <cmath>
#include <limits>
#include <map>

namespace po = boost::program_options;

namespace landda::app {
namespace {

using models::soil::ForcingSeries;
using models::soil::Met;

struct ImportArgs {
  std::string pr_file, ta_file, start_text, end_text, output, long_gaps;
  int max_gap;
};

// ISMN station precipitation and air temperature -> an hourly landda forcing file.
int import_ismn_forcing(const ImportArgs& a) {
  const auto& [pr_file, ta_file, start_text, end_text, output, long_gaps, max_gap] = a;
  if (pr_file.empty() || ta_file.empty() || start_text.empty() || end_text.empty() || output.empty())
    throw ConfigError("landda import ismn-forcing: --precipitation, --temperature, --start, --end and --output are required");
  if (long_gaps != "error" && long_gaps != "zero")
    throw ConfigError(cat("landda import: --precipitation-long-gaps is error or zero, not '", long_gaps, "'"));
  const Time start = Time::parse(start_text), end = Time::parse(end_text);
  if (!(end > start)) throw ConfigError("landda import: --end must be after --start");
  const long long n = (end - start).seconds / 3600;
  const auto pr = observations::read_ismn(pr_file), ta = observations::read_ismn(ta_file);
  if (pr.variable != "p") throw InputError(cat(pr_file, ": is an ISMN '", pr.variable, "' file; --precipitation needs 'p'"));
  if (ta.variable != "ta") throw InputError(cat(ta_file, ": is an ISMN '", ta.variable, "' file; --temperature needs 'ta'"));
  ForcingSeries s;
  s.start = start;
  s.interval = Duration{3600};
  s.lat = pr.lat;
  s.lon = pr.lon;
  s.site = pr.network + " " + pr.station;
  s.source = "ISMN: " + pr_file + " and " + ta_file;
  // Precipitation is accumulated over the hour ending at its stamp; the
  // forcing record starting an hour earlier holds it (mm/h -> kg m-2 s-1).
  s.values[static_cast<int>(Met::pr)] = observations::hourly_values(pr, start, n, Duration{-3600}, 1.0 / 3600.0, 0.0);
  s.values[static_cast<int>(Met::tas)] = observations::hourly_values(ta, start, n, Duration{0}, 1.0, 273.15);
  long long zeroed = 0;
  if (long_gaps == "zero") {
    // Long precipitation gaps only: short ones are interpolated like every other gap.
    auto& x = s.values[static_cast<int>(Met::pr)];
    for (long long k = 0; k < n;) {
      long long e = k;
      while (e < n && !std::isfinite(x[static_cast<std::size_t>(e)])) ++e;
      if (e - k > max_gap || (e > k && (k == 0 || e == n))) {
        for (long long j = k; j < e; ++j) x[static_cast<std::size_t>(j)] = 0.0;
        zeroed += e - k;
      }
      k = e == k ? k + 1 : e;
    }
  }
  const auto filled = models::soil::fill_gaps(s, max_gap, pr_file + " / " + ta_file);
  models::soil::write_forcing(s, output);
  std::cout << "imported " << n << " hourly records of " << s.site << " (" << s.lat << " N, " << s.lon << " E) from "
            << start.iso() << " into " << output << '\n';
  for (int v = 0; v < 7; ++v)
    if (filled[v] > 0)
      std::cout << "  filled " << filled[v] << " missing value(s) of " << models::soil::met_name(static_cast<Met>(v))
                << " by linear interpolation (gaps of at most " << max_gap << " hours)\n";
  if (zeroed > 0)
    std::cout << "  set " << zeroed << " hour(s) of precipitation in gaps longer than " << max_gap
              << " hours to zero (--precipitation-long-gaps zero)\n";
  return 0;
}

// HRLDAS single-point forcing -> a landda forcing file.
int import_hrldas_forcing(const std::string& input, const std::string& output, int max_gap) {
  auto s = models::soil::read_hrldas_point(input);
  const auto filled = models::soil::fill_gaps(s, max_gap, input);
  models::soil::write_forcing(s, output);
  std::cout << "imported " << s.values[0].size() << " records of " << s.site << ", " << s.start.iso() << " every "
            << s.interval.iso() << ", into " << output << '\n';
  for (int v = 0; v < 7; ++v)
    if (filled[v] > 0)
      std::cout << "  filled " << filled[v] << " missing value(s) of " << models::soil::met_name(static_cast<Met>(v))
                << " by linear interpolation\n";
  return 0;
}

// One soil-moisture column of an HRLDAS observation table -> an IODA file.
int import_hrldas_obs(const std::string& input, const std::string& output, const std::string& column, double lon,
                      double lat, const std::string& station, double error_sd, int repeats) {
  if (column.empty() || std::isnan(lon) || std::isnan(lat))
    throw ConfigError("landda import hrldas-obs: --column, --lon and --lat are required");
  const auto r = observations::read_hrldas_obs(input, column, lon, lat, station.empty() ? column : station, error_sd, repeats);
  observations::write_ioda(r.file, output);
  std::cout << "imported " << column << " of " << input << ": " << r.rows << " rows, " << r.missing << " missing, "
            << r.out_of_range << " outside 0-1 m3/m3 and " << r.repeated << " in runs of " << repeats
            << " or more identical values flagged; " << (r.rows - r.missing - r.out_of_range - r.repeated)
            << " good, into " << output << '\n';
  return 0;
}

// Places given as 'lon,lat[,name];...'.
std::vector<observations::Site> parse_sites(const std::string& text, const char* option) {
  std::vector<observations::Site> sites;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ';');) {
    double lon = 0, lat = 0;
    char name[256] = {};
    const int got = std::sscanf(item.c_str(), "%lf,%lf,%255s", &lon, &lat, name);
    if (got < 2) throw ConfigError(cat("landda import: ", option, " wants 'lon,lat[,name];...', got '", item, "'"));
    sites.push_back({got == 3 ? name : cat(lon, ",", lat), lon, lat});
  }
  return sites;
}

// A run config's cells and layers, for a state or forcing put onto them.
models::soil::GriddedForcingRequest cells_of(const std::string& config_path, std::vector<double>* layer_bottoms) {
  const auto root = config::load_file(config_path);
  const Grid g = models::SoilWater::grid_of(root);
  models::soil::GriddedForcingRequest r;
  for (int c = 0; c < g.size(); ++c) {
    r.lon.push_back(g.lon(c));
    r.lat.push_back(g.lat(c));
    r.names.push_back(g.names().empty() ? cat("cell", c) : g.names()[static_cast<std::size_t>(c)]);
  }
  if (layer_bottoms) {
    *layer_bottoms = models::SoilWater::Params{}.layer_bottoms;
    const auto node = root.child("model").child("layer_bottoms");
    if (node.defined()) {
      try {
        *layer_bottoms = node.yaml().as<std::vector<double>>();
      } catch (const YAML::Exception&) {
        node.fail("expected a list of depths in m");
      }
    }
  }
  return r;
}

// What `import forcing` takes besides its inputs.
struct ForcingArgs {
  std::string preset, map, onto, points, method, variables, start, end, output, source_elevation, cell_elevation;
};

// Gridded forcing (ERA5, ERA5-Land, GLDAS, NLDAS, MERRA-2 or a map of one's own) -> a forcing file on the cells.
int import_forcing(const std::vector<std::string>& inputs, const ForcingArgs& a) {
  namespace ms = models::soil;
  if (inputs.empty() || a.output.empty() || (a.preset.empty() == a.map.empty()) || (a.onto.empty() == a.points.empty()))
    throw ConfigError("landda import forcing: INPUT files, --output, one of --preset and --map, and one of --onto and "
                      "--points are required");
  ms::GriddedForcingRequest r;
  r.inputs = inputs;
  if (!a.preset.empty()) {
    r.map = ms::ForcingMap::preset(a.preset);
  } else {
    config::read(config::load_file(a.map), r.map);
  }
  if (a.method != "bilinear" && a.method != "nearest")
    throw ConfigError(cat("landda import forcing: --method is bilinear or nearest, not '", a.method, "'"));
  r.method = a.method;
  if (!a.onto.empty()) {
    const auto cells = cells_of(a.onto, nullptr);
    r.lon = cells.lon, r.lat = cells.lat, r.names = cells.names;
  } else {
    for (const auto& s : parse_sites(a.points, "--points")) r.lon.push_back(s.lon), r.lat.push_back(s.lat), r.names.push_back(s.name);
  }
  std::stringstream vs(a.variables);
  for (std::string v; std::getline(vs, v, ',');) r.only.push_back(v);
  if (!a.start.empty()) r.start = Time::parse(a.start);
  if (!a.end.empty()) r.end = Time::parse(a.end);
  r.source_elevation = a.source_elevation;
  r.cell_elevation = a.cell_elevation;
  const auto result = ms::import_gridded_forcing(r);
  ms::write_forcing(result.cells, a.output);
  const auto& f = result.cells.front();
  std::size_t records = 0;
  for (const auto& v : f.values) records = std::max(records, v.size());
  std::cout << "imported " << records << " records of " << result.cells.size() << " cell(s), " << f.start.iso() << " every "
            << f.interval.iso() << ", into " << a.output << '\n';
  for (const auto& m : result.made) std::cout << "  " << m << '\n';
  for (const auto& m : result.missing) std::cout << "  no " << m << ": no file holds what the map makes it from\n";
  if (!result.height_change.empty()) {
    const auto [lo, hi] = std::minmax_element(result.height_change.begin(), result.height_change.end());
    std::cout << "  tas and ps corrected for the cells' height above the forcing's terrain (" << *lo << " to " << *hi
              << " m; -6.5 K/km, hypsometric pressure, relative humidity kept)\n";
  }
  if (result.rounded_to_zero > 0)
    std::cout << "  " << result.rounded_to_zero << " flux value(s) a hair below zero (packing, differences of totals) set to 0\n";
  return 0;
}

// An AmeriFlux/FLUXNET site file -> a forcing file (`ameriflux`) or one soil-moisture column as
// IODA observations (`ameriflux-swc`, % -> m3 m-3, at the end of each period).
struct AmerifluxArgs {
  std::string input, output, column, start, end;
  double utc_offset, error_sd;
  int max_gap;
};

int import_ameriflux(const std::string& kind, const AmerifluxArgs& a) {
  const auto& [input, output, column, start, end, utc_offset, error_sd, max_gap] = a;
  namespace ms = models::soil;
  if (input.empty() || output.empty() || std::isnan(utc_offset))
    throw ConfigError(cat("landda import ", kind, ": INPUT, --output and --utc-offset (the site's offset from UTC of its local "
                          "standard time, e.g. -7 for Arizona; the file's times are local) are required"));
  auto t = ms::read_ameriflux(input, utc_offset);
  if (!start.empty() || !end.empty())
    t.keep(start.empty() ? t.end.front() - t.period : Time::parse(start), end.empty() ? t.end.back() : Time::parse(end));
  if (kind == "ameriflux") {
    long long zeroed = 0;
    auto s = ms::ameriflux_forcing(t, zeroed);
    const auto filled = ms::fill_gaps(s, max_gap, input);
    ms::write_forcing(s, output);
    std::cout << "imported " << t.end.size() << " periods of " << t.site << " (" << t.lat << " N, " << t.lon << " E), "
              << s.start.iso() << " every " << s.interval.iso() << ", into " << output << '\n';
    for (int v = 0; v < 7; ++v) {
      const auto met = static_cast<ms::Met>(v);
      if (s.values[v].empty()) std::cout << "  no " << ms::met_name(met) << " (its column is missing or empty)\n";
      else if (filled[v] > 0) std::cout << "  filled " << filled[v] << " missing value(s) of " << ms::met_name(met) << " by linear interpolation\n";
    }
    if (zeroed > 0) std::cout << "  set " << zeroed << " radiation value(s) between -10 and 0 W m-2 (night-time offset) to 0\n";
    return 0;
  }
  if (column.empty()) throw ConfigError("landda import ameriflux-swc: --column (SWC1, SWC2, ...) is required");
  if (t.units.count(column) && t.units.at(column) != "%")
    throw InputError(cat(input, ": column ", column, " has units '", t.units.at(column), "'; expected '%'"));
  observations::ObsFile f;
  f.platform = "in situ";
  f.sensor = cat("AmeriFlux ", t.site, " ", column);
  f.source = input;
  std::vector<Eigen::Index> keep;
  long long missing = 0, outside = 0;
  const auto& v = t.column(column);
  for (std::size_t k = 0; k < v.size(); ++k) {
    if (!std::isfinite(v[k])) ++missing;
    else if (v[k] < 0 || v[k] > 100) ++outside;
    else keep.push_back(static_cast<Eigen::Index>(k));
  }
  f.obs.resize(static_cast<Eigen::Index>(keep.size()));
  f.obs.source_names = {f.sensor};
  for (std::size_t i = 0; i < keep.size(); ++i) {
    const auto k = static_cast<std::size_t>(keep[i]);
    f.obs.x[i] = t.lon, f.obs.y[i] = t.lat, f.obs.time[i] = t.end[k], f.obs.qc[i] = 0;
    f.obs.value[static_cast<Eigen::Index>(i)] = v[k] / 100.0;
    f.obs.error[static_cast<Eigen::Index>(i)] = error_sd;
    f.station.push_back(t.site);
  }
  observations::write_ioda(f, output);
  std::cout << "imported " << column << " of " << t.site << ": " << keep.size() << " value(s) of " << v.size() << " ("
            << missing << " missing, " << outside << " outside 0-100 %) into " << output << '\n';
  return 0;
}

// A LIS history file -> the initial state of a run config's model (experiment.initial.file).
int import_lis_state(const std::string& input, const std::string& onto, const std::string& method, const std::string& output) {
  if (input.empty() || output.empty() || onto.empty())
    throw ConfigError("landda import lis-state: INPUT (a LIS history file), --onto RUN.yaml and --output are required");
  std::vector<double> bottoms;
  auto cells = cells_of(onto, &bottoms);
  cells.method = method;
  const auto values = models::soil::lis_state(input, cells, bottoms);
  models::soil::write_state(output, "soil_moisture", values, cells, bottoms);
  std::cout << "imported LIS soil moisture onto " << cells.lon.size() << " cell(s) and " << bottoms.size() << " layer(s) into "
            << output << " (experiment.initial.file)\n";
  return 0;
}

// What `import cf-dsg` takes.
struct DsgArgs {
  std::vector<std::string> files;
  std::string product, near, start_text, end_text, output;
  double max_km;
};

// TU Wien time-series cells -> IODA, for a product preset and a set of sites.
int import_cf_dsg(const DsgArgs& a) {
  const auto& [files, product, near, start_text, end_text, output, max_km] = a;
  if (files.front().empty() || output.empty() || product.empty())
    throw ConfigError("landda import cf-dsg: --product, INPUT cell file(s) and --output are required");
  const auto sites = parse_sites(near, "--near");
  const Time start = start_text.empty() ? Time{std::numeric_limits<std::int64_t>::min() / 2} : Time::parse(start_text);
  const Time end = end_text.empty() ? Time{std::numeric_limits<std::int64_t>::max() / 2} : Time::parse(end_text);
  const auto result = observations::import_dsg(observations::DsgProduct::preset(product), files, sites, start, end, max_km);
  observations::write_ioda(result.file, output);
  for (const auto& m : result.matches)
    std::cout << "  " << m.site << ": "
              << (m.gpi < 0 ? "no grid point with data within " + std::to_string(max_km) + " km"
                            : cat("gpi ", m.gpi, " at ", m.distance_km, " km, ", m.valid, " valid of ", m.total))
              << (m.nearer_empty ? cat(" (", m.nearer_empty, " nearer grid point(s) without data in the period passed over)") : "")
              << '\n';
  std::cout << "imported " << result.file.obs.size() << " " << product << " observation(s) into " << output << '\n';
  return 0;
}

// One or more ISMN soil-moisture files -> one IODA observation file, good values only.
int import_ismn(const std::vector<std::string>& files, const std::string& start_text, const std::string& end_text,
                const std::string& output, double error_sd) {
  if (files.front().empty() || output.empty()) throw ConfigError("landda import ismn: INPUT and --output are required");
  const Time start = start_text.empty() ? Time{std::numeric_limits<std::int64_t>::min() / 2} : Time::parse(start_text);
  const Time end = end_text.empty() ? Time{std::numeric_limits<std::int64_t>::max() / 2} : Time::parse(end_text);
  std::vector<observations::IsmnFile> stations;
  for (const auto& path : files) stations.push_back(observations::read_ismn(path));
  const observations::ObsFile out = observations::ismn_to_obs(stations, start, end, error_sd);
  for (const auto& f : stations) {
    long long good = 0, unphysical = 0;
    for (std::size_t i = 0; i < f.time.size(); ++i)
      if (f.good(i) && !(f.time[i] < start) && f.time[i] < end) {
        const bool physical = f.value[i] >= 0.0 && f.value[i] <= 1.0;
        good += physical;
        unphysical += !physical;
      }
    std::cout << "  " << f.network << " " << f.station << " (" << f.depth_from << "-" << f.depth_to << " m): " << good
              << " good value(s) of " << f.time.size()
              << (unphysical ? cat("; ", unphysical, " flagged G but outside 0-1 m3/m3 left out") : std::string()) << '\n';
  }
  observations::write_ioda(out, output);
  std::cout << "imported " << out.obs.size() << " observation(s) into " << output << '\n';
  return 0;
}

// What a product import takes besides its inputs.
struct ProductArgs {
  std::vector<std::string> options;
  std::string bbox, onto, start, end, output;
  double superob_deg = 0, onto_radius_km = 5, correlation_km = 10;
};

// A product as distributed (granules in a folder, a glob or listed) -> one IODA file.
int import_product(const std::string& kind, const std::vector<std::string>& inputs, const ProductArgs& a) {
  namespace pr = observations::products;
  if (inputs.empty() || a.output.empty())
    throw ConfigError(cat("landda import ", kind, ": INPUT (granules, a folder or a pattern) and --output are required"));
  YAML::Node root;
  root["type"] = kind;
  for (const auto& o : a.options) {
    const auto eq = o.find('=');
    if (eq == std::string::npos || eq == 0) throw ConfigError(cat("--option wants key=value, got '", o, "'"));
    try {
      root[o.substr(0, eq)] = YAML::Load(o.substr(eq + 1));
    } catch (const YAML::Exception& e) {
      throw ConfigError(cat("--option ", o, ": the value is not YAML (", e.msg, ")"));
    }
  }
  config::PluginConfig pc;
  pc.type = kind;
  pc.node = config::from_yaml(root, "--option", std::filesystem::current_path().string());
  const auto reader = pr::readers().create(pc);
  pr::ImportRequest r;
  r.inputs = inputs;
  r.product = kind;
  r.output = a.output;
  r.progress = true;
  if (!a.start.empty()) r.start = Time::parse(a.start);
  if (!a.end.empty()) r.end = Time::parse(a.end);
  if (!(r.end > r.start)) throw ConfigError("landda import: --end must be after --start");
  if (!a.bbox.empty()) r.area = pr::Area::parse(a.bbox);
  if (!(a.correlation_km >= 0)) throw ConfigError("--error-correlation-km must be >= 0");
  r.error_correlation_km = a.correlation_km;
  std::unique_ptr<pr::SuperobCells> cells;
  Grid grid = Grid::periodic_1d(1);
  if (!a.onto.empty() && a.superob_deg > 0) throw ConfigError("give --onto or --superob-deg, not both");
  if (!a.onto.empty()) {
    grid = models::SoilWater::grid_of(config::load_file(a.onto));
    cells = pr::model_cells(grid, a.onto_radius_km);
  } else if (a.superob_deg > 0) {
    cells = pr::boxes(a.superob_deg);
  }
  r.superob = cells.get();
  const auto report = pr::import_product(*reader, r);
  report.print(std::cout);
  std::cout << "wrote " << report.written << " observation(s) into " << a.output << '\n';
  return 0;
}

}  // namespace

int import(const Args& args) {
  po::options_description opts("options");
  std::string kind, input, output;
  int max_gap = 12;
  std::string pr_file, ta_file, start_text, end_text, long_gaps = "error";
  std::vector<std::string> extra_inputs;
  double error_sd = 0.03, max_km = 25.0;
  std::string product, near, column, station;
  double lon = std::nan(""), lat = std::nan("");
  int repeats = 3;
  ProductArgs prod;
  ForcingArgs forcing{"", "", "", "", "bilinear", "", "", "", "", "", ""};
  double utc_offset = std::nan("");
  std::string product_help = "cf-dsg: the product's preset:";
  for (const auto& name : observations::DsgProduct::presets()) product_help += " " + name;
  opts.add_options()("help,h", "explain this command")("kind", po::value(&kind), "what INPUT is: bondville")(
      "input", po::value(&input), "the file to import")("output,o", po::value(&output), "the landda file to write")(
      "max-gap", po::value(&max_gap), "fill gaps of at most this many records by linear interpolation (default 12)")(
      "precipitation", po::value(&pr_file), "ismn-forcing: the ISMN precipitation file (p, mm per hour)")(
      "temperature", po::value(&ta_file), "ismn-forcing: the ISMN air-temperature file (ta, degrees C)")(
      "start", po::value(&start_text), "ismn-forcing: first hour (ISO 8601)")(
      "end", po::value(&end_text), "ismn-forcing: end (exclusive, ISO 8601)")(
      "precipitation-long-gaps", po::value(&long_gaps),
      "ismn-forcing: error (default) | zero: precipitation gaps longer than --max-gap set to zero, counted in the report")(
      "more", po::value(&extra_inputs)->composing(), "ismn: further station files (or list them after INPUT)")(
      "error", po::value(&error_sd), "ismn: observation error standard deviation written to the file (default 0.03)")(
      "product", po::value(&product), product_help.c_str())(
      "near", po::value(&near), "cf-dsg: sites 'lon,lat[,name];...' (default: every grid point)")(
      "max-distance-km", po::value(&max_km), "cf-dsg: nearest grid point must lie within this (default 25)")(
      "column", po::value(&column), "hrldas-obs, ameriflux-swc: the soil-moisture column (e.g. SM1, SWC1)")(
      "lon", po::value(&lon), "hrldas-obs: the station's longitude")("lat", po::value(&lat), "hrldas-obs: its latitude")(
      "station", po::value(&station), "hrldas-obs: the station's name (default: the column)")(
      "repeats", po::value(&repeats), "hrldas-obs: flag runs of this many identical values (default 3; 0: none)")(
      "option", po::value(&prod.options)->composing(),
      "products: a reader's key=value (landda describe smap_l2, ...); repeat for several")(
      "bbox", po::value(&prod.bbox), "products: keep values in 'west,south,east,north' (degrees)")(
      "superob-deg", po::value(&prod.superob_deg), "products: average each granule's values in boxes of this many degrees")(
      "onto", po::value(&prod.onto), "products: average each granule's values onto the cells of this run config's model.grid")(
      "onto-radius-km", po::value(&prod.onto_radius_km), "products: --onto a points grid: pixels within this of a point (default 5)")(
      "utc-offset", po::value(&utc_offset), "ameriflux: the site's local standard time minus UTC, in hours (e.g. -7)")(
      "preset", po::value(&forcing.preset), "forcing: the product's variable map (era5, era5_land, gldas, nldas, merra2)")(
      "map", po::value(&forcing.map), "forcing: a variable map of one's own (YAML; see docs/downloads.md)")(
      "points", po::value(&forcing.points), "forcing: the cells as 'lon,lat[,name];...' (instead of --onto)")(
      "method", po::value(&forcing.method), "forcing: bilinear (default) or nearest")(
      "variables", po::value(&forcing.variables), "forcing: make only these landda variables (pr,tas,...)")(
      "source-elevation", po::value(&forcing.source_elevation),
      "forcing: the forcing's terrain (NetCDF: z or PHIS geopotential, or elevation/orog/HGT in m) for the height correction")(
      "cell-elevation", po::value(&forcing.cell_elevation),
      "forcing: the cells' heights: a NetCDF terrain grid or 'h1,h2,...' (m), one a cell")(
      "error-correlation-km", po::value(&prod.correlation_km),
      "products: pixel errors correlate as exp(-d/L); a super-observation's error shrinks only as far as that allows "
      "(default 10; 0: independent)");
  po::positional_options_description pos;
  pos.add("kind", 1).add("input", 1).add("more", -1);
  const po::variables_map vm = parse_command(args, opts, pos, "landda import");
  if (vm.count("help") || kind.empty()) {
    std::cout << "usage: landda import KIND INPUT --output FILE [--max-gap N]\n\n"
                 "Turns a real download into a landda file. Kinds:\n"
                 "  bondville      the Noah-MP Bondville text forcing -> a landda forcing file (CF NetCDF)\n"
                 "  hrldas         HRLDAS single-point text forcing (namelist header, its conversions) -> a forcing file\n"
                 "  hrldas-obs     a soil-moisture column of an HRLDAS observation table -> IODA (landda import hrldas-obs\n"
                 "                 Bondville_obs_2001.dat --column SM1 --lon -88.37 --lat 40.01 --station Bondville -o sm1.nc)\n"
                 "  ismn-forcing   ISMN station precipitation and air temperature -> an hourly landda forcing file\n"
                 "  cf-dsg         TU Wien time-series cells (SMAP L3, SMOS-IC, SMOS L3, ASCAT H119/H113, ESA CCI, C3S,\n"
                 "                 ERA5, ERA5-Land, GLDAS)\n"
                 "                 -> IODA, applying the product's flags (landda import cf-dsg --product smap_l3 0165.nc\n"
                 "                 0166.nc --near '-155.33,19.79,PuaAkala' -o smap.nc)\n"
                 "  smap-l2, smos-l2, smos-l3, cgls-ssm, cgls-swi, lis-history\n"
                 "                 products as distributed (granules, folders or patterns) -> one IODA file, each\n"
                 "                 product's quality tests applied and counted (landda import smap-l2 SMAP/ -o smap.nc\n"
                 "                 --start 2015-08-11 --end 2015-08-12 --bbox -125,25,-65,50 [--option quality=successful]\n"
                 "                 [--superob-deg 0.25 | --onto run.yaml]); keys: landda describe smap_l2, ...\n"
                 "  ameriflux      an AmeriFlux/FLUXNET Level-2 site CSV -> a forcing file (PREC, TA, RH, PRESS, WS, Rg, Rgl)\n"
                 "                 (landda import ameriflux AMF_USWhs_2007_L2_WG_V004.csv --utc-offset -7 -o forcing.nc)\n"
                 "  ameriflux-swc  one SWC column of that file -> IODA observations (--column SWC1 --utc-offset -7)\n"
                 "  lis-state      a LIS history file's soil moisture onto a run config's cells and layers -> an initial\n"
                 "                 state (experiment.initial.file; landda import lis-state LIS_HIST.nc --onto run.yaml -o s.nc)\n"
                 "  forcing        gridded forcing (ERA5, ERA5-Land in both CDS layouts, GLDAS, NLDAS, MERRA-2, or a map of\n"
                 "                 one's own) onto the cells of a run config or points -> a forcing file (landda import forcing\n"
                 "                 --preset era5 ERA5/ --onto run.yaml -o forcing.nc [--method nearest] [--variables pr,tas])\n"
                 "  ismn           ISMN soil-moisture station files (either layout) -> one IODA observation file,\n"
                 "                 values flagged G only (landda import ismn F1.stm [F2.stm ...] -o obs.nc [--start --end])\n"
                 "                 (landda import ismn-forcing --precipitation P.stm --temperature T.stm --start S --end E -o F.nc)\n\n"
                 "Gaps (missing-value flags) of at most --max-gap records are filled by linear interpolation in\n"
                 "time and counted in the report; longer gaps stop the import with the variable and the times.\n\n"
              << opts;
    return kind.empty() && !vm.count("help") ? 2 : 0;
  }
  std::string product_kind = kind;
  std::replace(product_kind.begin(), product_kind.end(), '-', '_');
  if (observations::products::readers().has(product_kind)) {
    std::vector<std::string> inputs;
    if (!input.empty()) inputs.push_back(input);
    for (const auto& extra : extra_inputs) inputs.push_back(extra);
    prod.start = start_text, prod.end = end_text, prod.output = output;
    return import_product(product_kind, inputs, prod);
  }
  if (kind == "lis-state") return import_lis_state(input, prod.onto, forcing.method, output);
  if (kind == "forcing") {
    std::vector<std::string> inputs;
    if (!input.empty()) inputs.push_back(input);
    for (const auto& extra : extra_inputs) inputs.push_back(extra);
    forcing.onto = prod.onto, forcing.start = start_text, forcing.end = end_text, forcing.output = output;
    return import_forcing(inputs, forcing);
  }
  if (kind == "ismn-forcing") return import_ismn_forcing({pr_file, ta_file, start_text, end_text, output, long_gaps, max_gap});
  std::vector<std::string> files{input};
  for (const auto& extra : extra_inputs) files.push_back(extra);
  if (kind == "cf-dsg") return import_cf_dsg({files, product, near, start_text, end_text, output, max_km});
  if (kind == "ismn") return import_ismn(files, start_text, end_text, output, error_sd);
  if (input.empty() || output.empty()) throw ConfigError("landda import: INPUT and --output are required (see --help)");
  if (max_gap < 0) throw ConfigError("landda import: --max-gap must be >= 0");
  if (kind == "bondville") {
    auto s = models::soil::read_bondville(input);
    const auto filled = models::soil::fill_gaps(s, max_gap, input);
    models::soil::write_forcing(s, output);
    std::cout << "imported " << s.values[0].size() << " records, " << s.start.iso() << " every " << s.interval.iso()
              << ", into " << output << '\n';
    for (int v = 0; v < 7; ++v)
      if (filled[v] > 0)
        std::cout << "  filled " << filled[v] << " missing value(s) of "
                  << models::soil::met_name(static_cast<models::soil::Met>(v)) << " by linear interpolation\n";
    return 0;
  }
  if (kind == "hrldas") return import_hrldas_forcing(input, output, max_gap);
  if (kind == "ameriflux" || kind == "ameriflux-swc")
    return import_ameriflux(kind, {input, output, column, start_text, end_text, utc_offset, error_sd, max_gap});
  if (kind == "hrldas-obs") return import_hrldas_obs(input, output, column, lon, lat, station, error_sd, repeats);
  throw ConfigError(cat("landda import: unknown kind '", kind,
                        "'; available: bondville, hrldas, hrldas-obs, ismn-forcing, ismn, cf-dsg, forcing, lis-state, ameriflux, ameriflux-swc, ",
                        config::join(observations::products::readers().names())));
}

}  // namespace landda::app
