#include "observations/products/product_import.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>

#include "core/cell_index.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "io/file_list.hpp"
#include "io/netcdf.hpp"
#include "observations/ioda/ioda_file.hpp"

namespace landda::observations::products {
namespace fs = std::filesystem;

bool Area::contains(double lon, double lat) const {
  if (lat < south || lat > north) return false;
  lon = std::remainder(lon, 360.0);  // to [-180, 180]
  return west <= east ? lon >= west && lon <= east : lon >= west || lon <= east;
}

Area Area::parse(const std::string& text) {
  Area a;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%lf,%lf,%lf,%lf%c", &a.west, &a.south, &a.east, &a.north, &tail) != 4)
    throw ConfigError(cat("--bbox wants 'west,south,east,north' in degrees, got '", text, "'"));
  if (!(a.south >= -90 && a.north <= 90 && a.south <= a.north && a.west >= -180 && a.west <= 180 && a.east >= -180 &&
        a.east <= 180))
    throw ConfigError(cat("--bbox '", text, "': latitudes must lie in [-90, 90] with south <= north, longitudes in [-180, 180]"));
  return a;
}

namespace {

class Boxes final : public SuperobCells {
 public:
  explicit Boxes(double deg) : deg_(deg) {}
  long long cell(double lon, double lat) const override {
    const auto i = static_cast<long long>(std::floor((std::remainder(lon, 360.0) + 180.0) / deg_));
    const auto j = static_cast<long long>(std::floor((lat + 90.0) / deg_));
    return j * 1000000LL + i;
  }
  bool centre(long long, double&, double&) const override { return false; }

 private:
  double deg_;
};

class ModelCells final : public SuperobCells {
 public:
  ModelCells(const Grid& g, double radius_km) : g_(g), radius_km_(radius_km) {
    if (g.kind() == Grid::Kind::points) {
      std::vector<double> lon, lat;
      for (int c = 0; c < g.size(); ++c) lon.push_back(g.lon(c)), lat.push_back(g.lat(c));
      index_ = std::make_unique<PlaceIndex>(std::move(lon), std::move(lat));
      return;
    }
    if (g.kind() != Grid::Kind::lonlat && !g.projected())
      throw ConfigError("super-observations onto the model's cells need a lonlat, projected or points grid");
    if (g.nx() < 2 && g.ny() < 2) throw ConfigError("super-observations onto a one-cell grid: give it as points with a radius");
    dx_ = g.nx() > 1 ? g.x(1) - g.x(0) : g.y(g.nx()) - g.y(0);
    dy_ = g.ny() > 1 ? g.y(g.nx()) - g.y(0) : dx_;
  }
  long long cell(double lon, double lat) const override {
    if (g_.kind() == Grid::Kind::points) return index_->nearest_last(lon, lat, radius_km_);
    double x = lon, y = lat;
    g_.to_grid(lon, lat, x, y);
    const double fi = (x - g_.x(0)) / dx_, fj = (y - g_.y(0)) / dy_;
    const auto i = static_cast<long long>(std::lround(fi)), j = static_cast<long long>(std::lround(fj));
    if (i < 0 || j < 0 || i >= g_.nx() || j >= g_.ny()) return -1;
    return j * g_.nx() + i;
  }
  bool centre(long long cell, double& lon, double& lat) const override {
    lon = g_.lon(static_cast<int>(cell));
    lat = g_.lat(static_cast<int>(cell));
    return true;
  }

