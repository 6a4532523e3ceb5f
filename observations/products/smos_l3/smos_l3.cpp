#include "observations/products/smos_l3/smos_l3.hpp"

#include <cmath>

#include "core/error.hpp"
#include "io/netcdf.hpp"
#include "observations/products/cf_flags.hpp"

namespace landda::observations::products {
namespace {
constexpr std::int64_t kEpoch = 946684800;  // 2000-01-01T00:00:00Z
// Science_Flags bits in order (SMOS L2 SM product specification, shared by CATDS L3),
// for files that carry no flag_meanings.
const std::vector<std::string> kScienceBits{"FL_NON_NOM", "FL_SCENE_T", "FL_BARREN", "FL_TOPO_S",   "FL_TOPO_M",
                                            "FL_OW",      "FL_SNOW_MIX", "FL_SNOW_WET", "FL_SNOW_DRY", "FL_FOREST",
                                            "FL_NOMINAL", "FL_FROST",   "FL_ICE",      "FL_WETLANDS", "FL_FLOOD_PROB",
                                            "FL_URBAN_LOW", "FL_URBAN_HIGH", "FL_SAND", "FL_SEA_ICE", "FL_COAST",
                                            "FL_OCCUR_T", "FL_LAI_MAX", "FL_DOUBT_SNOW", "FL_DOUBT_SEA_ICE",
                                            "FL_LAKE_T"};
}  // namespace

void SmosL3::Params::visit(config::Visitor& v) {
  v("quality", quality,
    config::doc("science_flags: reject values whose Science_Flags carry the listed meanings (the file must have "
                "Science_Flags); none: no flag test (a subset without flags), said in the file and the report")
        .one_of({"science_flags", "none"}));
  v("science_flags", science_flags, config::doc("Science_Flags meanings that reject a value"));
  v("error", error, config::doc("error standard deviation where the file has no Soil_Moisture_Dqx").above(0).at_most(0.5).in("m3 m-3"));
}

ProductKind SmosL3::kind() const {
  ProductKind k;
  k.platform = "SMOS";
  k.sensor = "SMOS MIRAS CATDS L3 soil moisture";
  k.default_error = p_.error;
  return k;
}

std::vector<std::string> SmosL3::tests() const {
  auto t = p_.quality == "none" ? std::vector<std::string>{} : test_names("Science_Flags", p_.science_flags);
  t.push_back("Soil_Moisture: outside valid range");
  return t;
}

std::vector<std::pair<std::string, std::string>> SmosL3::attributes() const {
  return {{"product", "SMOS L3 CATDS daily soil moisture"}, {"quality", p_.quality}};
}

Granule SmosL3::read(const std::string& path) const {
  const auto nc = io::NcFile::open(path);
  require(nc, {"Soil_Moisture", "Mean_Acq_Time_Days", "Mean_Acq_Time_Seconds", "lat", "lon"}, "SMOS L3 CATDS");
  if (p_.quality != "none" && !nc.has_var("Science_Flags"))
    throw InputError(cat(path, ": variable 'Science_Flags' is missing; the SMOS L3 quality tests need it (a subset "
                               "made with cdo selname drops it); import with --option quality=none to take the values "
                               "without flags"));
  const auto lat = nc.get("lat"), lon = nc.get("lon");
  const auto dims = nc.var_dims("Soil_Moisture");
  if (dims.size() < 2 || dims[dims.size() - 2] != "lat" || dims.back() != "lon")
    throw InputError(cat(path, ": Soil_Moisture has dimensions other than (lat, lon)"));
  Granule g;
  const auto n_tests = static_cast<int>(tests().size());
  read_values(nc, "Soil_Moisture", n_tests - 1, g.value, g.failed);
  if (g.value.size() != lat.size() * lon.size())
    throw InputError(cat(path, ": Soil_Moisture holds ", g.value.size(), " values for a ", lat.size(), " x ", lon.size(), " grid"));
  g.resize(g.value.size());
  if (nc.has_var("Soil_Moisture_Dqx")) g.error = nc.get("Soil_Moisture_Dqx");
  const auto days = nc.get("Mean_Acq_Time_Days"), seconds = nc.get("Mean_Acq_Time_Seconds");
  if (p_.quality != "none")
    mark(read_flags(nc, "Science_Flags", kScienceBits), p_.science_flags, raw_flags(nc, "Science_Flags"), path, 0, g.failed);
  if (days.size() != g.size() || seconds.size() != g.size() || g.error.size() != g.size())
    throw InputError(cat(path, ": the (lat, lon) variables differ in size"));
  for (std::size_t j = 0, i = 0; j < lat.size(); ++j)
    for (std::size_t k = 0; k < lon.size(); ++k, ++i) {
      g.lat[i] = lat[j];
      g.lon[i] = lon[k];
      if (std::isfinite(days[i]) && std::isfinite(seconds[i]))
        g.time[i] = kEpoch + static_cast<std::int64_t>(days[i]) * 86400 + static_cast<std::int64_t>(seconds[i]);
    }
  return g;
}

}  // namespace landda::observations::products
