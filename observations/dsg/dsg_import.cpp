#include "observations/dsg/dsg_import.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/cell_index.hpp"
#include "core/error.hpp"
#include "core/grid.hpp"
#include "io/netcdf.hpp"

// GCC 12 reports a false -Wrestrict on assigning string literals here (GCC bug 105651).
#pragma GCC diagnostic ignored "-Wrestrict"

namespace landda::observations {

DsgProduct DsgProduct::preset(const std::string& name) {
  using K = Rule::Kind;
  DsgProduct p;
  p.name = name;
  p.units = "m3 m-3";
  p.ioda_variable = "soilMoistureVolumetric";
  if (name == "smap_l3" || name == "smap_l3_successful") {
    // SPL3SMP retrieval_qual_flag: a bit is set when its condition fails (O'Neill et al. 2021).
    // smap_l3: bit 0 clear, recommended quality; smap_l3_successful: bits 1 and 2 clear, the
    // retrieval was attempted and succeeded (over mountains and coasts, Hawaii among them,
    // nothing is "recommended"). Volumetric values outside 0-1 go.
    p.value = "soil_moisture";
    p.error = "soil_moisture_error";
    p.rules = {{"retrieval_qual_flag", K::bit_clear, name == "smap_l3" ? 1 : 2 | 4}};
    p.valid_min = 0, p.valid_max = 1;
  } else if (name == "ascat_h119" || name == "ascat_h113") {
    // H SAF: no confidence or processing flag raised; values are degrees of saturation (%).
    p.value = "sm";
    p.error = "sm_noise";
    p.units = "%";
    p.ioda_variable = "soilMoistureSaturation";
    p.default_error = 8.0;
    // ssf (surface state flag): 0 unknown, 1 unfrozen; frozen, melting/water and permanent ice go.
    p.rules = {{"conf_flag", K::equals, 0}, {"proc_flag", K::equals, 0}, {"ssf", K::at_most, 1}};
    p.valid_min = 0, p.valid_max = 100;
  } else if (name == "smos_ic") {
    p.value = "Soil_Moisture";
    p.error = "Soil_Moisture_StdError";
    p.rules = {{"Quality_Flag", K::equals, 0}};
    p.valid_min = 0, p.valid_max = 1;  // SMOS-IC holds negative and above-porosity retrievals
  } else if (name == "esa_cci" || name == "c3s") {
    p.value = "sm";
    p.error = "sm_uncertainty";
    p.rules = {{"flag", K::equals, 0}};
  } else if (name == "era5" || name == "era5_land") {
    p.value = "swvl1";
    p.default_error = 0.05;
  } else if (name == "smos_l3") {
    // CATDS L3: the mandatory Science_Flags of QA4SM's SMOS L3 filters, strong
    // topography (bit 3) and ice (bit 12) clear; Dqx is the retrieval's error.
    p.value = "Soil_Moisture";
    p.error = "Soil_Moisture_Dqx";
    p.rules = {{"Science_Flags", K::bit_clear, (1 << 3) | (1 << 12)}};
  } else if (name == "gldas") {
    // GLDAS Noah 2.1 0-10 cm soil water in kg m-2: / (1000 kg m-3 * 0.1 m) gives m3 m-3.
    p.value = "SoilMoi0_10cm_inst";
    p.scale = 0.01;
    p.default_error = 0.05;
  } else {
    throw ConfigError(cat("unknown product '", name, "'; presets: ", [] {
      std::string all;
      for (const auto& n : presets()) all += (all.empty() ? "" : ", ") + n;
      return all;
    }()));
  }
  return p;
}

std::vector<std::string> DsgProduct::presets() {
  return {"smap_l3", "smap_l3_successful", "ascat_h119", "ascat_h113", "smos_ic", "smos_l3",
          "esa_cci",  "c3s",                "era5",       "era5_land",  "gldas"};
}

namespace {

// One cell file flattened: per observation its location, time, value, error and flags.
struct Flat {
  std::vector<double> lon, lat;
  std::vector<long long> gpi;
  std::vector<long long> loc;
  std::vector<Time> time;
  std::vector<double> value, error;
  std::vector<std::vector<double>> flags;
};

Flat read_cell(const std::string& path, const DsgProduct& p) {
  const auto nc = io::NcFile::open(path);
  Flat f;
  for (const char* need : {"lon", "lat", "time"})
    if (!nc.has_var(need)) throw InputError(cat(path, ": not a time-series cell file (no '", need, "')"));
  if (!nc.has_var(p.value)) throw InputError(cat(path, ": product ", p.name, " needs variable '", p.value, "'"));
  f.lon = nc.get("lon");
  f.lat = nc.get("lat");
  const auto nloc = f.lon.size();
  if (nc.has_var("location_id")) {
    const auto ids = nc.get_raw("location_id");
    for (double v : ids) f.gpi.push_back(static_cast<long long>(v));
  } else {
    f.gpi.resize(nloc);
    std::iota(f.gpi.begin(), f.gpi.end(), 0);
  }
  const auto cf = CfTimeUnits::parse(nc.att_text("time", "units"));
  const auto tv = nc.get_raw("time");
  const auto dims = nc.var_dims(p.value);
  f.value = nc.get(p.value);
  if (!p.error.empty() && nc.has_var(p.error)) f.error = nc.get(p.error);
  for (const auto& r : p.rules) {
    if (!nc.has_var(r.variable)) throw InputError(cat(path, ": product ", p.name, " needs flag variable '", r.variable, "'"));
    f.flags.push_back(nc.get_raw(r.variable));
  }
  const std::size_t n = f.value.size();
  f.loc.resize(n);
  f.time.resize(n);
  if (dims.size() == 2) {  // orthogonal: (locations, time)
    const std::size_t nt = nc.var_shape(p.value)[1];
    for (std::size_t i = 0; i < n; ++i) {
      f.loc[i] = static_cast<long long>(i / nt);
      f.time[i] = cf.to_time(tv[i % nt]);
    }
  } else if (nc.has_var("row_size")) {  // contiguous ragged
    const auto rows = nc.get_raw("row_size");
    std::size_t k = 0;
    for (std::size_t l = 0; l < rows.size(); ++l)
      for (long long r = 0; r < static_cast<long long>(rows[l]) && k < n; ++r, ++k) f.loc[k] = static_cast<long long>(l);
    if (k != n) throw InputError(cat(path, ": row_size adds up to ", k, " observations; the file holds ", n));
    for (std::size_t i = 0; i < n; ++i) f.time[i] = cf.to_time(tv[i]);
  } else if (nc.has_var("locationIndex")) {  // indexed ragged
    const auto idx = nc.get_raw("locationIndex");
    for (std::size_t i = 0; i < n; ++i) {
      f.loc[i] = static_cast<long long>(idx[i]);
      if (f.loc[i] < 0 || static_cast<std::size_t>(f.loc[i]) >= nloc)
        throw InputError(cat(path, ": locationIndex ", f.loc[i], " at observation ", i, " is out of range"));
      f.time[i] = cf.to_time(tv[i]);
    }
  } else {
    throw InputError(cat(path, ": neither row_size, locationIndex nor (locations, time) arrays: unknown layout"));
  }
  return f;
}

bool passes(const DsgProduct& p, const Flat& f, std::size_t i) {
  for (std::size_t r = 0; r < p.rules.size(); ++r) {
    const double v = f.flags[r][i];
    if (!std::isfinite(v)) return false;
    const auto x = static_cast<long long>(v);
    const auto& rule = p.rules[r];
    using K = DsgProduct::Rule::Kind;
    if (rule.kind == K::equals ? x != rule.value : rule.kind == K::at_most ? x > rule.value : (x & rule.value) != 0)
      return false;
  }
  const double v = f.value[i] * p.scale;
  return v >= p.valid_min && v <= p.valid_max;
}

}  // namespace

DsgImport import_dsg(const DsgProduct& p, const std::vector<std::string>& files, const std::vector<Site>& sites,
                     Time start, Time end, double max_km, bool at_sites) {
  DsgImport out;
  struct Row {
    Time t;
    double lon, lat, value, error;
    std::string station;
  };
  std::vector<Row> rows;
  std::vector<Flat> cells;
  for (const auto& path : files) cells.push_back(read_cell(path, p));
  // Which (cell, location) each site uses.
  std::vector<std::pair<std::size_t, std::size_t>> chosen;
  std::vector<std::string> names;
  std::vector<const Site*> site_of;  // the site each chosen location serves (none without sites)
  if (sites.empty()) {
    for (std::size_t c = 0; c < cells.size(); ++c)
      for (std::size_t l = 0; l < cells[c].lon.size(); ++l) {
        chosen.emplace_back(c, l);
        names.push_back(cat("gpi:", cells[c].gpi[l]));
        site_of.push_back(nullptr);
      }
  } else {
    // Valid values of each location in the period: a site takes the nearest location that has some.
    std::vector<std::vector<long long>> valid(cells.size());
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const Flat& f = cells[c];
      valid[c].assign(f.lon.size(), 0);
      for (std::size_t i = 0; i < f.value.size(); ++i)
        if (!(f.time[i] < start) && f.time[i] < end && std::isfinite(f.value[i]) && passes(p, f, i))
          ++valid[c][static_cast<std::size_t>(f.loc[i])];
    }
    // Two indexes, of the locations with data and of those without, in (cell file, location) order.
    std::vector<std::pair<std::size_t, std::size_t>> full, empty;
    std::vector<double> flon, flat, elon, elat;
    for (std::size_t c = 0; c < cells.size(); ++c)
      for (std::size_t l = 0; l < cells[c].lon.size(); ++l) {
        const bool has = valid[c][l] != 0;
        (has ? full : empty).emplace_back(c, l);
        (has ? flon : elon).push_back(cells[c].lon[l]);
        (has ? flat : elat).push_back(cells[c].lat[l]);
      }
    const PlaceIndex with_data(std::move(flon), std::move(flat)), without(std::move(elon), std::move(elat));
    for (const auto& s : sites) {
      // The nearest with data (ties: the first in file order, as a scan keeping the first).
      const auto [at, best] = with_data.nearest(s.lon, s.lat);
      const std::pair<std::size_t, std::size_t> pick = at >= 0 ? full[static_cast<std::size_t>(at)] : std::make_pair<std::size_t, std::size_t>(0, 0);
      std::vector<double> empties;  // distances of the locations without data that are nearer
      for (const int e : without.within(s.lon, s.lat, std::min(best, max_km))) {
        const auto [c, l] = empty[static_cast<std::size_t>(e)];
        empties.push_back(haversine_km(s.lon, s.lat, cells[c].lon[l], cells[c].lat[l]));
      }
      DsgImport::Match m;
      m.site = s.name;
      m.distance_km = best;
      for (const double d : empties) m.nearer_empty += d < best && d <= max_km;
      if (best <= max_km) {
        m.gpi = cells[pick.first].gpi[pick.second];
        chosen.push_back(pick);
        names.push_back(s.name);
        site_of.push_back(&s);
      }
      out.matches.push_back(m);
    }
  }
  for (std::size_t k = 0; k < chosen.size(); ++k) {
    const auto [c, l] = chosen[k];
    const Flat& f = cells[c];
    long long total = 0, valid = 0;
    for (std::size_t i = 0; i < f.value.size(); ++i) {
      if (f.loc[i] != static_cast<long long>(l) || f.time[i] < start || !(f.time[i] < end)) continue;
      ++total;
      if (!std::isfinite(f.value[i]) || !passes(p, f, i)) continue;
      ++valid;
      const bool own_error = !f.error.empty() && std::isfinite(f.error[i]) && f.error[i] > 0;
      const double e = own_error ? f.error[i] * p.scale : p.default_error;
      const bool moved = at_sites && site_of[k];
      rows.push_back({f.time[i], moved ? site_of[k]->lon : f.lon[l], moved ? site_of[k]->lat : f.lat[l],
                      f.value[i] * p.scale, e, names[k]});
    }
    if (!sites.empty()) {
      for (auto& m : out.matches)
        if (m.site == names[k]) {
          m.total = total;
          m.valid = valid;
        }
    } else {
      out.matches.push_back({names[k], f.gpi[l], 0.0, total, valid});
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.t < b.t; });
  ObsFile& file = out.file;
  file.variable = p.ioda_variable;
  file.units = p.units;
  file.platform = p.name;
  file.sensor = p.name;
  file.source = "landda import cf-dsg";
  file.obs.resize(static_cast<Eigen::Index>(rows.size()));
  file.obs.source_names = {p.name};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    file.obs.time[i] = rows[i].t;
    file.obs.x[i] = rows[i].lon;
    file.obs.y[i] = rows[i].lat;
    file.obs.value[static_cast<Eigen::Index>(i)] = rows[i].value;
    file.obs.error[static_cast<Eigen::Index>(i)] = rows[i].error;
    file.station.push_back(rows[i].station);
  }
  return out;
}

}  // namespace landda::observations
