#include "observations/products/smos_l2/smos_l2.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "io/netcdf.hpp"
#include "observations/products/cf_flags.hpp"

namespace landda::observations::products {
namespace {
constexpr std::int64_t kEpoch = 946684800;  // 2000-01-01T00:00:00Z, the origin of SMOS's Days
}  // namespace

// The DGG table sorted by ID (12 bytes a point: ISEA 4H9's 2.6 million take 31 MB).
struct SmosL2::Dgg {
  struct Point {
    long long id;
    float lat, lon;
  };
  std::vector<Point> points;
  const Point* find(long long id) const {
    auto it = std::lower_bound(points.begin(), points.end(), id, [](const Point& p, long long v) { return p.id < v; });
    return it != points.end() && it->id == id ? &*it : nullptr;
  }
};

namespace {

std::vector<std::array<double, 3>> read_dgg(const std::string& path) {
  std::vector<std::array<double, 3>> rows;
  std::ifstream probe(path, std::ios::binary);
  char magic[4] = {};
  probe.read(magic, 4);
  if (std::string(magic, 3) == "CDF" || std::string(magic + 1, 3) == "HDF") {
    const auto nc = io::NcFile::open(path);
    require(nc, {"gpi", "lat", "lon"}, "DGG grid");
    const auto id = nc.get_raw("gpi"), lat = nc.get("lat"), lon = nc.get("lon");
    if (lat.size() != id.size() || lon.size() != id.size()) throw InputError(cat(path, ": gpi, lat and lon differ in length"));
    for (std::size_t i = 0; i < id.size(); ++i) rows.push_back({id[i], lat[i], lon[i]});
    return rows;
  }
  std::ifstream in(path);
  if (!in) throw InputError(cat(path, ": cannot open the DGG table"));
  std::string line;
  for (long long n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos || line[0] == '#') continue;
    std::istringstream is(line);
    double id = 0, lat = 0, lon = 0;
    if (!(is >> id >> lat >> lon))
      throw InputError(cat(path, ":", n, ": expected 'grid_point_id latitude longitude', got '", line.substr(0, 80), "'"));
    rows.push_back({id, lat, lon});
  }
  return rows;
}

}  // namespace

void SmosL2::Params::visit(config::Visitor& v) {
  v("dgg_grid", dgg_grid,
    config::doc("the ISEA 4H9 DGG table: text rows 'id lat lon' (CESBIO's isea4h9.txt) or a NetCDF with gpi, lat, lon "
                "(TU Wien's SMOS L2 grid); the NetCDF granules hold only Grid_Point_ID")
        .needed()
        .file());
  v("science_flags", science_flags, config::doc("Science_Flags meanings that reject a value"));
  v("confidence_flags", confidence_flags, config::doc("Confidence_Flags meanings that reject a value"));
  v("processing_flags", processing_flags, config::doc("Processing_Flags meanings that reject a value"));
  v("max_rfi_prob", max_rfi_prob, config::doc("largest RFI_Prob kept (share of views with RFI)").range(0, 1));
  v("max_dqx", max_dqx, config::doc("largest Soil_Moisture_DQX kept").above(0).at_most(1).in("m3 m-3"));
}

SmosL2::SmosL2(const Params& p) : p_(p), dgg_(std::make_unique<Dgg>()) {
  for (const auto& r : read_dgg(p_.dgg_grid)) {
    if (!(std::fabs(r[1]) <= 90 && std::fabs(r[2]) <= 360))
      throw InputError(cat(p_.dgg_grid, ": grid point ", r[0], " has no valid latitude/longitude (", r[1], ", ", r[2], ")"));
    dgg_->points.push_back({static_cast<long long>(r[0]), static_cast<float>(r[1]), static_cast<float>(r[2])});
  }
  std::sort(dgg_->points.begin(), dgg_->points.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
}

SmosL2::~SmosL2() = default;

ProductKind SmosL2::kind() const {
  ProductKind k;
  k.platform = "SMOS";
  k.sensor = "SMOS MIRAS L2 soil moisture (SMUDP2)";
  return k;
}

std::vector<std::string> SmosL2::tests() const {
  auto t = test_names("Science_Flags", p_.science_flags);
  for (const auto* list : {&p_.confidence_flags, &p_.processing_flags})
    for (const auto& s : test_names(list == &p_.confidence_flags ? "Confidence_Flags" : "Processing_Flags", *list))
      t.push_back(s);
  t.push_back(cat("RFI_Prob above ", p_.max_rfi_prob));
  t.push_back(cat("Soil_Moisture_DQX above ", p_.max_dqx));
  t.push_back("Grid_Point_ID not in the DGG table");
  return t;
}

std::vector<std::pair<std::string, std::string>> SmosL2::attributes() const {
  return {{"product", "SMOS L2 SM user data product (SMUDP2)"}, {"dgg_grid", p_.dgg_grid}};
}

Granule SmosL2::read(const std::string& path) const {
  const auto nc = io::NcFile::open(path);
  require(nc,
          {"Soil_Moisture", "Soil_Moisture_DQX", "Science_Flags", "Confidence_Flags", "Processing_Flags", "RFI_Prob",
           "Days", "Seconds", "Grid_Point_ID"},
          "SMOS L2 (SMUDP2)");
  Granule g;
  g.value = nc.get("Soil_Moisture");
  g.resize(g.value.size());
  g.error = nc.get("Soil_Moisture_DQX");
  const auto days = nc.get("Days"), seconds = nc.get_raw("Seconds"), id = nc.get_raw("Grid_Point_ID");
  const auto rfi = nc.get("RFI_Prob");
  int bit = 0;
  const std::vector<std::pair<std::string, const std::vector<std::string>*>> flag_sets{
      {"Science_Flags", &p_.science_flags}, {"Confidence_Flags", &p_.confidence_flags}, {"Processing_Flags", &p_.processing_flags}};
  for (const auto& [var, meanings] : flag_sets) {
    mark(read_flags(nc, var), *meanings, raw_flags(nc, var), path, bit, g.failed);
    bit += static_cast<int>(meanings->size());
  }
  for (const std::vector<double>* v : std::initializer_list<const std::vector<double>*>{&g.error, &days, &seconds, &id, &rfi})
    if (v->size() != g.size()) throw InputError(cat(path, ": the variables along n_grid_points differ in length"));
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (rfi[i] > p_.max_rfi_prob) g.failed[i] |= std::uint64_t{1} << bit;
    if (g.error[i] > p_.max_dqx) g.failed[i] |= std::uint64_t{1} << (bit + 1);
    if (std::isfinite(days[i]) && std::isfinite(seconds[i]))
      g.time[i] = kEpoch + static_cast<std::int64_t>(days[i]) * 86400 + static_cast<std::int64_t>(seconds[i]);
    const auto* p = dgg_->find(static_cast<long long>(id[i]));
    if (!p) {
      g.failed[i] |= std::uint64_t{1} << (bit + 2);
      g.lat[i] = 0, g.lon[i] = 0;  // counted by the test above, never placed
      continue;
    }
    g.lat[i] = p->lat;
    g.lon[i] = p->lon;
  }
  return g;
}

}  // namespace landda::observations::products
