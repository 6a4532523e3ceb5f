#include "observations/products/cgls_image.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/time.hpp"
#include "observations/products/cf_flags.hpp"

namespace landda::observations::products {

void read_cgls_image(const io::NcFile& nc, const std::string& variable, const std::vector<std::string>& reject,
                     int first, Granule& g) {
  const std::string& path = nc.path();
  require(nc, {variable, "lat", "lon", "time"}, "Copernicus Global Land 1 km image");
  const auto lat = nc.get("lat"), lon = nc.get("lon"), t = nc.get("time");
  if (t.size() != 1 || !std::isfinite(t[0])) throw InputError(cat(path, ": 'time' must hold the one image time"));
  const Time image = CfTimeUnits::parse(nc.att_text("time", "units")).to_time(t[0]);
  const auto dims = nc.var_dims(variable);
  if (dims.size() != 3 || dims[1] != "lat" || dims[2] != "lon")
    throw InputError(cat(path, ": ", variable, " has dimensions other than (time, lat, lon)"));
  g.value = nc.get(variable);
  if (g.value.size() != lat.size() * lon.size())
    throw InputError(cat(path, ": ", variable, " holds ", g.value.size(), " values for a ", lat.size(), " x ", lon.size(), " image"));
  g.resize(g.value.size());
  g.nominal_time = image.seconds;
  for (std::size_t j = 0, i = 0; j < lat.size(); ++j)
    for (std::size_t k = 0; k < lon.size(); ++k, ++i) {
      g.lat[i] = lat[j];
      g.lon[i] = lon[k];
      if (std::isfinite(g.value[i])) g.time[i] = image.seconds;
    }
  if (!reject.empty()) mark(read_flags(nc, variable), reject, raw_flags(nc, variable), path, first, g.failed);
}

}  // namespace landda::observations::products
