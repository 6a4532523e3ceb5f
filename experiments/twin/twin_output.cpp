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

// The coordinates of cells [c0, c0 + n) (each rank its own, in a parallel file).
void put_cell_coordinates(io::NcFile& nc, const Grid& grid, std::size_t c0, std::size_t n) {
  const bool geo = grid.kind() == Grid::Kind::lonlat || grid.kind() == Grid::Kind::points;
  std::vector<double> x(n), y(n);
  const auto put = [&](const char* xn, const char* yn) {
    nc.put(xn, x.data(), {n ? c0 : 0}, {n});
    nc.put(yn, y.data(), {n ? c0 : 0}, {n});
  };
  for (std::size_t k = 0; k < n; ++k) {
    x[k] = grid.x(static_cast<int>(c0 + k));
    y[k] = grid.y(static_cast<int>(c0 + k));
  }
  put(geo ? "lon" : "x", geo ? "lat" : "y");
  if (grid.projected()) {
    for (std::size_t k = 0; k < n; ++k) {
      x[k] = grid.lon(static_cast<int>(c0 + k));
      y[k] = grid.lat(static_cast<int>(c0 + k));
    }
    put("lon", "lat");
  }
}

// The layers written: those asked for (checked against the model by CycleSetup), or every one.
std::vector<int> written_layers(const std::vector<int>& asked, int layers) {
  if (!asked.empty()) return asked;
  std::vector<int> all(static_cast<std::size_t>(layers));
  for (int l = 0; l < layers; ++l) all[static_cast<std::size_t>(l)] = l;
  return all;
}

// Chunks: along cells at most 65,536 (ranks write chunks of their own
// cells); along time up to 64 records of about 1 MB a chunk when one process
// writes (HDF5 caches a chunk being filled per variable: a few MB in all,
// whatever the grid). Parallel HDF5 keeps no chunk cache for compressed data:
// a chunk of several records would be read, inflated and deflated again at
// every record (0.7 s a record at 10,000 cells on two ranks), so a parallel
// file has one record a chunk.
std::size_t chunk_cells(std::size_t ncell) { return std::min<std::size_t>(ncell, 65536); }

// A rank's rows of its n cells (every row of a cell together; variable v's nl layers from `first_row` of each
// cell), divided by `divisor`, into a layer-by-cell buffer of the layers listed; -9999 where v has no such layer.
void layers_by_cell(const Eigen::VectorXd& rows, std::size_t per_cell, std::size_t first_row, int nl,
                    const std::vector<int>& layers, std::size_t n, double divisor, std::vector<double>& buf) {
  buf.assign(layers.size() * n, -9999.0);
  for (std::size_t k = 0; k < layers.size(); ++k)
    if (layers[k] < nl)
      for (std::size_t c = 0; c < n; ++c)
        buf[k * n + c] = rows[static_cast<Eigen::Index>(c * per_cell + first_row + static_cast<std::size_t>(layers[k]))] / divisor;
}
// The ensemble's variable of a diagnostic: the members' mean, or for the water-balance error (a check) the
// largest of any member.
std::string ensemble_diagnostic(const std::string& d) {
  return (d == "water_balance_error" ? "ensemble_max_" : "ensemble_mean_") + d;
}