 private:
  const Grid& g_;
  double radius_km_;
  double dx_ = 1, dy_ = 1;
  std::unique_ptr<PlaceIndex> index_;  // a points grid's cells
};

}  // namespace

std::unique_ptr<SuperobCells> boxes(double degrees) {
  if (!(degrees > 0 && degrees <= 10)) throw ConfigError(cat("--superob-deg must lie in (0, 10], got ", degrees));
  return std::make_unique<Boxes>(degrees);
}

std::unique_ptr<SuperobCells> model_cells(const Grid& grid, double point_radius_km) {
  return std::make_unique<ModelCells>(grid, point_radius_km);
}

double superob_error(const std::vector<double>& lon, const std::vector<double>& lat, const std::vector<double>& error,
                     double correlation_km) {
  const std::size_t n = error.size();
  double var = 0;
  for (double e : error) var += e * e;
  var /= static_cast<double>(n);
  if (n == 1) return std::sqrt(var);
  double rho = 0;
  if (correlation_km > 0) {
    // Mean correlation over the pairs of at most 200 pixels taken evenly (exact below that).
    const std::size_t stride = (n + 199) / 200;
    double sum = 0;
    long long pairs = 0;
    for (std::size_t i = 0; i < n; i += stride)
      for (std::size_t j = i + stride; j < n; j += stride, ++pairs)
        sum += std::exp(-haversine_km(lon[i], lat[i], lon[j], lat[j]) / correlation_km);
    rho = pairs ? sum / static_cast<double>(pairs) : 1.0;
  }
  return std::sqrt(var * (rho + (1.0 - rho) / static_cast<double>(n)));
}

namespace {

// The kept values of one granule as observations, or their super-observations.
ObsBatch to_batch(const Granule& g, const std::vector<std::size_t>& kept, const ProductKind& kind,
                  const ImportRequest& r) {
  auto error_of = [&](std::size_t i) { return std::isfinite(g.error[i]) && g.error[i] > 0 ? g.error[i] : kind.default_error; };
  ObsBatch b;
  std::vector<std::vector<std::size_t>> groups;
  std::vector<long long> cells;
  if (r.superob) {
    std::map<long long, std::size_t> at;
    for (std::size_t i : kept) {
      const long long c = r.superob->cell(g.lon[i], g.lat[i]);
      if (c < 0) continue;
      auto [it, added] = at.emplace(c, groups.size());
      if (added) groups.emplace_back(), cells.push_back(c);
      groups[it->second].push_back(i);
    }
  } else {
    for (std::size_t i : kept) groups.push_back({i});
  }
  b.resize(static_cast<Eigen::Index>(groups.size()));
  b.source_names = {kind.sensor};
  for (std::size_t k = 0; k < groups.size(); ++k) {
    const auto& idx = groups[k];
    std::vector<double> lon, lat, err;
    double v = 0, t = 0;
    for (std::size_t i : idx) {
      lon.push_back(g.lon[i]);
      lat.push_back(g.lat[i]);
      err.push_back(error_of(i));
      v += g.value[i];
      t += static_cast<double>(g.time[i] - g.time[idx.front()]);
    }
    const auto m = static_cast<double>(idx.size());
    double x = std::accumulate(lon.begin(), lon.end(), 0.0) / m, y = std::accumulate(lat.begin(), lat.end(), 0.0) / m;
    if (r.superob) r.superob->centre(cells[k], x, y);
    const auto e = static_cast<Eigen::Index>(k);
    b.x[k] = x;
    b.y[k] = y;
    b.time[k] = Time{g.time[idx.front()] + static_cast<std::int64_t>(std::llround(t / m))};
    b.value[e] = v / m;
    b.error[e] = idx.size() == 1 ? err[0] : superob_error(lon, lat, err, r.error_correlation_km);
    b.qc[k] = 0;
  }
  std::vector<Eigen::Index> order(groups.size());
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::stable_sort(order.begin(), order.end(), [&b](Eigen::Index a, Eigen::Index c) { return b.time[a] < b.time[c]; });
  return b.rows(order);
}

// Counts one granule's values by reason and returns the ones kept, in file order.
std::vector<std::size_t> sift(const Granule& g, const ImportRequest& r, const PhysicalRange& range, ImportReport& rep) {
  std::vector<std::size_t> kept;
  for (std::size_t i = 0; i < g.size(); ++i) {
    ++rep.values;
    if (!std::isfinite(g.lon[i]) || !std::isfinite(g.lat[i]) || std::fabs(g.lat[i]) > 90) {
      ++rep.fill;  // a row without a place holds no value either
      continue;
    }
    if (!r.area.contains(g.lon[i], g.lat[i])) {
      ++rep.outside_area;
      continue;
    }
    const std::int64_t t = g.time[i] != kNoTime ? g.time[i] : g.nominal_time;
    if (t != kNoTime && (t < r.start.seconds || t >= r.end.seconds)) {
      ++rep.outside_period;
      continue;
    }
    if (g.failed[i]) {
      ++rep.failed_any;
      for (std::size_t k = 0; k < rep.failed.size(); ++k)
        if (g.failed[i] >> k & 1U) ++rep.failed[k];
    } else if (!std::isfinite(g.value[i])) {
      ++rep.fill;
    } else if (g.time[i] == kNoTime) {
      ++rep.no_time;
    } else if (g.value[i] < range.lo || g.value[i] > range.hi) {
      ++rep.out_of_range;
    } else {
      kept.push_back(i);
    }
  }
  return kept;
}

}  // namespace

ImportReport import_product(const ProductReader& reader, const ImportRequest& r) {
  const auto files = io::expand_inputs(r.inputs, reader.file_pattern());
  const ProductKind kind = reader.kind();
  const PhysicalRange range = physical_range(kind.variable, kind.units, r.product);
  ImportReport rep;
  rep.product = r.product;
  rep.tests = reader.tests();
  rep.failed.assign(rep.tests.size(), 0);
  rep.superobs = r.superob != nullptr;
  ObsFile header;
  header.variable = kind.variable;
  header.units = kind.units;
  header.platform = kind.platform;
  header.sensor = kind.sensor;
  header.source = cat("landda import ", r.product, " of ", files.size(), " granule(s)");
  auto attributes = reader.attributes();
  attributes.emplace_back("period", r.start.iso() + "/" + r.end.iso());
  std::unique_ptr<IodaWriter> out;  // opened once a granule has been read: a bad first file writes nothing
  const bool tty = r.progress && isatty(STDERR_FILENO);
  for (std::size_t k = 0; k < files.size(); ++k) {
    if (tty) std::cerr << "\r  granule " << k + 1 << " of " << files.size() << ", " << rep.kept << " value(s) kept" << std::flush;
    const Granule g = reader.read(files[k]);
    io::release_library_memory();
    ++rep.granules;
    const auto kept = sift(g, r, range, rep);
    if (std::none_of(g.value.begin(), g.value.end(), [](double v) { return std::isfinite(v); })) rep.empty.push_back(files[k]);
    rep.kept += static_cast<long long>(kept.size());
    if (kept.empty()) continue;
    // Opened at the first value kept: a bad or empty input writes nothing.
    if (!out) out = std::make_unique<IodaWriter>(r.output, header, attributes);
    out->append(to_batch(g, kept, kind, r));
  }
  if (tty) std::cerr << '\n';
  if (rep.kept == 0)
    throw InputError(cat("no value of ", files.size(), " ", r.product, " granule(s) passed (", rep.values, " read: ",
                         rep.outside_area, " outside the area, ", rep.outside_period, " outside the period, ",
                         rep.failed_any, " failed the quality tests, ", rep.fill, " fill, ", rep.out_of_range,
                         " outside the physical range); nothing written"));
  if (out->size() == 0)
    throw InputError(cat("none of the ", rep.kept, " ", r.product, " value(s) kept fell in a super-observation cell; nothing written"));
  rep.written = static_cast<long long>(out->size());
  out->attribute("import_report", rep.json());
  out->commit();  // in time order: overlapping granules are merged there
  return rep;
}

std::string ImportReport::json() const {
  JsonObject tests_json;
  for (std::size_t k = 0; k < tests.size(); ++k) tests_json.add(tests[k], failed[k]);
  JsonObject j;
  j.add("product", product)
      .add("granules", granules)
      .add("values", values)
      .add("outside_area", outside_area)
      .add("outside_period", outside_period)
      .add("failed_quality_tests", failed_any)
      .add("failed_per_test", tests_json)
      .add("fill", fill)
      .add("no_time", no_time)
      .add("outside_physical_range", out_of_range)
      .add("kept", kept)
      .add("written", written)
      .add("superobservations", superobs)
      .add("granules_without_values", static_cast<long long>(empty.size()));
  return j.str();
}

void ImportReport::print(std::ostream& os) const {
  os << product << ": " << granules << " granule(s), " << values << " value(s)\n"
     << "  outside the area            " << outside_area << '\n'
     << "  outside the period          " << outside_period << '\n'
     << "  failed a quality test       " << failed_any << '\n';
  for (std::size_t k = 0; k < tests.size(); ++k) os << "    " << tests[k] << ": " << failed[k] << '\n';
  os << "  fill (no value)             " << fill << '\n'
     << "  no acquisition time         " << no_time << '\n'
     << "  outside the physical range  " << out_of_range << '\n'
     << "  kept                        " << kept << '\n';
  if (superobs) os << "  super-observations written  " << written << '\n';
  for (const auto& e : empty) os << "  no value at all in " << e << '\n';
}

}  // namespace landda::observations::products
