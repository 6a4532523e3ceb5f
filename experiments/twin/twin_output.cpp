#include "experiments/twin/twin_output.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace landda::experiments {
namespace {

const char* kFieldPrefixes[] = {"truth_", "forecast_mean_", "forecast_spread_", "analysis_mean_", "analysis_spread_"};

std::string field_name(int f, const std::string& truth_name, const std::string& var) {
  return (f == 0 ? truth_name + "_" : std::string(kFieldPrefixes[f])) + var;
}
const char* kFieldLongNames[] = {"nature run (truth)", "forecast ensemble mean", "forecast ensemble spread (standard deviation)",
                                 "analysis ensemble mean", "analysis ensemble spread (standard deviation)"};

// Cell coordinates: lon/lat on geographic grids, x/y (and lon/lat) on
// projected ones; returns the CF `coordinates` attribute of cell fields.
std::string define_cell_coordinates(io::NcFile& nc, const Grid& grid) {
  const bool geo = grid.kind() == Grid::Kind::lonlat || grid.kind() == Grid::Kind::points;
  nc.def_var({geo ? "lon" : "x", io::NcType::f64, {"cell"}});
  nc.def_var({geo ? "lat" : "y", io::NcType::f64, {"cell"}});
  if (geo) {
    nc.put_att("lon", "standard_name", "longitude");
    nc.put_att("lon", "units", "degrees_east");
    nc.put_att("lat", "standard_name", "latitude");
    nc.put_att("lat", "units", "degrees_north");
  } else {
    nc.put_att("x", "long_name", "cell x coordinate");
    nc.put_att("x", "units", "1");
    nc.put_att("y", "long_name", "cell y coordinate");
    nc.put_att("y", "units", "1");
  }
  if (grid.projected()) {
    nc.put_att("x", "units", "km");
    nc.put_att("y", "units", "km");
    nc.put_att("x", "standard_name", "projection_x_coordinate");
    nc.put_att("y", "standard_name", "projection_y_coordinate");
    nc.def_var({"lon", io::NcType::f64, {"cell"}});
    nc.def_var({"lat", io::NcType::f64, {"cell"}});
    nc.put_att("lon", "standard_name", "longitude");
    nc.put_att("lon", "units", "degrees_east");
    nc.put_att("lat", "standard_name", "latitude");
    nc.put_att("lat", "units", "degrees_north");
  }
  return geo || grid.projected() ? "lon lat" : "x y";
}

void put_cell_coordinates(io::NcFile& nc, const Grid& grid) {
  const auto ncell = static_cast<std::size_t>(grid.size());
  const bool geo = grid.kind() == Grid::Kind::lonlat || grid.kind() == Grid::Kind::points;
  std::vector<double> x(ncell), y(ncell);
  for (std::size_t c = 0; c < ncell; ++c) {
    x[c] = grid.x(static_cast<int>(c));
    y[c] = grid.y(static_cast<int>(c));
  }
  nc.put(geo ? "lon" : "x", x.data());
  nc.put(geo ? "lat" : "y", y.data());
  if (grid.projected()) {
    for (std::size_t c = 0; c < ncell; ++c) {
      x[c] = grid.lon(static_cast<int>(c));
      y[c] = grid.lat(static_cast<int>(c));
    }
    nc.put("lon", x.data());
    nc.put("lat", y.data());
  }
}

}  // namespace

TwinOutput::TwinOutput(io::NcFile nc, const Spec& spec)
    : nc_(std::move(nc)),
      layout_(spec.layout),
      start_(spec.start),
      fields_(spec.fields),
      layered_(spec.layered),
      truth_name_(spec.truth_name),
      diagnostics_(spec.diagnostics),
      n_sources_(spec.sources.size()) {
  for (int v = 0; v < layout_.n_variables(); ++v) max_layers_ = std::max(max_layers_, layout_.n_layers(v));
}

