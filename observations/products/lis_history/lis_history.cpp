#include "observations/products/lis_history/lis_history.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/time.hpp"
#include "io/netcdf.hpp"
#include "observations/products/cf_flags.hpp"

namespace landda::observations::products {

void LisHistory::Params::visit(config::Visitor& v) {
  v("layer", layer, config::doc("which soil layer, counted from the top (1: the surface layer)").range(1, 100));
  v("variable", variable, config::doc("the soil-moisture variable (m3 m-3, dimensions (layers, north_south, east_west))"));
  v("error", error, config::doc("error standard deviation given to every value").above(0).at_most(0.5).in("m3 m-3"));
}

ProductKind LisHistory::kind() const {
  ProductKind k;
  k.platform = "model";
  k.sensor = "NASA LIS " + p_.variable + " layer " + std::to_string(p_.layer);
  k.default_error = p_.error;
  return k;
}

std::vector<std::pair<std::string, std::string>> LisHistory::attributes() const {
  return {{"product", "NASA LIS history"}, {"layer", std::to_string(p_.layer)}};
}

Granule LisHistory::read(const std::string& path) const {
  const auto nc = io::NcFile::open(path);
  require(nc, {p_.variable, "lat", "lon", "time"}, "LIS history");
  const auto shape = nc.var_shape(p_.variable);
  if (shape.size() != 3) throw InputError(cat(path, ": ", p_.variable, " must have dimensions (layers, north_south, east_west)"));
  if (static_cast<std::size_t>(p_.layer) > shape[0])
    throw InputError(cat(path, ": ", p_.variable, " has ", shape[0], " layer(s); layer ", p_.layer, " was asked for"));
  const std::string units = nc.has_att(p_.variable, "units") ? nc.att_text(p_.variable, "units") : "";
  if (units != "m^3 m-3" && units != "m3 m-3" && units != "m3/m3")
    throw InputError(cat(path, ": ", p_.variable, " has units '", units, "'; expected volumetric 'm^3 m-3'"));
  const auto t = nc.get("time");
  if (t.size() != 1 || !std::isfinite(t[0])) throw InputError(cat(path, ": 'time' must hold the one output time"));
  const Time stamp = CfTimeUnits::parse(nc.att_text("time", "units")).to_time(t[0]);
  Granule g;
  const std::size_t n = shape[1] * shape[2];
  g.value = nc.get(p_.variable, {static_cast<std::size_t>(p_.layer - 1), 0, 0}, {1, shape[1], shape[2]});
  const auto raw = nc.get_raw(p_.variable, {static_cast<std::size_t>(p_.layer - 1), 0, 0}, {1, shape[1], shape[2]});
  g.resize(n);
  g.lat = nc.get("lat");
  g.lon = nc.get("lon");
  if (g.lat.size() != n || g.lon.size() != n) throw InputError(cat(path, ": lat and lon are not shaped like ", p_.variable));
  const auto fill = nc.att_double(p_.variable, "_FillValue");
  g.nominal_time = stamp.seconds;
  for (std::size_t i = 0; i < n; ++i) {
    if (std::isnan(g.value[i]) && !(fill && raw[i] == *fill)) g.failed[i] |= 1U;
    if (std::isfinite(g.value[i])) g.time[i] = stamp.seconds;
  }
  return g;
}

}  // namespace landda::observations::products