// A serial file's chunks hold up to 256 KB of records: the chunk cache of a serial file keeps several of a
// variable's chunks resident (one rank at 25,000 cells: 149 MB with 1-MB chunks, 143 with these).
std::size_t chunk_records(std::size_t values_per_record, bool parallel) {
  if (parallel) return 1;
  return std::max<std::size_t>(1, std::min<std::size_t>(64, (1u << 15) / (values_per_record + 1)));
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
      n_sources_(spec.sources.size()),
      cell_begin_(static_cast<std::size_t>(spec.cell_begin)),
      cell_count_(static_cast<std::size_t>(spec.cell_count < 0 ? spec.layout.n_cells() : spec.cell_count)),
      kinds_(spec.kinds),
      layers_(written_layers(spec.layers, spec.layout.max_layers())) {
  if (spec.comm != MPI_COMM_NULL) {
    int rank = 0;
    MPI_Comm_rank(spec.comm, &rank);
    root_ = rank == 0;
  }
}

std::unique_ptr<TwinOutput> TwinOutput::create(const Spec& s) {
  io::NcFile nc = io::NcFile::create_partial(s.path, s.comm);
  const StateLayout& L = s.layout;
  const std::vector<int> chosen = written_layers(s.layers, L.max_layers());
  const auto layers = chosen.size();
  const auto ncell = static_cast<std::size_t>(L.n_cells());
  nc.def_dim("time", 0);
  nc.def_dim("layer", layers);
  nc.def_dim("cell", ncell);
  nc.def_var({"layer", io::NcType::i32, {"layer"}});
  nc.put_att("layer", "long_name", "model layer (0: the top one)");
  nc.put_att("layer", "units", "1");
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
  const std::size_t cc = chunk_cells(ncell);
  if (s.fields) {
    for (int v = 0; v < L.n_variables(); ++v)
      for (const int f : s.kinds) {
        const std::string name = field_name(f, s.truth_name, L.variable(v));
        nc.def_var({name, io::NcType::f64, {"time", "layer", "cell"},
                    {chunk_records(cc * layers, s.comm != MPI_COMM_NULL), layers, cc}, s.deflate, -9999.0});
        nc.put_att(name, "long_name",
                   (f == 0 && s.truth_name != "truth" ? std::string("unperturbed control run") : std::string(kFieldLongNames[f])) +
                       " of " + L.variable(v));
        nc.put_att(name, "coordinates", coords);
      }
  }
  for (const auto& d : s.diagnostics)
    for (const bool truth : {true, false}) {
      const std::string who = truth ? s.truth_name : "ensemble_mean", name = truth ? who + "_" + d : ensemble_diagnostic(d);
      nc.def_var({name, io::NcType::f64, {"time", "cell"}, {chunk_records(cc, s.comm != MPI_COMM_NULL), cc}, s.deflate, -9999.0});
      nc.put_att(name, "units", "m");
      nc.put_att(name, "long_name", d == "water_balance_error"
                                        ? "largest absolute water-balance error of one step since the previous record" +
                                              std::string(truth ? "" : " (any member)")
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
  auto out = std::unique_ptr<TwinOutput>(new TwinOutput(std::move(nc), s));
  if (!s.sources.empty()) out->nc_.put_strings("source_name", s.sources);
  out->nc_.put("layer", chosen.data(), {0}, {out->root_ ? layers : 0});
  put_cell_coordinates(out->nc_, s.grid, out->cell_begin_, out->cell_count_);
  return out;
}

std::unique_ptr<TwinOutput> TwinOutput::reopen(const Spec& s) {
  return std::unique_ptr<TwinOutput>(new TwinOutput(io::NcFile::reopen_partial(s.path, s.comm), s));
}

// Every rank takes part in every write (collective access); the scalars are
// the root's, the fields each rank's own cells.
void TwinOutput::write(long long index, const Record& r) {
  const auto t = static_cast<std::size_t>(index);
  const std::size_t one = root_ ? 1 : 0;
  const double tv = CfTimeUnits{1.0, start_}.from_time(r.time);
  nc_.put("time", &tv, {t}, {one});
  for (const auto& f : cycle_fields())
    if (!f.layered || layered_) nc_.put(f.name, &(r.scores.*f.at), {t}, {one});
  if (n_sources_ > 0 && r.sources.size() == n_sources_) {
    std::vector<double> row(n_sources_);
    for (const auto& sc : source_scores()) {
      for (std::size_t j = 0; j < n_sources_; ++j) {
        const double v = sc.of(r.sources[j]);
        row[j] = std::isfinite(v) ? v : -9999.0;
      }
      nc_.put(sc.name, row.data(), {t, 0}, {one, n_sources_});
    }
  }
  const std::size_t c0 = cell_count_ ? cell_begin_ : 0, nc = cell_count_;
  if (r.diagnostics)
    for (std::size_t k = 0; k < diagnostics_.size(); ++k) {
      nc_.put(truth_name_ + "_" + diagnostics_[k], r.diag_truth.data() + k * nc, {t, c0}, {1, nc});
      nc_.put(ensemble_diagnostic(diagnostics_[k]), r.diag_mean.data() + k * nc, {t, c0}, {1, nc});
    }
  write_fields(index, r);
}

void TwinOutput::write_fields(long long index, const Record& r) {
  if (!fields_) return;
  const auto t = static_cast<std::size_t>(index);
  const std::size_t c0 = cell_count_ ? cell_begin_ : 0, nc = cell_count_;
  const Eigen::VectorXd* arrays[] = {r.truth, r.f_mean, r.f_spread, r.a_mean, r.a_spread};
  const auto per_cell = static_cast<std::size_t>(layout_.rows_per_cell());
  const std::size_t nl_out = layers_.size();
  std::size_t first_row = 0;  // of variable v within a cell's rows
  for (int v = 0; v < layout_.n_variables(); ++v) {
    const int nl = layout_.n_layers(v);
    for (const int f : kinds_) {
      if (arrays[f] == nullptr) continue;
      layers_by_cell(*arrays[f], per_cell, first_row, nl, layers_, nc, 1.0, buf_);
      nc_.put(field_name(f, truth_name_, layout_.variable(v)), buf_.data(), {t, 0, c0}, {1, nl_out, nc});
    }
    first_row += static_cast<std::size_t>(nl);
  }
}

}  // namespace landda::experiments

namespace landda::experiments {

void write_maps(const MapsSpec& m, const Eigen::VectorXd& mean, const Eigen::VectorXd& increment, long long cycles) {
  const StateLayout& L = m.layout;
  io::NcFile nc = io::NcFile::create_partial(m.path, m.comm);
  const auto layers = static_cast<std::size_t>(L.max_layers());
  const auto ncell = static_cast<std::size_t>(L.n_cells());
  nc.def_dim("layer", layers);
  nc.def_dim("cell", ncell);
  nc.put_att("", "Conventions", "CF-1.8");
  nc.put_att("", "title", "landda time-mean fields");
  nc.put_att("", "source", "landda " LANDDA_VERSION);
  nc.put_att("", "cycles_averaged", static_cast<double>(cycles));
  const std::string coords = define_cell_coordinates(nc, m.grid);
  const std::size_t cc = chunk_cells(ncell);
  for (int v = 0; v < L.n_variables(); ++v)
    for (const bool inc : {false, true}) {
      const std::string name = (inc ? "mean_increment_" : "time_mean_") + L.variable(v);
      nc.def_var({name, io::NcType::f64, {"layer", "cell"}, {1, cc}, m.deflate, -9999.0});
      nc.put_att(name, "long_name", (inc ? "time-mean analysis increment (analysis mean - forecast mean) of "
                                         : "time-mean analysis ensemble mean of ") + L.variable(v));
      nc.put_att(name, "coordinates", coords);
    }
  nc.end_def();
  const auto c0 = static_cast<std::size_t>(m.cell_begin), n = static_cast<std::size_t>(m.cell_count);
  put_cell_coordinates(nc, m.grid, c0, n);
  const auto per_cell = static_cast<std::size_t>(L.rows_per_cell());
  const std::vector<int> every = written_layers({}, L.max_layers());
  std::vector<double> buf;
  std::size_t first_row = 0;  // of variable v within a cell's rows
  for (int v = 0; v < L.n_variables(); ++v) {
    for (const bool inc : {false, true}) {
      layers_by_cell(inc ? increment : mean, per_cell, first_row, L.n_layers(v), every, n, static_cast<double>(cycles), buf);
      nc.put((inc ? "mean_increment_" : "time_mean_") + L.variable(v), buf.data(), {0, n ? c0 : 0}, {layers, n});
    }
    first_row += static_cast<std::size_t>(L.n_layers(v));
  }
  nc.commit();
}

}  // namespace landda::experiments