std::unique_ptr<TwinOutput> TwinOutput::create(const Spec& s) {
  io::NcFile nc = io::NcFile::create_partial(s.path);
  const StateLayout& L = s.layout;
  int layers = 1;
  for (int v = 0; v < L.n_variables(); ++v) layers = std::max(layers, L.n_layers(v));
  const auto ncell = static_cast<std::size_t>(L.n_cells());
  nc.def_dim("time", 0);
  nc.def_dim("layer", static_cast<std::size_t>(layers));
  nc.def_dim("cell", ncell);
  nc.put_att("", "Conventions", "CF-1.8");
  nc.put_att("", "title", s.truth_name == "truth" ? "landda twin experiment" : "landda ensemble run (control = unperturbed)");
  nc.put_att("", "source", "landda " LANDDA_VERSION);
  nc.def_var({"time", io::NcType::f64, {"time"}, {1024}});
  nc.put_att("time", "standard_name", "time");
  nc.put_att("time", "units", CfTimeUnits{1.0, s.start}.str());
  nc.put_att("time", "calendar", "proleptic_gregorian");
  const std::string coords = define_cell_coordinates(nc, s.grid);
  for (const auto& f : cycle_fields()) {
    if (f.layered && !s.layered) continue;
    nc.def_var({f.name, io::NcType::f64, {"time"}, {1024}});
    nc.put_att(f.name, "units", "1");
    nc.put_att(f.name, "long_name", f.doc);
  }
  // Chunks of about a million values along time keep each write cheap and each read of a record small.
  const std::size_t chunk_t = std::max<std::size_t>(1, std::min<std::size_t>(64, (1u << 20) / (ncell * layers + 1)));
  if (s.fields) {
    for (int v = 0; v < L.n_variables(); ++v)
      for (int f = 0; f < 5; ++f) {
        const std::string name = field_name(f, s.truth_name, L.variable(v));
        nc.def_var({name, io::NcType::f64, {"time", "layer", "cell"}, {chunk_t, static_cast<std::size_t>(layers), ncell},
                    s.deflate, -9999.0});
        nc.put_att(name, "long_name",
                   (f == 0 && s.truth_name != "truth" ? std::string("unperturbed control run") : std::string(kFieldLongNames[f])) +
                       " of " + L.variable(v));
        nc.put_att(name, "coordinates", coords);
      }
  }
  for (const auto& d : s.diagnostics)
    for (const std::string& who : {s.truth_name, std::string("ensemble_mean")}) {
      const std::string name = who + "_" + d;
      nc.def_var({name, io::NcType::f64, {"time", "cell"}, {chunk_t, ncell}, s.deflate, -9999.0});
      nc.put_att(name, "units", "m");
      nc.put_att(name, "long_name", d == "water_balance_error"
                                        ? "largest absolute water-balance error of one step since the previous record"
                                        : d + " since the previous record (" + who + ")");
      nc.put_att(name, "coordinates", coords);
    }
  if (!s.sources.empty()) {
    nc.def_dim("source", s.sources.size());
    nc.def_strings("source_name", "source", s.sources);
    for (const auto& sc : source_scores()) {
      nc.def_var({sc.name, io::NcType::f64, {"time", "source"}, {1024, s.sources.size()}, 0, -9999.0});
      nc.put_att(sc.name, "long_name", sc.doc);
    }
  }
  nc.end_def();
  if (!s.sources.empty()) nc.put_strings("source_name", s.sources);
  put_cell_coordinates(nc, s.grid);
  return std::unique_ptr<TwinOutput>(new TwinOutput(std::move(nc), s));
}

std::unique_ptr<TwinOutput> TwinOutput::reopen(const Spec& s) {
  return std::unique_ptr<TwinOutput>(new TwinOutput(io::NcFile::reopen_partial(s.path), s));
}

