#include "models/soil_water/soil_water.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "core/memory.hpp"
#include "io/netcdf.hpp"
#include "models/soil_water/column_kernels.hpp"
#include "models/soil_water/static_fields.hpp"

namespace landda::models {

using Eigen::ArrayXd;
using Eigen::ArrayXXd;
using soil::Met;

void SoilWater::GridParams::visit(config::Visitor& v) {
  v("kind", kind,
    config::doc("points: a list of sites; lonlat: a regular longitude-latitude grid; projected: a regular grid in km "
                "of the Lambert azimuthal equal-area projection (EASE-2 style)")
        .one_of({"points", "lonlat", "projected"}));
  v("lon", lon, config::doc("longitudes of the points (degrees east)").range(-180, 360));
  v("lat", lat, config::doc("latitudes of the points (degrees north)").range(-90, 90));
  v("names", names, config::doc("names of the points (stations)"));
  v("lon_min", lon_min, config::doc("lonlat: centre of the westernmost column (degrees east)").range(-180, 360));
  v("lon_max", lon_max, config::doc("lonlat: centre of the easternmost column (degrees east)").range(-180, 360));
  v("lat_min", lat_min, config::doc("lonlat: centre of the southernmost row (degrees north)").range(-90, 90));
  v("lat_max", lat_max, config::doc("lonlat: centre of the northernmost row (degrees north)").range(-90, 90));
  v("nx", nx, config::doc("lonlat, projected: number of columns").range(1, 100000));
  v("ny", ny, config::doc("lonlat, projected: number of rows").range(1, 100000));
  v("center_lon", center_lon, config::doc("projected: longitude of the projection centre").range(-180, 360));
  v("center_lat", center_lat, config::doc("projected: latitude of the projection centre").range(-90, 90));
  v("x_min", x_min, config::doc("projected: x of the westernmost cell centres").in("km"));
  v("x_max", x_max, config::doc("projected: x of the easternmost cell centres").in("km"));
  v("y_min", y_min, config::doc("projected: y of the southernmost cell centres").in("km"));
  v("y_max", y_max, config::doc("projected: y of the northernmost cell centres").in("km"));
}

void SoilWater::SoilParams::visit(config::Visitor& v) {
  v("source", source,
    config::doc("constant: the texture below in every cell; ismn: one ISMN *_static_variables.csv per point; "
                "netcdf: a CF file with sand, clay, organic_carbon (and bulk_density) per cell")
        .one_of({"constant", "ismn", "netcdf"}));
  v("sand", sand, config::doc("sand fraction of the mineral soil").range(0, 100).in("%"));
  v("clay", clay, config::doc("clay fraction of the mineral soil").range(0, 100).in("%"));
  v("organic_carbon", organic_carbon, config::doc("organic carbon").range(0, 60).in("% weight"));
  v("bulk_density", bulk_density, config::doc("dry bulk density (van Genuchten PTF)").range(0.1, 2.5).in("g cm-3"));
  v("ismn_files", ismn_files, config::doc("source ismn: the static-variables CSV of each point, in grid order").file());
  v("file", file, config::doc("source netcdf: the static-fields file").file());
  v("heterogeneity", heterogeneity,
    config::doc("standard deviation of random per-cell changes of sand and clay, for synthetic (OSSE) grids")
        .range(0, 50)
        .in("% points"));
  v("heterogeneity_seed", heterogeneity_seed, config::doc("seed of that random texture field").at_least(0));
  v("use_saturation", use_saturation,
    config::doc("take the porosity from the ISMN 'saturation' (HWSD) instead of the pedotransfer function"));
}

void SoilWater::VegetationParams::visit(config::Visitor& v) {
  v("fraction", fraction, config::doc("vegetated fraction: transpiration share of potential ET").range(0, 1));
  v("root_beta", root_beta,
    config::doc("root profile: cumulative fraction above depth d (cm) is 1 - beta^d (Jackson et al. 1996)").range(0.5, 0.999));
  v("albedo", albedo, config::doc("surface albedo for net shortwave radiation").range(0, 1));
  v("wilting_head_m", wilting_head_m, config::doc("head at which transpiration stops").range(-1000, -1).in("m"));
  v("field_capacity_head_m", field_capacity_head_m,
    config::doc("head above which there is no water stress").range(-100, -0.1).in("m"));
}

void SoilWater::PerturbationParams::visit(config::Visitor& v) {
  v("precipitation_sd", precipitation_sd,
    config::doc("standard deviation of the log of the multiplicative precipitation error (mean-one log-normal)").range(0, 3));
  v("temperature_sd", temperature_sd, config::doc("additive air-temperature error").range(0, 20).in("K"));
  v("shortwave_sd", shortwave_sd, config::doc("standard deviation of the log of the shortwave multiplier").range(0, 2));
  v("correlation", correlation, config::doc("e-folding time of the AR(1) forcing errors"));
  v("ks_sd", ks_sd, config::doc("standard deviation of the log of the per-cell K_s multiplier").range(0, 3));
  v("shape_sd", shape_sd,
    config::doc("standard deviation of the log of the per-cell multiplier of b (Clapp-Hornberger) or n-1 "
                "(van Genuchten)")
        .range(0, 1));
}

void SoilWater::Params::visit(config::Visitor& v) {
  v.section("grid", grid, config::doc("where the columns are"));
  v("layer_bottoms", layer_bottoms,
    config::doc("depth of the bottom of each soil layer, increasing").range(0.001, 50).in("m").not_empty());
  v("retention", retention,
    config::doc("hydraulic functions: clapp_hornberger (Cosby et al. 1984 PTF) or van_genuchten (Wosten et al. "
                "1999 PTF)")
        .one_of({"clapp_hornberger", "van_genuchten"}));
  v("solver", solver,
    config::doc("native: batched Newton with tridiagonal solves; petsc: PETSc TS reference (tests)").one_of({"native", "petsc"}));
  v("scheme", scheme,
    config::doc("native solver: newton converges every step to tolerance_m; linearized takes one Newton step per "
                "time step (linearly implicit, as CLM and Noah), about three times faster, balance still closed")
        .one_of({"newton", "linearized"}));
  v("time_step", time_step, config::doc("model time step; assimilation windows are whole multiples of it"));
  v("forcing", forcing, config::doc("landda forcing file (CF NetCDF: pr, tas, and rsds, rlds, hurs, sfcWind, ps)").file().needed());
  v("forcing_memory_mb", forcing_memory_mb,
    config::doc("a forcing file whose values take more than this is read a window (whole UTC days) at a time, each "
                "rank only the cells it advances, and checked as it is read; a smaller one whole at start")
        .at_least(0)
        .in("MB"));
  v("et_method", et_method,
    config::doc("potential ET: auto picks Penman-Monteith with full forcing, Priestley-Taylor with radiation, "
                "else Hargreaves")
        .one_of({"auto", "penman_monteith", "priestley_taylor", "hargreaves"}));
  v("wind_height_m", wind_height_m, config::doc("height of the wind in the forcing").range(0.5, 200).in("m"));
  v.section("soil", soil, config::doc("soil texture and where it comes from"));
  v.section("vegetation", vegetation, config::doc("how ET is split and limited"));
  v("snow_threshold_k", snow_threshold_k, config::doc("precipitation falls as snow below this air temperature").range(250, 290).in("K"));
  v("degree_day_mm", degree_day_mm, config::doc("snowmelt per degree above the threshold per day").range(0, 20).in("mm K-1 day-1"));
  v.section("perturbation", perturbation, config::doc("ensemble spread: forcing and parameter perturbations"));
  v("initial_saturation", initial_saturation,
    config::doc("initial state: theta_r + s (theta_s - theta_r) in every layer").range(0.01, 1.0));
  v("tolerance_m", tolerance_m, config::doc("Newton stops when every layer's water residual is below this").range(1e-15, 1e-6).in("m"));
  v("max_iterations", max_iterations, config::doc("Newton iterations before the step is halved").range(2, 200));
}

SoilWater::SoilWater(const Params& p) : SoilWater(p, soil::Forcing{}) {}

SoilWater::SoilWater(const Params& p, soil::Forcing forcing) : p_(p), forcing_(std::move(forcing)) {
  layers_ = soil::LayerGrid::from_bottoms(p_.layer_bottoms);
  // Before anything per cell is allocated: the grid, soil arrays and the
  // textures they are built from (about 160 bytes a layer and cell while building).
  const auto& g = p_.grid;
  const double cells = g.kind == "points" ? static_cast<double>(g.lon.size()) : static_cast<double>(g.nx) * g.ny;
  check_fits(cells * (64.0 + 160.0 * static_cast<double>(layers_.size())),
             cat("model.grid: ", static_cast<long long>(cells), " cells of ", layers_.size(), " layers"));
  build_grid();
  layout_ = StateLayout(n_cells_, {"soil_moisture"}, {layers_.size()});
  build_soil();
  if (forcing_.path().empty()) forcing_ = soil::Forcing::read(p_.forcing, n_cells_, p_.forcing_memory_mb * 1e6);
  et_ = soil::choose_et_method(p_.et_method, forcing_);
  if (p_.time_step.seconds <= 0) throw ConfigError("model.time_step must be positive");
}

Grid SoilWater::GridParams::build() const {
  const auto& g = *this;
  if (g.kind == "points") {
    if (g.lon.size() != g.lat.size() || g.lon.empty())
      throw ConfigError(cat("model.grid: lon and lat must list the same, non-zero number of points (got ", g.lon.size(),
                            " and ", g.lat.size(), ")"));
    std::vector<std::string> names = g.names;
    if (names.size() != g.lon.size()) {
      names.clear();
      for (std::size_t i = 0; i < g.lon.size(); ++i) names.push_back("point" + std::to_string(i));
    }
    return Grid::points(g.lon, g.lat, names);
  }
  if (g.kind == "projected") {
    if (g.x_max < g.x_min || g.y_max < g.y_min) throw ConfigError("model.grid: x_max/y_max must not be below x_min/y_min");
    const double dx = g.nx > 1 ? (g.x_max - g.x_min) / (g.nx - 1) : 1.0, dy = g.ny > 1 ? (g.y_max - g.y_min) / (g.ny - 1) : 1.0;
    return Grid::projected(g.nx, g.ny, g.x_min, g.y_min, dx, dy, LambertAzimuthalEqualArea{g.center_lon, g.center_lat});
  }
  if (g.lon_max < g.lon_min || g.lat_max < g.lat_min)
    throw ConfigError("model.grid: lon_max/lat_max must not be below lon_min/lat_min");
  std::vector<double> lon, lat;
  for (int i = 0; i < g.nx; ++i) lon.push_back(g.nx == 1 ? g.lon_min : g.lon_min + (g.lon_max - g.lon_min) * i / (g.nx - 1));
  for (int j = 0; j < g.ny; ++j) lat.push_back(g.ny == 1 ? g.lat_min : g.lat_min + (g.lat_max - g.lat_min) * j / (g.ny - 1));
  return Grid::lonlat(lon, lat);
}

Grid SoilWater::grid_of(const config::Node& root) {
  const config::Node node = root.child("model").child("grid");
  if (!node.defined()) node.fail("the config has no model.grid to put the data onto");
  GridParams g;
  config::read(node, g);
  return g.build();
}

void SoilWater::build_grid() {
  grid_ = p_.grid.build();
  n_cells_ = grid_.size();
  kept_begin_ = 0, kept_end_ = n_cells_;
  lat_.resize(n_cells_);
  for (int c = 0; c < n_cells_; ++c) lat_[c] = grid_.lat(c);
}

void SoilWater::build_soil() {
  const int L = layers_.size();
  const auto retention = soil::parse_retention(p_.retention);
  // Each layer takes its column's topsoil or subsoil texture: the parameters of those two are computed
  // (whole-grid textures of two kinds at a time, not of every layer), and equal ones are stored once.
  std::vector<std::size_t> kind(static_cast<std::size_t>(L));
  std::array<bool, 2> wanted{false, false};
  for (std::size_t li = 0; li < kind.size(); ++li) {
    kind[li] = layers_.depth[li] < soil::kTopsoilDepth ? 0 : 1;
    wanted[kind[li]] = true;
  }
  std::vector<std::size_t> kinds;  // those asked for, in order: the soil's arrays before equal ones are dropped
  for (std::size_t k = 0; k < 2; ++k)
    if (wanted[k]) kinds.push_back(k);
  {
    const std::array<std::vector<soil::Texture>, 2> tex = soil::load_textures(p_.soil, grid_, wanted);
    soil_.retention = retention;
    soil_.resize(static_cast<int>(kinds.size()), n_cells_, false);  // each batch of cells computes its own limits
    for (std::size_t a = 0; a < kinds.size(); ++a)
      for (int c = 0; c < n_cells_; ++c) {
        const soil::Texture& t = tex[kinds[a]][static_cast<std::size_t>(c)];
        soil::SoilHydraulics h = retention == soil::Retention::clapp_hornberger ? soil::cosby1984(t) : soil::wosten1999(t);
        if (t.porosity > 0) h.theta_s = t.porosity;
        if (!(h.theta_s > h.theta_r + 0.05) || !(h.k_s > 0) || !std::isfinite(h.k_s))
          throw InputError(cat("model.soil: texture (sand ", t.sand, ", clay ", t.clay, ", organic carbon ",
                               t.organic_carbon, " %) at cell ", c, ", ", kinds[a] == 0 ? "topsoil" : "subsoil",
                               " gives unusable hydraulic parameters (theta_s ", h.theta_s, ", K_s ", h.k_s, ")"));
        soil_.set(static_cast<int>(a), c, h);
      }
  }
  const std::vector<std::size_t> held = soil_.drop_repeated_layers();  // equal kinds share their arrays
  held_.resize(kind.size());
  for (std::size_t li = 0; li < kind.size(); ++li)
    held_[li] = held[static_cast<std::size_t>(std::find(kinds.begin(), kinds.end(), kind[li]) - kinds.begin())];
  build_water_stress(retention);
  // Root fractions per layer (Jackson et al. 1996), normalised over the column:
  // the same in every cell, held for one batch of cells.
  roots_.assign(static_cast<std::size_t>(L), ArrayXd(kBlock));
  double top = 0.0, total = 0.0;
  std::vector<double> f(static_cast<std::size_t>(L));
  for (int l = 0; l < L; ++l) {
    const double bottom = top + layers_.dz[static_cast<std::size_t>(l)];
    f[static_cast<std::size_t>(l)] = std::pow(p_.vegetation.root_beta, 100 * top) - std::pow(p_.vegetation.root_beta, 100 * bottom);
    total += f[static_cast<std::size_t>(l)];
    top = bottom;
  }
  for (int l = 0; l < L; ++l) roots_[static_cast<std::size_t>(l)].setConstant(f[static_cast<std::size_t>(l)] / total);
}

// Wilting point and water-stress terms of each stored layer: root uptake's stress linear from the wilting
// point to field capacity (Feddes et al. 1978), and the top layer's bare-soil evaporation term.
void SoilWater::build_water_stress(soil::Retention retention) {
  const std::size_t stored = soil_.theta_s.size();
  theta_wp_.assign(stored, ArrayXd(n_cells_));
  inv_stress_.assign(stored, ArrayXd(n_cells_));
  inv_evap_.resize(n_cells_);
  for (std::size_t k = 0; k < stored; ++k)
    for (int c = 0; c < n_cells_; ++c) {
      const soil::SoilHydraulics h = soil_.at(static_cast<int>(k), c);
      const double wp = soil::theta_at_head(retention, h, p_.vegetation.wilting_head_m),
                   fc = soil::theta_at_head(retention, h, p_.vegetation.field_capacity_head_m);
      theta_wp_[k][c] = wp;
      inv_stress_[k][c] = 1.0 / (fc - wp);
      if (k == held_[0]) inv_evap_[c] = 1.0 / (fc - 0.5 * wp);  // the top layer's
    }
}

// Every cell, or (keep_cells) the kept cells only, the others left as they are.
void SoilWater::initial_state(Eigen::Ref<Eigen::VectorXd> x, Time) const {
  for (int l = 0; l < layers_.size(); ++l) {
    const auto li = static_cast<std::size_t>(l);
    x.segment(static_cast<Index>(l) * n_cells_ + kept_begin_, kept_end_ - kept_begin_) =
        (soil_.theta_r[held_[li]] + p_.initial_saturation * (soil_.theta_s[held_[li]] - soil_.theta_r[held_[li]])).matrix();
  }
}

void SoilWater::keep_cells(Index begin, Index end) {
  if (begin < kept_begin_ || end > kept_end_ || begin > end)
    throw NumericalError(cat("soil_water: cannot keep cells [", begin, ", ", end, ") of the kept [", kept_begin_, ", ",
                             kept_end_, ")"));
  const Index from = begin - kept_begin_, count = end - begin;
  soil_.keep(from, count);
  for (auto* v : {&theta_wp_, &inv_stress_}) soil::keep_columns(*v, from, count);
  inv_evap_ = inv_evap_.segment(from, count).eval();
  lat_ = lat_.segment(from, count).eval();
  kept_begin_ = begin, kept_end_ = end;
}

void SoilWater::initial_memory(Eigen::Ref<Eigen::VectorXd> m, int member, RandomStream* rng) const {
  // [0, n): snow water (m), then three AR(1) states, then the key of the member's multipliers.
  const Index n = n_cells_;
  m.setZero();  // unperturbed: no snow, the AR(1) states at zero, key 0 (multipliers of one)
  if (member < 0 || rng == nullptr) return;
  const std::uint64_t key = rng->next() | 1;  // never 0, which means unperturbed
  m[n + 3] = static_cast<double>(key >> 32);  // each half exact in a double
  m[n + 4] = static_cast<double>(key & 0xffffffffULL);
  for (Index k = 0; k < 3; ++k) m[n + k] = rng->normal();  // start the AR(1) series in their stationary law
}

void SoilWater::multipliers(const Eigen::Ref<const Eigen::VectorXd>& m, Index n, Index c0, Eigen::ArrayXd& kmult,
                            Eigen::ArrayXd& shape) const {
  const auto key = (static_cast<std::uint64_t>(m[n + 3]) << 32) | static_cast<std::uint64_t>(m[n + 4]);
  const auto& pp = p_.perturbation;
  if (key == 0 || (pp.ks_sd == 0 && pp.shape_sd == 0)) {  // exp(0) = 1 either way: no draws
    kmult.setOnes();
    shape.setOnes();
    return;
  }
  // Log-normal with mean one; deviate 2c of the key for K_s, 2c + 1 for the shape, whichever block or rank
  // advances cell c.
  for (Index i = 0; i < kmult.size(); ++i) {
    const auto c = static_cast<std::uint64_t>(c0 + i);
    kmult[i] = std::exp(pp.ks_sd * normal_at(key, 2 * c) - 0.5 * pp.ks_sd * pp.ks_sd);
    shape[i] = std::exp(pp.shape_sd * normal_at(key, 2 * c + 1) - 0.5 * pp.shape_sd * pp.shape_sd);
  }
}

bool SoilWater::static_field(const std::string& name, Eigen::VectorXd& out) const {
  const std::vector<ArrayXd>* src = name == "porosity"                 ? &soil_.theta_s
                                    : name == "residual"               ? &soil_.theta_r
                                    : name == "saturated_conductivity" ? &soil_.k_s
                                    : name == "clapp_hornberger_b"     ? &soil_.b
                                                                       : nullptr;
  if (!src || (*src)[0].size() == 0) return false;  // a parameter of the other retention
  if (kept_end_ - kept_begin_ != n_cells_)
    throw NumericalError(cat("soil_water: static field ", name, " asked for after the model kept only cells [", kept_begin_,
                             ", ", kept_end_, ")"));
  out.resize(layout_.size());
  for (int l = 0; l < layers_.size(); ++l)
    out.segment(static_cast<Index>(l) * n_cells_, n_cells_) = (*src)[held_[static_cast<std::size_t>(l)]].matrix();
  return true;
}

std::vector<std::string> SoilWater::diagnostic_names() const {
  return {"precipitation", "evapotranspiration", "runoff", "drainage", "water_balance_error"};
}

void SoilWater::advance(Eigen::Ref<Eigen::MatrixXd> X, std::span<const int> members, std::span<RandomStream> rng,
                        Time t0, Time t1, MemberData extra) {
  const auto span = (t1 - t0).seconds;
  if (span < 0 || span % p_.time_step.seconds != 0)
    throw NumericalError(cat("soil_water: window ", span, " s is not a whole number of model steps (", p_.time_step.seconds, " s)"));
  forcing_.check_covers(t0, t1);
  const CellBlock& cells = extra.cells;
  const Index c_end = cells.end < 0 ? n_cells_ : cells.end;
  if (cells.begin < kept_begin_ || cells.begin > c_end || c_end > kept_end_)
    throw NumericalError(cat("soil_water: cell block [", cells.begin, ", ", c_end, ") is not inside the model's cells [",
                             kept_begin_, ", ", kept_end_, ") of ", n_cells_));
  // Where the block's cells are in X, memory and diagnostics: at their own
  // index, or (compact) at index - begin with the block's size as the stride.
  const Storage at{cells.compact ? c_end - cells.begin : n_cells_, cells.compact ? cells.begin : 0};
  const Index rows = static_cast<Index>(layers_.size()) * at.stride;
  if (X.rows() != rows || (extra.memory && extra.memory->rows() != at.stride + kMemoryTail) ||
      (extra.diagnostics && extra.diagnostics->rows() != 5 * at.stride))
    throw NumericalError(cat("soil_water: ", X.rows(), " state rows for ", at.stride, " cells of ", layers_.size(),
                             " layers (", rows, " expected), or memory / diagnostics of another size"));
  forcing_.load(t0, t1, cells.begin, c_end);  // a large file: this window's records of these cells
  // Memory and diagnostics are advanced in place in their columns; a caller
  // that keeps no memory gets the unperturbed member's, afresh each call.
  if (!extra.memory) {
    unkept_memory_.resize(at.stride + kMemoryTail, X.cols());
    unkept_memory_.setZero();  // the unperturbed member's (see initial_memory)
  }
  Eigen::MatrixXd& memory = extra.memory ? *extra.memory : unkept_memory_;
  for (Index j = 0; j < X.cols(); ++j) {
    const bool perturbed = !members.empty() && members[static_cast<std::size_t>(j)] >= 0 && !rng.empty();
    advance_member(X.col(j), memory.col(j), extra.diagnostics ? extra.diagnostics->col(j).data() : nullptr,
                   perturbed ? &rng[static_cast<std::size_t>(j)] : nullptr, t0, t1, cells.begin, c_end, at);
  }
}

void SoilWater::advance_member(Eigen::Ref<Eigen::VectorXd> x, Eigen::Ref<Eigen::VectorXd> m, double* diag,
                               RandomStream* rng, Time t0, Time t1, Index cell_begin, Index cell_end, Storage at) {
  const Index n = at.stride;
  const auto& pp = p_.perturbation;
  const double dt = static_cast<double>(p_.time_step.seconds);
  const double phi = std::exp(-dt / std::max(1.0, static_cast<double>(pp.correlation.seconds)));
  const double innov = std::sqrt(1.0 - phi * phi);
  const auto steps = static_cast<std::size_t>((t1 - t0).seconds / p_.time_step.seconds);
  // The member's forcing errors over the window (AR(1), spatially uniform), drawn
  // in step order before the cells are swept block by block.
  Window& w = window_;
  w.pr_factor.assign(steps, 1.0);
  w.tas_offset.assign(steps, 0.0);
  w.sw_factor.assign(steps, 1.0);
  for (std::size_t k = 0; rng && k < steps; ++k) {
    for (Index i = 0; i < 3; ++i) m[n + i] = phi * m[n + i] + innov * rng->normal();
    w.pr_factor[k] = std::exp(pp.precipitation_sd * m[n] - 0.5 * pp.precipitation_sd * pp.precipitation_sd);
    w.tas_offset[k] = pp.temperature_sd * m[n + 1];
    w.sw_factor[k] = std::exp(pp.shortwave_sd * m[n + 2] - 0.5 * pp.shortwave_sd * pp.shortwave_sd);
  }
  // A forcing that is the same in every cell gives the same potential ET in
  // every cell (Hargreaves aside: it depends on latitude): computed once per step.
  w.uniform = forcing_.uniform() && et_ != soil::EtMethod::hargreaves;
  if (w.uniform) {
    soil::MetStep met;
    met.resize(1);
    Eigen::ArrayXd pet(1);
    w.pr.resize(steps);
    w.tas.resize(steps);
    w.pet.resize(steps);
    for (std::size_t k = 0; k < steps; ++k) {
      const Time t = t0 + Duration{p_.time_step.seconds * static_cast<std::int64_t>(k)};
      read_met(met, w, k, t, 0);
      soil::potential_et(et_, met, lat_.head(1), t, {p_.vegetation.albedo, p_.wind_height_m}, pet);
      w.pr[k] = met.pr[0];
      w.tas[k] = met.tas[0];
      w.pet[k] = pet[0];
    }
  }
  for (Index c0 = cell_begin; c0 < cell_end; c0 += kBlock)
    advance_block(x, m, diag, c0, std::min(kBlock, cell_end - c0), t0, steps, at);
  if (!x.allFinite()) throw NumericalError("soil_water: the soil-moisture state became non-finite");
}

void SoilWater::read_met(soil::MetStep& met, const Window& w, std::size_t k, Time t, Index c0) const {
  const Duration step = p_.time_step;
  forcing_.mean(Met::pr, t, step, met.pr, c0);
  forcing_.mean(Met::tas, t, step, met.tas, c0);
  met.pr *= w.pr_factor[k];
  met.tas += w.tas_offset[k];
  const auto optional = [&](Met v, Eigen::ArrayXd& out) {
    out.resize(forcing_.has(v) ? met.pr.size() : 0);
    if (out.size()) forcing_.mean(v, t, step, out, c0);
  };
  optional(Met::rsds, met.rsds);
  optional(Met::rlds, met.rlds);
  optional(Met::hurs, met.hurs);
  optional(Met::sfcWind, met.wind);
  optional(Met::ps, met.ps);
  if (met.rsds.size()) met.rsds *= w.sw_factor[k];
  if (et_ == soil::EtMethod::hargreaves) {
    met.tmin.resize(met.pr.size());
    met.tmax.resize(met.pr.size());
    forcing_.daily_range(t, met.tmin, met.tmax, c0);
  }
}

soil::ColumnSolver& SoilWater::solver_for(Index columns) {
  if (p_.solver == "petsc") {
    if (!petsc_) petsc_ = soil::make_petsc_solver(layers_);
    return *petsc_;
  }
  auto& s = solvers_[columns];
  if (!s)
    s = std::make_unique<soil::RichardsSolver>(layers_, columns, p_.tolerance_m, p_.max_iterations, p_.scheme == "linearized");
  return *s;
}

void SoilWater::advance_block(Eigen::Ref<Eigen::VectorXd> x, Eigen::Ref<Eigen::VectorXd> m, double* diag, Index c0,
                              Index nb, Time t0, std::size_t steps, Storage at) {
  // All steps of the window for one block of cells: its state and work arrays
  // stay in cache instead of every step streaming the whole grid through it.
  // Forcing is the grid's (cell c0 on), parameters the kept cells' (cell c0 at
  // c0 - kept_begin_); state, memory and diagnostics are where `at` keeps them
  // (cell c0 at c0 - at.offset).
  const int L = layers_.size();
  const Index n = at.stride, s0 = c0 - at.offset, p0 = c0 - kept_begin_;
  const Window& w = window_;
  Block& b = blocks_[nb];  // one per block size: the last, shorter block does not reallocate the others' arrays
  if (b.theta.rows() != nb) {
    b.theta.resize(nb, L);
    b.sink.resize(nb, L);
    b.met.resize(nb);
    for (Eigen::ArrayXd* a : {&b.pet, &b.supply, &b.snow_free, &b.kmult, &b.shape})
      a->resize(nb);
  }
  // The block's soil, copied into work arrays of the block's size (a copy of
  // the grid's soil kept per block would double the model's largest item);
  // this member's shape multipliers on b and n written over it, and the
  // limits computed here (the grid keeps only the parameters).
  soil::SoilArrays& s = b.soil;
  if (s.theta_s.empty()) {
    s.retention = soil_.retention;
    s.resize(L, nb);
  }
  for (std::size_t li = 0; li < static_cast<std::size_t>(L); ++li)
    for (auto [to, from] : {std::pair{&s.theta_s, &soil_.theta_s}, {&s.theta_r, &soil_.theta_r}, {&s.k_s, &soil_.k_s},
                            {&s.psi_s, &soil_.psi_s}, {&s.alpha, &soil_.alpha}, {&s.l, &soil_.l}})
      if ((*from)[held_[li]].size() > 0) (*to)[li] = (*from)[held_[li]].segment(p0, nb);
  multipliers(m, n, c0, b.kmult, b.shape);
  const auto& shape = b.shape;
  for (int l = 0; l < L; ++l) {
    const auto li = static_cast<std::size_t>(l);
    const std::size_t h = held_[li];
    if (soil_.b[h].size() > 0) s.b[li] = soil_.b[h].segment(p0, nb) * shape;
    if (soil_.n[h].size() > 0) s.n[li] = 1.0 + (soil_.n[h].segment(p0, nb) - 1.0) * shape;
    b.theta.col(l) = x.segment(static_cast<Index>(l) * n + s0, nb).array();
  }
  s.update_limits();
  auto swe = m.segment(s0, nb).array();
  const double dt = static_cast<double>(p_.time_step.seconds);
  const double fv = p_.vegetation.fraction;
  soil::ColumnSolver& solver = solver_for(nb);
  for (std::size_t k = 0; k < steps; ++k) {
    const Time t = t0 + Duration{p_.time_step.seconds * static_cast<std::int64_t>(k)};
    if (w.uniform) {
      b.met.pr.setConstant(w.pr[k]);
      b.met.tas.setConstant(w.tas[k]);
      b.pet.setConstant(w.pet[k]);
    } else {
      read_met(b.met, w, k, t, c0);
      soil::potential_et(et_, b.met, lat_.segment(p0, nb), t, {p_.vegetation.albedo, p_.wind_height_m}, b.pet);
    }
    // Snow: degree-day store; rain and melt reach the soil.
    soil::kernels::surface_water(static_cast<std::size_t>(nb),
                                 {dt, p_.snow_threshold_k, p_.degree_day_mm / 1000.0 / 86400.0, b.met.pr.data(),
                                  b.met.tas.data(), b.pet.data(), swe.data(), b.supply.data(), b.snow_free.data()});
    // Sinks (explicit): soil evaporation from the top layer, transpiration by roots, both water-limited.
    for (int l = 0; l < L; ++l) {
      const auto li = static_cast<std::size_t>(l);
      soil::kernels::layer_sink(static_cast<std::size_t>(nb),
                                {fv, l == 0 ? 1.0 - fv : 0.0, layers_.dz[li] / dt, b.snow_free.data(), b.theta.col(l).data(),
                                 theta_wp_[held_[li]].data() + p0, inv_stress_[held_[li]].data() + p0, inv_evap_.data() + p0,
                                 roots_[li].data(),
                                 s.theta_dry[li].data(), b.sink.col(l).data()});
    }
    iterations_ += solver.step(b.theta, s, b.kmult, b.supply, b.sink, dt, b.fx);
    ++steps_;
    if (diag) {
      double* d = diag + s0;
      soil::kernels::accumulate(static_cast<std::size_t>(nb),
                                {L, dt, b.met.pr.data(), b.sink.data(), b.fx.runoff.data(), b.fx.drainage.data(),
                                 b.fx.balance_error.data(), d, d + n, d + 2 * n, d + 3 * n, d + 4 * n});
    }
  }
  for (int l = 0; l < L; ++l) x.segment(static_cast<Index>(l) * n + s0, nb) = b.theta.col(l).matrix();
}

void SoilWater::clamp(Eigen::Ref<Eigen::MatrixXd> X, std::span<const Index> rows) const {
  for (Index r = 0; r < X.rows(); ++r) {
    const Index i = rows[static_cast<std::size_t>(r)];
    const int l = layout_.layer_of(i);
    const Index c = layout_.cell_of(i) - kept_begin_;
    if (c < 0 || c >= kept_end_ - kept_begin_)
      throw NumericalError(cat("soil_water: clamp of cell ", c + kept_begin_, " outside the model's cells [", kept_begin_,
                               ", ", kept_end_, ")"));
    const soil::SoilHydraulics h = soil_at(l, c + kept_begin_);
    const double lo = h.theta_r + 1e-3 * (h.theta_s - h.theta_r), hi = h.theta_s;
    X.row(r) = X.row(r).cwiseMax(lo).cwiseMin(hi);
  }
}

}  // namespace landda::models
