#include "observations/ioda/ioda_file.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "io/netcdf.hpp"

namespace landda::observations {
namespace {
constexpr double kFill = -9999.0;
const char* kTimeUnits = "seconds since 1970-01-01T00:00:00Z";
}  // namespace

void write_ioda(const ObsFile& f, const std::string& path) {
  const ObsBatch& b = f.obs;
  const auto n = static_cast<std::size_t>(b.size());
  for (std::size_t i = 1; i < n; ++i)
    if (b.time[i] < b.time[i - 1])
      throw InputError(cat(path, ": observation ", i, " at ", b.time[i].iso(), " is before the previous one (",
                           b.time[i - 1].iso(), "); sort by time before writing"));
  auto nc = io::NcFile::create(path);
  nc.def_dim("Location", n);
  nc.put_att("", "Conventions", "CF-1.8");
  nc.put_att("", "ioda_layout", "ObsGroup");
  nc.put_att("", "platform", f.platform);
  nc.put_att("", "sensor", f.sensor);
  nc.put_att("", "source", f.source);
  const std::size_t chunk = std::max<std::size_t>(1, std::min<std::size_t>(n, 1 << 16));
  nc.def_var({"MetaData/latitude", io::NcType::f64, {"Location"}, {chunk}, 1});
  nc.def_var({"MetaData/longitude", io::NcType::f64, {"Location"}, {chunk}, 1});
  nc.def_var({"MetaData/dateTime", io::NcType::i64, {"Location"}, {chunk}, 1});
  nc.put_att("MetaData/latitude", "units", "degrees_north");
  nc.put_att("MetaData/longitude", "units", "degrees_east");
  nc.put_att("MetaData/dateTime", "units", kTimeUnits);
  if (!f.station.empty()) nc.def_strings("MetaData/stationIdentification", "Location", f.station);
  const std::string v = f.variable;
  nc.def_var({"ObsValue/" + v, io::NcType::f64, {"Location"}, {chunk}, 1, kFill});
  nc.def_var({"ObsError/" + v, io::NcType::f64, {"Location"}, {chunk}, 1, kFill});
  nc.def_var({f.qc_group + "/" + v, io::NcType::i32, {"Location"}, {chunk}, 1});
  nc.put_att("ObsValue/" + v, "units", f.units);
  nc.put_att("ObsError/" + v, "units", f.units);
  nc.put_att("ObsError/" + v, "long_name", "observation error standard deviation");
  nc.put_att(f.qc_group + "/" + v, "long_name",
             "quality flag: 0 good, 1 missing, 2 out of domain, 10 gross error, 20 not used");
  for (const auto& g : f.groups) {
    if (g.values.size() != n)
      throw Error(cat(path, ": group ", g.name, " has ", g.values.size(), " values for ", n, " observations"));
    nc.def_var({g.name + "/" + v, io::NcType::f64, {"Location"}, {chunk}, 1, kFill});
    nc.put_att(g.name + "/" + v, "units", f.units);
    nc.put_att(g.name + "/" + v, "long_name", g.long_name);
  }
  nc.end_def();
  if (n == 0) {
    nc.commit();
    return;
  }
  std::vector<double> value(n), error(n);
  std::vector<long long> t(n);
  for (std::size_t i = 0; i < n; ++i) {
    value[i] = std::isfinite(b.value[static_cast<Eigen::Index>(i)]) ? b.value[static_cast<Eigen::Index>(i)] : kFill;
    error[i] = std::isfinite(b.error[static_cast<Eigen::Index>(i)]) ? b.error[static_cast<Eigen::Index>(i)] : kFill;
    t[i] = b.time[i].seconds;
  }
  nc.put("MetaData/latitude", b.y.data());
  nc.put("MetaData/longitude", b.x.data());
  nc.put("MetaData/dateTime", t.data());
  if (!f.station.empty()) nc.put_strings("MetaData/stationIdentification", f.station);
  nc.put("ObsValue/" + v, value.data());
  nc.put("ObsError/" + v, error.data());
  nc.put(f.qc_group + "/" + v, b.qc.data());
  for (const auto& g : f.groups) {
    std::vector<double> out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = std::isfinite(g.values[i]) ? g.values[i] : kFill;
    nc.put(g.name + "/" + v, out.data());
  }
  nc.commit();
}

namespace {

struct PhysicalRange {
  double lo, hi;
};

// The units each soil-moisture variable must carry, and the values it can take.
PhysicalRange physical_range(const std::string& variable, const std::string& units, const std::string& path) {
  struct Known {
    const char* variable;
    std::vector<std::string> units;
    PhysicalRange range;
  };
  static const std::vector<Known> known{
      {"soilMoistureVolumetric", {"m3 m-3", "m3/m3", "m^3 m^-3", "m3.m-3", "cm3 cm-3", "cm3/cm3"}, {0.0, 1.0}},
      {"soilMoistureSaturation", {"%", "percent"}, {0.0, 100.0}},
      {"soilMoistureWetnessFraction", {"1", "fraction", ""}, {0.0, 1.0}},
  };
  for (const auto& k : known) {
    if (variable != k.variable) continue;
    if (std::find(k.units.begin(), k.units.end(), units) == k.units.end())
      throw InputError(cat(path, ": ObsValue/", variable, units.empty() ? " has no units attribute" : " has units '" + units + "'",
                           "; expected '", k.units.front(), "' (values of another unit would be assimilated as these)"));
    return k.range;
  }
  return {-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
}

}  // namespace

ObsFile read_ioda(const std::string& path, const std::string& variable, const std::string& units,
                  const std::vector<std::string>& groups) {
  const auto nc = io::NcFile::open(path);
  ObsFile f;
  if (!nc.has_dim("Location")) throw InputError(cat(path, ": not an IODA observation file (no 'Location' dimension)"));
  for (const char* need : {"MetaData/latitude", "MetaData/longitude", "MetaData/dateTime"})
    if (!nc.has_var(need)) throw InputError(cat(path, ": IODA variable '", need, "' is missing"));
  if (!variable.empty()) {
    f.variable = variable;
  } else {
    // The one variable of the ObsValue group.
    bool found = false;
    for (const char* candidate : {"soilMoistureVolumetric", "soilMoistureSaturation", "soilMoistureWetnessFraction"})
      if (nc.has_var(std::string("ObsValue/") + candidate)) {
        f.variable = candidate;
        found = true;
        break;
      }
    if (!found) throw InputError(cat(path, ": no soil-moisture variable in group ObsValue"));
  }
  const std::string v = f.variable;
  for (const std::string g : {"ObsValue/", "ObsError/"})
    if (!nc.has_var(g + v)) throw InputError(cat(path, ": IODA variable '", g + v, "' is missing"));
  f.units = nc.has_att("ObsValue/" + v, "units") ? nc.att_text("ObsValue/" + v, "units") : "";
  if (!units.empty() && f.units != units)
    throw InputError(cat(path, ": ObsValue/", v, " has units '", f.units, "'; expected '", units, "'"));
  const PhysicalRange range = physical_range(v, f.units, path);
  if (nc.att_text("MetaData/dateTime", "units") != kTimeUnits)
    throw InputError(cat(path, ": MetaData/dateTime has units '", nc.att_text("MetaData/dateTime", "units"), "'; expected '",
                         kTimeUnits, "'"));
  for (const char* a : {"platform", "sensor", "source"})
    if (nc.has_att("", a)) (std::string(a) == "platform" ? f.platform : std::string(a) == "sensor" ? f.sensor : f.source) = nc.att_text("", a);
  const std::size_t n = nc.dim_len("Location");
  ObsBatch& b = f.obs;
  b.resize(static_cast<Eigen::Index>(n));
  b.source_names = {f.sensor.empty() ? v : f.sensor};
  if (n == 0) return f;
  const auto lat = nc.get("MetaData/latitude"), lon = nc.get("MetaData/longitude");
  const auto t = nc.get_int64("MetaData/dateTime");
  const auto value = nc.get("ObsValue/" + v), error = nc.get("ObsError/" + v);
  std::vector<double> qc(n, 0.0);
  if (nc.has_var("PreQC/" + v)) {
    qc = nc.get_raw("PreQC/" + v);
  } else if (nc.has_var("EffectiveQC/" + v)) {  // a feedback file
    qc = nc.get_raw("EffectiveQC/" + v);
    f.qc_group = "EffectiveQC";
  }
  for (const auto& g : groups) {
    if (!nc.has_var(g + "/" + v)) throw InputError(cat(path, ": IODA variable '", g, "/", v, "' is missing"));
    f.groups.push_back({g, nc.has_att(g + "/" + v, "long_name") ? nc.att_text(g + "/" + v, "long_name") : "", nc.get(g + "/" + v)});
  }
  if (nc.has_var("MetaData/stationIdentification")) f.station = nc.get_strings("MetaData/stationIdentification");
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(lat[i]) || !std::isfinite(lon[i]) || lat[i] < -90 || lat[i] > 90 || lon[i] < -180 || lon[i] > 360)
      throw InputError(cat(path, ": location ", i, " has no valid latitude/longitude (", lat[i], ", ", lon[i], ")"));
    b.y[i] = lat[i];
    b.x[i] = lon[i];
    b.time[i] = Time{t[i]};
    if (i > 0 && b.time[i] < b.time[i - 1])
      throw InputError(cat(path, ": MetaData/dateTime is out of order at location ", i, " (", b.time[i].iso(), " after ",
                           b.time[i - 1].iso(), ")"));
    const auto ei = static_cast<Eigen::Index>(i);
    b.value[ei] = value[i];
    b.error[ei] = error[i];
    b.qc[i] = static_cast<int>(qc[i]);
    if (!std::isfinite(value[i])) {
      b.qc[i] = static_cast<int>(QcFlag::missing);
    } else if (value[i] < range.lo || value[i] > range.hi) {
      b.qc[i] = static_cast<int>(QcFlag::bounds);  // cannot be physical: flagged, counted, never used
      ++f.out_of_range;
    } else if (b.qc[i] == 0 && !(error[i] > 0.0))
      throw InputError(cat(path, ": ObsError/", v, " at location ", i, " is ", error[i],
                           "; expected a positive standard deviation for a good observation"));
  }
  return f;
}

}  // namespace landda::observations