void TwinOutput::write(long long index, const Record& r) {
  const auto t = static_cast<std::size_t>(index);
  const double tv = CfTimeUnits{1.0, start_}.from_time(r.time);
  nc_.put("time", &tv, {t}, {1});
  for (const auto& f : cycle_fields())
    if (!f.layered || layered_) nc_.put(f.name, &(r.scores.*f.at), {t}, {1});
  if (n_sources_ > 0 && r.sources.size() == n_sources_) {
    std::vector<double> row(n_sources_);
    for (const auto& sc : source_scores()) {
      for (std::size_t j = 0; j < n_sources_; ++j) {
        const double v = sc.of(r.sources[j]);
        row[j] = std::isfinite(v) ? v : -9999.0;
      }
      nc_.put(sc.name, row.data(), {t, 0}, {1, n_sources_});
    }
  }
  const auto ncell = static_cast<std::size_t>(layout_.n_cells());
  if (r.diag_truth.size() > 0)
    for (std::size_t k = 0; k < diagnostics_.size(); ++k) {
      const auto off = static_cast<Eigen::Index>(k * ncell);
      nc_.put(truth_name_ + "_" + diagnostics_[k], r.diag_truth.data() + off, {t, 0}, {1, ncell});
      nc_.put("ensemble_mean_" + diagnostics_[k], r.diag_mean.data() + off, {t, 0}, {1, ncell});
    }
  if (!fields_ || r.truth.size() == 0) return;
  const Eigen::VectorXd* arrays[] = {&r.truth, &r.f_mean, &r.f_spread, &r.a_mean, &r.a_spread};
  for (int v = 0; v < layout_.n_variables(); ++v) {
    const int nl = layout_.n_layers(v);
    buf_.assign(static_cast<std::size_t>(max_layers_) * ncell, -9999.0);
    for (int f = 0; f < 5; ++f) {
      const Eigen::VectorXd& a = *arrays[f];
      for (int l = 0; l < nl; ++l)
        for (std::size_t c = 0; c < ncell; ++c)
          buf_[static_cast<std::size_t>(l) * ncell + c] = a[layout_.index(v, l, static_cast<int>(c))];
      nc_.put(field_name(f, truth_name_, layout_.variable(v)), buf_.data(), {t, 0, 0},
              {1, static_cast<std::size_t>(max_layers_), ncell});
    }
  }
}

}  // namespace landda::experiments

namespace landda::experiments {

void write_maps(const std::string& path, const Grid& grid, const StateLayout& L, const Eigen::VectorXd& mean,
                const Eigen::VectorXd& increment, long long cycles, int deflate) {
  io::NcFile nc = io::NcFile::create(path);
  int layers = 1;
  for (int v = 0; v < L.n_variables(); ++v) layers = std::max(layers, L.n_layers(v));
  const auto ncell = static_cast<std::size_t>(L.n_cells());
  nc.def_dim("layer", static_cast<std::size_t>(layers));
  nc.def_dim("cell", ncell);
  nc.put_att("", "Conventions", "CF-1.8");
  nc.put_att("", "title", "landda time-mean fields");
  nc.put_att("", "source", "landda " LANDDA_VERSION);
  nc.put_att("", "cycles_averaged", static_cast<double>(cycles));
  const std::string coords = define_cell_coordinates(nc, grid);
  for (int v = 0; v < L.n_variables(); ++v)
    for (const bool inc : {false, true}) {
      const std::string name = (inc ? "mean_increment_" : "time_mean_") + L.variable(v);
      nc.def_var({name, io::NcType::f64, {"layer", "cell"}, {static_cast<std::size_t>(layers), ncell}, deflate, -9999.0});
      nc.put_att(name, "long_name", (inc ? "time-mean analysis increment (analysis mean - forecast mean) of "
                                         : "time-mean analysis ensemble mean of ") + L.variable(v));
      nc.put_att(name, "coordinates", coords);
    }
  nc.end_def();
  put_cell_coordinates(nc, grid);
  std::vector<double> buf(static_cast<std::size_t>(layers) * ncell);
  for (int v = 0; v < L.n_variables(); ++v)
    for (const bool inc : {false, true}) {
      std::fill(buf.begin(), buf.end(), -9999.0);
      const Eigen::VectorXd& src = inc ? increment : mean;
      for (int l = 0; l < L.n_layers(v); ++l)
        for (std::size_t c = 0; c < ncell; ++c)
          buf[static_cast<std::size_t>(l) * ncell + c] = src[L.index(v, l, static_cast<int>(c))] / static_cast<double>(cycles);
      nc.put((inc ? "mean_increment_" : "time_mean_") + L.variable(v), buf.data());
    }
  nc.commit();
}

}  // namespace landda::experiments
