#include "models/soil_water/gridded_forcing.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <sstream>

#include "config/node.hpp"
#include "core/error.hpp"
#include "io/file_list.hpp"
#include "io/netcdf.hpp"
#include "models/soil_water/forcing.hpp"

namespace landda::models::soil {

void ForcingMap::Entry::visit(config::Visitor& v) {
  v("target", target, config::doc("the landda variable it makes").one_of({"pr", "tas", "rsds", "rlds", "hurs", "sfcWind", "ps"}));
  v("name", name, config::doc("the variable in the files").needed());
  v("units", units, config::doc("units the file may give it (spellings: '**' and '^' are ignored)").not_empty());
  v("timing", timing,
    config::doc("how its values stand in time (see landda import --help forcing)")
        .one_of({"instantaneous", "mean_ending", "total_ending", "total_since_reset", "mean_centred", "mean_starting",
                 "total_starting"}));
  v("factor", factor, config::doc("multiplies the values into landda's units (totals: into kg m-2 or J m-2 an interval)"));
  v("offset", offset, config::doc("then added (e.g. 273.15 for degrees C)"));
  v("reset_hour", reset_hour, config::doc("total_since_reset: the UTC hour the accumulation starts again").range(0, 23));
  v("role", role,
    config::doc("value: the target itself; dewpoint or specific_humidity: hurs from it (with tas, and ps); "
                "wind_u, wind_v: sfcWind from the two")
        .one_of({"value", "dewpoint", "specific_humidity", "wind_u", "wind_v"}));
}

void ForcingMap::visit(config::Visitor& v) {
  v.sections("variables", variables, config::doc("the file variables and what each makes, first present first used").not_empty());
}

namespace {

// The presets, as a user would write a map (docs/downloads.md says where each convention comes from).
const std::map<std::string, std::string>& preset_maps() {
  static const std::map<std::string, std::string> m{
      {"era5", R"(variables:
  - {target: pr, name: tp, units: [m], timing: total_ending, factor: 1000}
  - {target: pr, name: mtpr, units: [kg m-2 s-1], timing: mean_ending}
  - {target: tas, name: t2m, units: [K]}
  - {target: rsds, name: ssrd, units: [J m-2], timing: total_ending}
  - {target: rsds, name: msdwswrf, units: [W m-2], timing: mean_ending}
  - {target: rlds, name: strd, units: [J m-2], timing: total_ending}
  - {target: rlds, name: msdwlwrf, units: [W m-2], timing: mean_ending}
  - {target: hurs, name: d2m, units: [K], role: dewpoint}
  - {target: sfcWind, name: u10, units: [m s-1], role: wind_u}
  - {target: sfcWind, name: v10, units: [m s-1], role: wind_v}
  - {target: ps, name: sp, units: [Pa]}
)"},
      {"era5_land", R"(variables:
  - {target: pr, name: tp, units: [m], timing: total_since_reset, factor: 1000}
  - {target: tas, name: t2m, units: [K]}
  - {target: rsds, name: ssrd, units: [J m-2], timing: total_since_reset}
  - {target: rlds, name: strd, units: [J m-2], timing: total_since_reset}
  - {target: hurs, name: d2m, units: [K], role: dewpoint}
  - {target: sfcWind, name: u10, units: [m s-1], role: wind_u}
  - {target: sfcWind, name: v10, units: [m s-1], role: wind_v}
  - {target: ps, name: sp, units: [Pa]}
)"},
      {"gldas", R"(variables:
  - {target: pr, name: Rainf_f_tavg, units: [kg m-2 s-1], timing: mean_ending}
  - {target: tas, name: Tair_f_inst, units: [K]}
  - {target: rsds, name: SWdown_f_tavg, units: [W m-2], timing: mean_ending}
  - {target: rlds, name: LWdown_f_tavg, units: [W m-2], timing: mean_ending}
  - {target: hurs, name: Qair_f_inst, units: [kg kg-1, kg/kg], role: specific_humidity}
  - {target: sfcWind, name: Wind_f_inst, units: [m s-1]}
  - {target: ps, name: Psurf_f_inst, units: [Pa]}
)"},
      {"nldas", R"(variables:
  - {target: pr, name: Rainf, units: [kg m-2], timing: total_starting}
  - {target: tas, name: Tair, units: [K]}
  - {target: rsds, name: SWdown, units: [W m-2], timing: mean_starting}
  - {target: rlds, name: LWdown, units: [W m-2], timing: mean_starting}
  - {target: hurs, name: Qair, units: [kg kg-1, kg/kg], role: specific_humidity}
  - {target: sfcWind, name: Wind_E, units: [m s-1], role: wind_u}
  - {target: sfcWind, name: Wind_N, units: [m s-1], role: wind_v}
  - {target: ps, name: PSurf, units: [Pa]}
)"},
      {"merra2", R"(variables:
  - {target: pr, name: PRECTOTCORR, units: [kg m-2 s-1], timing: mean_centred}
  - {target: pr, name: PRECTOT, units: [kg m-2 s-1], timing: mean_centred}
  - {target: tas, name: T2M, units: [K], timing: mean_centred}
  - {target: rsds, name: SWGDN, units: [W m-2], timing: mean_centred}
  - {target: rlds, name: LWGAB, units: [W m-2], timing: mean_centred}
  - {target: hurs, name: QV2M, units: [kg kg-1, kg/kg], timing: mean_centred, role: specific_humidity}
  - {target: sfcWind, name: U10M, units: [m s-1], timing: mean_centred, role: wind_u}
  - {target: sfcWind, name: V10M, units: [m s-1], timing: mean_centred, role: wind_v}
  - {target: ps, name: PS, units: [Pa], timing: mean_centred}
)"}};
  return m;
}

std::string canonical_units(std::string u) {
  for (const std::string drop : {"**", "^"})
    for (std::size_t p; (p = u.find(drop)) != std::string::npos;) u.erase(p, drop.size());
  std::istringstream is(u);
  std::string out;
  for (std::string w; is >> w;) out += (out.empty() ? "" : " ") + w;
  return out;
}

// One regular lat/lon grid of a file and the interpolation of it onto the cells.
struct Interpolation {
  std::size_t lat0 = 0, nlat = 0, lon0 = 0, nlon = 0;  // the box read
  std::vector<std::array<std::size_t, 4>> at;          // per cell: indices into the box
  std::vector<std::array<double, 4>> w;
  // Cell c's value from a box (values at box + at[c][q]): the weights renormalised over
  // the points that have a value; NaN when none has.
  double blend(std::size_t c, const double* box) const {
    double sum = 0, wsum = 0;
    for (int q = 0; q < 4; ++q) {
      const double x = box[at[c][q]];
      if (w[c][q] > 0 && std::isfinite(x)) sum += w[c][q] * x, wsum += w[c][q];
    }
    return wsum > 0 ? sum / wsum : std::nan("");
  }
};

// A file of one point (a point download) serves cells this close to it: half of ERA5's spacing.
constexpr double kPointAxisDegrees = 0.125;

// Where x falls on a monotonic axis: lower index and fraction (an axis of one point: itself).
bool bracket(const std::vector<double>& axis, double x, std::size_t& i, double& f) {
  const std::size_t n = axis.size();
  if (n == 1) return i = 0, f = 0, std::fabs(axis[0] - x) <= kPointAxisDegrees;
  const bool up = axis[1] > axis[0];
  const double lo = up ? axis.front() : axis.back(), hi = up ? axis.back() : axis.front();
  if (x < lo - 1e-9 || x > hi + 1e-9) return false;
  for (std::size_t k = 0; k + 1 < n; ++k) {
    const double a = axis[k], b = axis[k + 1];
    if ((x - a) * (x - b) <= 0) {
      i = k, f = b == a ? 0.0 : (x - a) / (b - a);
      return true;
    }
  }
  return false;
}

Interpolation interpolation(const std::vector<double>& lat, const std::vector<double>& lon, const GriddedForcingRequest& r,
                            const std::string& path) {
  const std::size_t m = r.lon.size();
  std::vector<std::size_t> li(m), lj(m);
  std::vector<double> fi(m), fj(m);
  const bool lon360 = *std::max_element(lon.begin(), lon.end()) > 180.0;
  for (std::size_t c = 0; c < m; ++c) {
    double x = r.lon[c];
    if (lon360 && x < 0) x += 360.0;
    if (!lon360 && x > 180) x -= 360.0;
    if (!bracket(lat, r.lat[c], lj[c], fj[c]) || !bracket(lon, x, li[c], fi[c]))
      throw InputError(cat(path, ": cell ", c, " '", r.names[c], "' (", r.lon[c], " E, ", r.lat[c],
                           " N) lies outside the file's grid (latitude ", lat.front(), " to ", lat.back(),
                           ", longitude ", lon.front(), " to ", lon.back(), ")"));
  }
  Interpolation in;
  const auto [jmin, jmax] = std::minmax_element(lj.begin(), lj.end());
  const auto [imin, imax] = std::minmax_element(li.begin(), li.end());
  in.lat0 = *jmin, in.nlat = std::min(lat.size(), *jmax + 2) - *jmin;
  in.lon0 = *imin, in.nlon = std::min(lon.size(), *imax + 2) - *imin;
  for (std::size_t c = 0; c < m; ++c) {
    std::array<std::size_t, 4> at{};
    std::array<double, 4> w{};
    const std::size_t j = lj[c] - in.lat0, i = li[c] - in.lon0;
    const std::size_t j1 = std::min(j + 1, in.nlat - 1), i1 = std::min(i + 1, in.nlon - 1);
    at = {j * in.nlon + i, j * in.nlon + i1, j1 * in.nlon + i, j1 * in.nlon + i1};
    if (r.method == "nearest") {
      const std::size_t k = (fj[c] > 0.5 ? 2 : 0) + (fi[c] > 0.5 ? 1 : 0);
      w[k] = 1.0;
    } else {
      w = {(1 - fj[c]) * (1 - fi[c]), (1 - fj[c]) * fi[c], fj[c] * (1 - fi[c]), fj[c] * fi[c]};
    }
    in.at.push_back(at);
    in.w.push_back(w);
  }
  return in;
}

// A variable sampled at the cells: stamps (seconds) x cells, NaN where no grid point around has a value.
struct Sampled {
  std::vector<std::int64_t> stamps;
  Eigen::ArrayXXd values;
  std::vector<std::string> files;
  std::int64_t step() const { return stamps.size() > 1 ? stamps[1] - stamps[0] : 0; }
};

std::string find_var(const io::NcFile& nc, std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (nc.has_var(n)) return n;
  return "";
}

// Reads `e.name` from every file holding it, interpolated onto the cells and converted.
Sampled sample(const ForcingMap::Entry& e, const std::vector<std::string>& files, const GriddedForcingRequest& r) {
  std::map<std::int64_t, std::pair<std::vector<double>, std::size_t>> by_time;  // cells' values, the file's index
  Sampled s;
  for (const auto& path : files) {
    const auto nc = io::NcFile::open(path);
    if (!nc.has_var(e.name)) continue;
    const std::string tv = find_var(nc, {"valid_time", "time"}), latv = find_var(nc, {"latitude", "lat"}),
                      lonv = find_var(nc, {"longitude", "lon"});
    if (tv.empty() || latv.empty() || lonv.empty())
      throw InputError(cat(path, ": ", e.name, " needs a time (valid_time or time), latitude and longitude axis"));
    const auto dims = nc.var_dims(e.name);
    if (dims.size() != 3 || dims[0] != nc.var_dims(tv).at(0) || dims[1] != nc.var_dims(latv).at(0) ||
        dims[2] != nc.var_dims(lonv).at(0))
      throw InputError(cat(path, ": ", e.name, " must have dimensions (", tv, ", ", latv, ", ", lonv, ")"));
    const std::string units = nc.has_att(e.name, "units") ? nc.att_text(e.name, "units") : "";
    bool ok = false;
    for (const auto& u : e.units) ok = ok || canonical_units(u) == canonical_units(units);
    if (!ok)
      throw InputError(cat(path, ": ", e.name, " has units '", units, "'; the map expects '", e.units.front(), "'"));
    const auto cf = CfTimeUnits::parse(nc.att_text(tv, "units"));
    const auto t = nc.get(tv);
    const auto in = interpolation(nc.get(latv), nc.get(lonv), r, path);
    s.files.push_back(path);
    const auto box = nc.get(e.name, {0, in.lat0, in.lon0}, {t.size(), in.nlat, in.nlon});
    const std::size_t plane = in.nlat * in.nlon;
    for (std::size_t k = 0; k < t.size(); ++k) {
      std::vector<double> v(r.lon.size());
      for (std::size_t c = 0; c < v.size(); ++c) v[c] = in.blend(c, box.data() + k * plane) * e.factor + e.offset;
      const auto stamp = cf.to_time(t[k]).seconds;
      const auto [it, added] = by_time.emplace(stamp, std::pair{std::move(v), s.files.size() - 1});
      if (!added)
        throw InputError(cat(path, ": ", e.name, " at ", Time{stamp}.iso(), " is also ",
                             it->second.second + 1 == s.files.size() ? "at another step of this file"
                                                                     : "in " + s.files[it->second.second],
                             "; each time must come once"));
    }
  }
  s.values.resize(static_cast<Eigen::Index>(by_time.size()), static_cast<Eigen::Index>(r.lon.size()));
  Eigen::Index k = 0;
  std::vector<std::size_t> from;
  for (const auto& [time, v] : by_time) {
    s.stamps.push_back(time);
    from.push_back(v.second);
    for (std::size_t c = 0; c < v.first.size(); ++c) s.values(k, static_cast<Eigen::Index>(c)) = v.first[c];
    ++k;
  }
  for (std::size_t i = 2; i < s.stamps.size(); ++i)
    if (s.stamps[i] - s.stamps[i - 1] != s.step())
      throw InputError(cat(s.files[from[i]], ": ", e.name, ": the times are not evenly spaced (", Time{s.stamps[i - 1]}.iso(),
                           " then ", Time{s.stamps[i]}.iso(), " after a step of ", s.step(), " s)"));
  return s;
}

// A chosen entry with its samples, and how record times map to its stamps.
struct Source {
  const ForcingMap::Entry* entry;
  Sampled data;
  // The record [t, t + dt) reads stamp t + shift (and, for total_since_reset, also t).
  std::int64_t shift(std::int64_t dt) const {
    const auto& tm = entry->timing;
    if (tm == "mean_ending" || tm == "total_ending" || tm == "total_since_reset") return dt;
    if (tm == "mean_centred") return dt / 2;
    return 0;
  }
  bool total() const { return entry->timing.rfind("total", 0) == 0; }
};

double at_stamp(const Source& s, std::int64_t stamp, std::size_t cell, const GriddedForcingRequest& r) {
  const auto& st = s.data.stamps;
  const auto it = std::lower_bound(st.begin(), st.end(), stamp);
  if (it == st.end() || *it != stamp)
    throw InputError(cat(s.entry->name, " (for ", s.entry->target, "): no file holds ", Time{stamp}.iso()));
  const double v = s.data.values(static_cast<Eigen::Index>(it - st.begin()), static_cast<Eigen::Index>(cell));
  if (!std::isfinite(v))
    throw InputError(cat(s.entry->name, " (for ", s.entry->target, ") has no value at ", Time{stamp}.iso(), " for cell ",
                         cell, " '", r.names[cell], "' (", r.lon[cell], " E, ", r.lat[cell],
                         " N): every grid point around it is missing in ", s.data.files.front(),
                         s.data.files.size() > 1 ? " (and the other files)" : "", "; forcing is never invented"));
  return v;
}

// The value of source s for the record starting at t, in landda's units.
double record_value(const Source& s, std::int64_t t, std::int64_t dt, std::size_t cell, const GriddedForcingRequest& r) {
  const double x = at_stamp(s, t + s.shift(dt), cell, r);
  if (!s.total()) return x;
  if (s.entry->timing != "total_since_reset") return x / static_cast<double>(dt);
  const bool reset = ((t % 86400) + 86400) % 86400 == static_cast<std::int64_t>(s.entry->reset_hour) * 3600;
  return (reset ? x : x - at_stamp(s, t, cell, r)) / static_cast<double>(dt);
}

// A value outside the variable's plausible range is a unit or file error; a flux a
// hair below zero (packing, a difference of two totals) is zero, and counted.
void check_plausible(Met met, double& x, const Source& s, std::int64_t t, std::size_t cell,
                     const GriddedForcingRequest& r, long long& rounded) {
  const auto range = plausible_range(met);
  if (x < range.lo && range.lo == 0.0 && x > -1e-6 * range.hi) {
    x = 0.0;
    ++rounded;
    return;
  }
  if (!(x >= range.lo && x <= range.hi))
    throw InputError(cat(s.data.files.front(), s.data.files.size() > 1 ? " (and the other files)" : "", ": ", met_name(met),
                         " from ", s.entry->name, " is ", x, " at ", Time{t}.iso(), " for cell ", cell, " '", r.names[cell],
                         "', outside the plausible range [", range.lo, ", ", range.hi, "] (wrong units or a damaged file)"));
}

constexpr double kGravity = 9.80665, kDryAir = 287.05, kLapseRate = 0.0065;  // m s-2, J kg-1 K-1, K m-1

// A terrain height field (m) at the cells: a NetCDF grid holding geopotential or height.
std::vector<double> heights_at_cells(const std::string& path, const GriddedForcingRequest& r) {
  const auto nc = io::NcFile::open(path);
  std::string var;
  double scale = 1.0;
  for (const char* g : {"z", "PHIS"})
    if (var.empty() && nc.has_var(g)) var = g, scale = 1.0 / kGravity;
  for (const char* h : {"elevation", "orog", "orography", "HGT"})
    if (var.empty() && nc.has_var(h)) var = h;
  if (var.empty()) throw InputError(cat(path, ": no terrain height: expected z or PHIS (geopotential) or elevation, orog, orography, HGT (m)"));
  const std::string latv = find_var(nc, {"latitude", "lat"}), lonv = find_var(nc, {"longitude", "lon"});
  if (latv.empty() || lonv.empty()) throw InputError(cat(path, ": ", var, " needs latitude and longitude axes"));
  const auto shape = nc.var_shape(var);
  const auto lat = nc.get(latv), lon = nc.get(lonv);
  if (shape.size() < 2 || shape[shape.size() - 2] != lat.size() || shape.back() != lon.size())
    throw InputError(cat(path, ": ", var, " must end with the dimensions (", latv, ", ", lonv, ")"));
  if (nc.var_dims(var).size() > 2 && std::accumulate(shape.begin(), shape.end() - 2, std::size_t{1}, std::multiplies<>()) != 1)
    throw InputError(cat(path, ": ", var, " must hold one field (its leading dimensions of length 1)"));
  auto out = field_at_cells(lat, lon, nc.get(var), r, path);
  for (std::size_t c = 0; c < out.size(); ++c) {
    if (!std::isfinite(out[c])) throw InputError(cat(path, ": no ", var, " around cell ", c, " '", r.names[c], "'"));
    out[c] *= scale;
  }
  return out;
}

// The cells' heights: a comma-separated list (m), one a cell, or else a NetCDF terrain field.
std::vector<double> cell_heights(const GriddedForcingRequest& r) {
  std::vector<double> out;
  std::stringstream ss(r.cell_elevation);
  for (std::string item; std::getline(ss, item, ',');) {
    char* end = nullptr;
    const double h = std::strtod(item.c_str(), &end);
    if (end == item.c_str() || *end != '\0') return heights_at_cells(r.cell_elevation, r);  // not a list: a file
    out.push_back(h);
  }
  if (out.size() != r.lon.size())
    throw ConfigError(cat("--cell-elevation lists ", out.size(), " heights for ", r.lon.size(), " cells"));
  return out;
}

// tas by the lapse rate, ps hypsometrically (mean temperature of the layer), over dz metres up.
void correct_for_height(ForcingSeries& f, double dz) {
  auto& tas = f.values[static_cast<int>(Met::tas)];
  auto& ps = f.values[static_cast<int>(Met::ps)];
  for (std::size_t k = 0; k < tas.size(); ++k) {
    const double t0 = tas[k];
    tas[k] = t0 - kLapseRate * dz;
    if (k < ps.size()) ps[k] *= std::exp(-kGravity * dz / (kDryAir * (t0 - 0.5 * kLapseRate * dz)));
  }
}

}  // namespace

ForcingMap ForcingMap::preset(const std::string& name) {
  const auto it = preset_maps().find(name);
  if (it == preset_maps().end())
    throw ConfigError(cat("no forcing preset '", name, "'; presets: ", config::join(presets())));
  ForcingMap m;
  config::read(config::load_string(it->second, "preset " + name), m);
  return m;
}

std::vector<std::string> ForcingMap::presets() {
  std::vector<std::string> out;
  for (const auto& [n, text] : preset_maps()) out.push_back(n);
  return out;
}

namespace {

// The first entry of the map with this target and role that some file holds.
const ForcingMap::Entry* choose(const ForcingMap& map, const std::string& target, const std::vector<std::string>& roles,
                                const std::map<std::string, bool>& present) {
  for (const auto& e : map.variables)
    if (e.target == target && std::find(roles.begin(), roles.end(), e.role) != roles.end() && present.at(e.name))
      return &e;
  return nullptr;
}

std::map<std::string, bool> variables_present(const ForcingMap& map, const std::vector<std::string>& files) {
  std::map<std::string, bool> present;
  for (const auto& e : map.variables) present[e.name] = false;
  for (const auto& path : files) {
    const auto nc = io::NcFile::open(path);
    for (auto& [name, here] : present) here = here || nc.has_var(name);
  }
  return present;
}

}  // namespace

std::vector<double> field_at_cells(const std::vector<double>& lat, const std::vector<double>& lon,
                                   const std::vector<double>& field, const GriddedForcingRequest& r, const std::string& path) {
  if (field.size() != lat.size() * lon.size())
    throw InputError(cat(path, ": a field of ", field.size(), " values on a ", lat.size(), " x ", lon.size(), " grid"));
  const auto in = interpolation(lat, lon, r, path);
  std::vector<double> box(in.nlat * in.nlon), out(r.lon.size());
  for (std::size_t j = 0; j < in.nlat; ++j)
    for (std::size_t i = 0; i < in.nlon; ++i) box[j * in.nlon + i] = field[(in.lat0 + j) * lon.size() + in.lon0 + i];
  for (std::size_t c = 0; c < out.size(); ++c) out[c] = in.blend(c, box.data());
  return out;
}

namespace {

// What each landda variable is made from (target, sources): hurs and sfcWind take two or three.
using Plan = std::vector<std::pair<Met, std::vector<Source>>>;

// The first entries of the map the files hold, for every variable asked for, sampled at the cells.
Plan plan_sources(const GriddedForcingRequest& r, const std::vector<std::string>& files, GriddedForcingResult& out) {
  const auto present = variables_present(r.map, files);
  Plan plan;
  auto want = [&](const std::string& v) { return r.only.empty() || std::find(r.only.begin(), r.only.end(), v) != r.only.end(); };
  for (int v = 0; v < 7; ++v) {
    const std::string name = met_name(static_cast<Met>(v));
    if (!want(name)) continue;
    std::vector<const ForcingMap::Entry*> parts;
    if (name == "sfcWind" && !choose(r.map, name, {"value"}, present)) {
      parts = {choose(r.map, name, {"wind_u"}, present), choose(r.map, name, {"wind_v"}, present)};
    } else if (name == "hurs") {
      const auto* h = choose(r.map, name, {"value", "dewpoint", "specific_humidity"}, present);
      parts = {h};
      if (h && h->role != "value") parts.push_back(choose(r.map, "tas", {"value"}, present));
      if (h && h->role == "specific_humidity") parts.push_back(choose(r.map, "ps", {"value"}, present));
    } else {
      parts = {choose(r.map, name, {"value"}, present)};
    }
    if (std::find(parts.begin(), parts.end(), nullptr) != parts.end()) {
      out.missing.push_back(name);
      continue;
    }
    std::vector<Source> sources;
    std::string from;
    for (const auto* e : parts) {
      sources.push_back({e, sample(*e, files, r)});
      from += (from.empty() ? "" : ", ") + e->name;
    }
    out.made.push_back(name + " from " + from);
    plan.emplace_back(static_cast<Met>(v), std::move(sources));
  }
  for (const char* need : {"pr", "tas"})
    if (r.only.empty() && std::find(out.missing.begin(), out.missing.end(), need) != out.missing.end())
      throw InputError(cat("gridded forcing: no file holds a variable the map makes '", need,
                           "' from, and the model needs it (to write the others only, list them with --variables)"));
  for (const auto& v : r.only)
    if (std::find(out.missing.begin(), out.missing.end(), v) != out.missing.end())
      throw InputError(cat("gridded forcing: --variables asks for '", v, "' but no file holds what the map makes it from"));
  if (plan.empty()) throw InputError("gridded forcing: nothing to make");
  return plan;
}

struct RecordAxis {
  std::int64_t first, dt;
  std::size_t records;
};

// The common record axis: one step, and the records every source covers (within --start, --end).
RecordAxis record_axis(const Plan& plan, const GriddedForcingRequest& r) {
  const std::int64_t dt = plan.front().second.front().data.step();
  std::int64_t first = std::numeric_limits<std::int64_t>::min(), last = std::numeric_limits<std::int64_t>::max();
  for (const auto& [met, sources] : plan)
    for (const auto& s : sources) {
      if (s.data.stamps.size() < 2 || s.data.step() != dt)
        throw InputError(cat(s.entry->name, ": a time step of ", s.data.step(), " s where the others have ", dt,
                             " s (at least two times each, one step for all)"));
      // total_since_reset also reads the record's own start (a difference of two totals).
      const bool both = s.entry->timing == "total_since_reset";
      first = std::max(first, s.data.stamps.front() - (both ? 0 : s.shift(dt)));
      last = std::min(last, s.data.stamps.back() - s.shift(dt));
    }
  if (r.start.seconds > -(std::int64_t{1} << 60) && r.start.seconds < first)
    throw InputError(cat("gridded forcing: the files begin with the record ", Time{first}.iso(), "; --start ", r.start.iso(),
                         " is earlier"));
  first = std::max(first, r.start.seconds);
  if (r.end.seconds < (std::int64_t{1} << 60)) {
    if (r.end.seconds - dt > last)
      throw InputError(cat("gridded forcing: the files end at ", Time{last}.iso(), " (the last record they can make); --end ",
                           r.end.iso(), " needs more"));
    last = r.end.seconds - dt;
  }
  if (last < first) throw InputError("gridded forcing: the files have no record in common");
  return {first, dt, static_cast<std::size_t>((last - first) / dt + 1)};
}

// One landda variable's record at cell c: the source itself, or derived from its parts.
double make_value(Met met, const std::vector<Source>& sources, std::int64_t t, std::int64_t dt, std::size_t c,
                  const GriddedForcingRequest& r) {
  const double a = record_value(sources[0], t, dt, c, r);
  if (met == Met::sfcWind && sources.size() == 2) return std::hypot(a, record_value(sources[1], t, dt, c, r));
  if (met == Met::hurs && sources[0].entry->role == "dewpoint")
    return relative_humidity_from_dewpoint(a, record_value(sources[1], t, dt, c, r));
  if (met == Met::hurs && sources[0].entry->role == "specific_humidity")
    return relative_humidity(a, record_value(sources[1], t, dt, c, r), record_value(sources[2], t, dt, c, r));
  return a;
}

}  // namespace

GriddedForcingResult import_gridded_forcing(const GriddedForcingRequest& r) {
  if (r.lon.empty() || r.lon.size() != r.lat.size() || r.names.size() != r.lon.size())
    throw ConfigError("gridded forcing: the cells need a longitude, a latitude and a name each");
  if (r.source_elevation.empty() != r.cell_elevation.empty())
    throw ConfigError("gridded forcing: the elevation correction needs both --source-elevation and --cell-elevation");
  const auto files = io::expand_inputs(r.inputs, "*.nc*");
  GriddedForcingResult out;
  const Plan plan = plan_sources(r, files, out);
  const RecordAxis axis = record_axis(plan, r);
  out.cells.resize(r.lon.size());
  for (std::size_t c = 0; c < r.lon.size(); ++c) {
    auto& f = out.cells[c];
    f.start = Time{axis.first};
    f.interval = Duration{axis.dt};
    f.lon = r.lon[c], f.lat = r.lat[c], f.site = r.names[c];
    f.source = "landda import forcing from " + std::to_string(files.size()) + " file(s)";
    for (const auto& [met, sources] : plan) {
      auto& series = f.values[static_cast<int>(met)];
      series.resize(axis.records);
      for (std::size_t k = 0; k < axis.records; ++k) {
        const std::int64_t t = axis.first + static_cast<std::int64_t>(k) * axis.dt;
        series[k] = make_value(met, sources, t, axis.dt, c, r);
        check_plausible(met, series[k], sources.front(), t, c, r, out.rounded_to_zero);
      }
    }
  }
  if (!r.source_elevation.empty()) {
    const auto source = heights_at_cells(r.source_elevation, r), cells = cell_heights(r);
    for (std::size_t c = 0; c < cells.size(); ++c) {
      out.height_change.push_back(cells[c] - source[c]);
      correct_for_height(out.cells[c], out.height_change.back());
    }
  }
  return out;
}

}  // namespace landda::models::soil
