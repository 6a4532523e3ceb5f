#include "models/soil_water/soil_water.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "io/netcdf.hpp"
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
  v("layer_bottoms", layer_bottoms, config::doc("depth of the bottom of each soil layer, increasing").range(0.001, 50).in("m"));
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
  build_grid();
  layout_ = StateLayout(n_cells_, {"soil_moisture"}, {layers_.size()});
  build_soil();
  if (forcing_.path().empty()) forcing_ = soil::Forcing::read(p_.forcing, n_cells_);
  et_ = soil::choose_et_method(p_.et_method, forcing_);
  if (p_.time_step.seconds <= 0) throw ConfigError("model.time_step must be positive");
  if (p_.solver == "petsc") solver_ = soil::make_petsc_solver(layers_);
  else
    solver_ = std::make_unique<soil::RichardsSolver>(layers_, n_cells_, p_.tolerance_m, p_.max_iterations,
                                                     p_.scheme == "linearized");
}

void SoilWater::build_grid() {
  const auto& g = p_.grid;
  if (g.kind == "points") {
    if (g.lon.size() != g.lat.size() || g.lon.empty())
      throw ConfigError(cat("model.grid: lon and lat must list the same, non-zero number of points (got ", g.lon.size(),
                            " and ", g.lat.size(), ")"));
    std::vector<std::string> names = g.names;
    if (names.size() != g.lon.size()) {
      names.clear();
      for (std::size_t i = 0; i < g.lon.size(); ++i) names.push_back("point" + std::to_string(i));
    }
    grid_ = Grid::points(g.lon, g.lat, names);
  } else if (g.kind == "projected") {
    if (g.x_max < g.x_min || g.y_max < g.y_min) throw ConfigError("model.grid: x_max/y_max must not be below x_min/y_min");
    const double dx = g.nx > 1 ? (g.x_max - g.x_min) / (g.nx - 1) : 1.0, dy = g.ny > 1 ? (g.y_max - g.y_min) / (g.ny - 1) : 1.0;
    grid_ = Grid::projected(g.nx, g.ny, g.x_min, g.y_min, dx, dy, LambertAzimuthalEqualArea{g.center_lon, g.center_lat});
  } else {
    if (g.lon_max < g.lon_min || g.lat_max < g.lat_min)
      throw ConfigError("model.grid: lon_max/lat_max must not be below lon_min/lat_min");
    std::vector<double> lon, lat;
    for (int i = 0; i < g.nx; ++i) lon.push_back(g.nx == 1 ? g.lon_min : g.lon_min + (g.lon_max - g.lon_min) * i / (g.nx - 1));
    for (int j = 0; j < g.ny; ++j) lat.push_back(g.ny == 1 ? g.lat_min : g.lat_min + (g.lat_max - g.lat_min) * j / (g.ny - 1));
    grid_ = Grid::lonlat(lon, lat);
  }
  n_cells_ = grid_.size();
  lat_.resize(n_cells_);
  for (int c = 0; c < n_cells_; ++c) lat_[c] = grid_.lat(c);
}

void SoilWater::build_soil() {
  const int L = layers_.size();
  const auto retention = soil::parse_retention(p_.retention);
  std::vector<std::vector<soil::Texture>> tex = soil::load_textures(p_.soil, grid_, layers_);
  soil_.retention = retention;
  soil_.resize(L, n_cells_);
  theta_wp_.assign(static_cast<std::size_t>(L), ArrayXd(n_cells_));
  theta_fc_.assign(static_cast<std::size_t>(L), ArrayXd(n_cells_));
  for (int l = 0; l < L; ++l) {
    const auto li = static_cast<std::size_t>(l);
    for (int c = 0; c < n_cells_; ++c) {
      const soil::Texture& t = tex[li][static_cast<std::size_t>(c)];
      soil::SoilHydraulics h = retention == soil::Retention::clapp_hornberger ? soil::cosby1984(t) : soil::wosten1999(t);
      if (t.porosity > 0) h.theta_s = t.porosity;
      if (!(h.theta_s > h.theta_r + 0.05) || !(h.k_s > 0) || !std::isfinite(h.k_s))
        throw InputError(cat("model.soil: texture (sand ", t.sand, ", clay ", t.clay, ", organic carbon ", t.organic_carbon,
                             " %) at cell ", c, ", layer ", l, " gives unusable hydraulic parameters (theta_s ", h.theta_s,
                             ", K_s ", h.k_s, ")"));
      soil_.set(l, c, h);
      theta_wp_[li][c] = soil::theta_at_head(retention, h, p_.vegetation.wilting_head_m);
      theta_fc_[li][c] = soil::theta_at_head(retention, h, p_.vegetation.field_capacity_head_m);
    }
  }
  soil_.update_limits();
  // Root fractions per layer (Jackson et al. 1996), normalised over the column.
  roots_.assign(static_cast<std::size_t>(L), ArrayXd(n_cells_));
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

void SoilWater::initial_state(Eigen::Ref<Eigen::VectorXd> x, Time) const {
  for (int l = 0; l < layers_.size(); ++l) {
    const auto li = static_cast<std::size_t>(l);
    x.segment(static_cast<Index>(l) * n_cells_, n_cells_) =
        (soil_.theta_r[li] + p_.initial_saturation * (soil_.theta_s[li] - soil_.theta_r[li])).matrix();
  }
}

void SoilWater::initial_memory(Eigen::Ref<Eigen::VectorXd> m, int member, RandomStream* rng) const {
  // [0, n): K_s multiplier, [n, 2n): shape multiplier, [2n, 3n): snow water (m), then three AR(1) states.
  const Index n = n_cells_;
  m.setZero();
  m.segment(0, n).setOnes();
  m.segment(n, n).setOnes();
  if (member < 0 || rng == nullptr) return;
  const auto& pp = p_.perturbation;
  for (Index c = 0; c < n; ++c) m[c] = std::exp(pp.ks_sd * rng->normal() - 0.5 * pp.ks_sd * pp.ks_sd);
  for (Index c = 0; c < n; ++c) m[n + c] = std::exp(pp.shape_sd * rng->normal() - 0.5 * pp.shape_sd * pp.shape_sd);
  for (Index k = 0; k < 3; ++k) m[3 * n + k] = rng->normal();  // start the AR(1) series in their stationary law
}

bool SoilWater::static_field(const std::string& name, Eigen::VectorXd& out) const {
  const std::vector<ArrayXd>* src = name == "porosity" ? &soil_.theta_s : name == "residual" ? &soil_.theta_r : nullptr;
  if (!src) return false;
  out.resize(layout_.size());
  for (int l = 0; l < layers_.size(); ++l)
    out.segment(static_cast<Index>(l) * n_cells_, n_cells_) = (*src)[static_cast<std::size_t>(l)].matrix();
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
  for (Index j = 0; j < X.cols(); ++j) {
    Eigen::VectorXd mem, diag;
    Eigen::VectorXd* memp = nullptr;
    Eigen::VectorXd* diagp = nullptr;
    if (extra.memory) {
      mem = extra.memory->col(j);
      memp = &mem;
    } else {
      mem.resize(memory_size());
      initial_memory(mem, -1, nullptr);
      memp = &mem;
    }
    if (extra.diagnostics) {
      diag = extra.diagnostics->col(j);
      diagp = &diag;
    }
    const bool perturbed = !members.empty() && members[static_cast<std::size_t>(j)] >= 0 && !rng.empty();
    auto xj = X.col(j);
    advance_member(xj, memp, diagp, perturbed ? &rng[static_cast<std::size_t>(j)] : nullptr, t0, t1);
    if (extra.memory) extra.memory->col(j) = mem;
    if (extra.diagnostics) extra.diagnostics->col(j) = diag;
  }
}

void SoilWater::advance_member(Eigen::Ref<Eigen::VectorXd> x, Eigen::VectorXd* memory, Eigen::VectorXd* diag,
                               RandomStream* rng, Time t0, Time t1) {
  const int L = layers_.size();
  const Index n = n_cells_;
  Eigen::VectorXd& m = *memory;
  Eigen::Map<ArrayXXd> theta(x.data(), n, L);
  // This member's soil: K_s and the shape parameter scaled by its multipliers.
  soil::SoilArrays s = soil_;
  const ArrayXd kmult = m.segment(0, n).array();
  const ArrayXd shape = m.segment(n, n).array();
  for (int l = 0; l < L; ++l) {
    const auto li = static_cast<std::size_t>(l);
    s.b[li] *= shape;
    s.n[li] = 1.0 + (s.n[li] - 1.0) * shape;
  }
  if ((shape != 1.0).any()) s.update_limits();
  auto swe = m.segment(2 * n, n).array();
  const auto& pp = p_.perturbation;
  const double dt = static_cast<double>(p_.time_step.seconds);
  const double phi = std::exp(-dt / std::max(1.0, static_cast<double>(pp.correlation.seconds)));
  const double innov = std::sqrt(1.0 - phi * phi);

  soil::MetStep met;
  met.resize(n);
  ArrayXd pet(n), rain(n), snowfall(n), melt(n), esoil(n), supply(n);
  ArrayXXd sink(n, L);
  soil::StepFluxes fx;
  const soil::EtSettings ets{p_.vegetation.albedo, p_.wind_height_m};
  const bool has_rlds = forcing_.has(Met::rlds), has_hurs = forcing_.has(Met::hurs);
  const bool has_wind = forcing_.has(Met::sfcWind), has_ps = forcing_.has(Met::ps), has_sw = forcing_.has(Met::rsds);
  for (Time t = t0; t < t1; t = t + p_.time_step) {
    forcing_.mean(Met::pr, t, p_.time_step, met.pr);
    forcing_.mean(Met::tas, t, p_.time_step, met.tas);
    if (has_sw) forcing_.mean(Met::rsds, t, p_.time_step, met.rsds);
    met.rlds.resize(has_rlds ? n : 0);
    met.hurs.resize(has_hurs ? n : 0);
    met.ps.resize(has_ps ? n : 0);
    if (has_rlds) forcing_.mean(Met::rlds, t, p_.time_step, met.rlds);
    if (has_hurs) forcing_.mean(Met::hurs, t, p_.time_step, met.hurs);
    if (has_wind) forcing_.mean(Met::sfcWind, t, p_.time_step, met.wind);
    if (has_ps) forcing_.mean(Met::ps, t, p_.time_step, met.ps);
    if (rng) {
      // AR(1) forcing errors, one series per member (spatially uniform).
      for (Index k = 0; k < 3; ++k) m[3 * n + k] = phi * m[3 * n + k] + innov * rng->normal();
      const double ep = m[3 * n], et = m[3 * n + 1], es = m[3 * n + 2];
      met.pr *= std::exp(pp.precipitation_sd * ep - 0.5 * pp.precipitation_sd * pp.precipitation_sd);
      met.tas += pp.temperature_sd * et;
      if (has_sw) met.rsds *= std::exp(pp.shortwave_sd * es - 0.5 * pp.shortwave_sd * pp.shortwave_sd);
    }
    soil::potential_et(et_, met, forcing_, lat_, t, p_.time_step, ets, pet);
    // Snow: degree-day store; rain and melt reach the soil.
    const ArrayXd pr = met.pr / 1000.0;  // kg m-2 s-1 -> m/s
    const ArrayXd cold = (met.tas < p_.snow_threshold_k).cast<double>();
    snowfall = pr * cold;
    rain = pr - snowfall;
    swe += snowfall * dt;
    melt = (p_.degree_day_mm / 1000.0 / 86400.0 * (met.tas - p_.snow_threshold_k).max(0.0) * dt).min(swe);
    swe -= melt;
    supply = rain + melt / dt;
    // Sinks (explicit): soil evaporation from the top layer, transpiration by roots, both water-limited.
    const double fv = p_.vegetation.fraction;
    const ArrayXd snow_free = (swe <= 0.0).cast<double>();  // no ET through a snowpack
    for (int l = 0; l < L; ++l) {
      const auto li = static_cast<std::size_t>(l);
      const ArrayXd stress = ((theta.col(l) - theta_wp_[li]) / (theta_fc_[li] - theta_wp_[li])).max(0.0).min(1.0);
      sink.col(l) = fv * pet * snow_free * roots_[li] * stress;
    }
    const ArrayXd dry = 0.5 * theta_wp_[0];
    esoil = (1.0 - fv) * pet * snow_free * ((theta.col(0) - dry) / (theta_fc_[0] - dry)).max(0.0).min(1.0);
    sink.col(0) += esoil;
    for (int l = 0; l < L; ++l) {
      // Never take more than half of the water above residual in one step.
      const auto li = static_cast<std::size_t>(l);
      const ArrayXd dry = s.theta_r[li] + s.se_min[li] * (s.theta_s[li] - s.theta_r[li]);
      const ArrayXd avail = 0.5 * (theta.col(l) - dry).max(0.0) * layers_.dz[li] / dt;
      sink.col(l) = sink.col(l).min(avail);
    }
    iterations_ += solver_->step(theta, s, kmult, supply, sink, dt, fx);
    ++steps_;
    if (diag) {
      Eigen::VectorXd& d = *diag;
      d.segment(0, n).array() += pr * dt;
      d.segment(n, n).array() += sink.rowwise().sum() * dt;
      d.segment(2 * n, n).array() += fx.runoff;
      d.segment(3 * n, n).array() += fx.drainage;
      d.segment(4 * n, n).array() = d.segment(4 * n, n).array().max(fx.balance_error.abs());
    }
  }
  if (!x.allFinite()) throw NumericalError("soil_water: the soil-moisture state became non-finite");
}

void SoilWater::clamp(Eigen::Ref<Eigen::MatrixXd> X, Index row_begin) const {
  for (Index r = 0; r < X.rows(); ++r) {
    const Index i = row_begin + r;
    const int l = layout_.layer_of(i), c = layout_.cell_of(i);
    const auto li = static_cast<std::size_t>(l);
    const double lo = soil_.theta_r[li][c] + 1e-3 * (soil_.theta_s[li][c] - soil_.theta_r[li][c]);
    const double hi = soil_.theta_s[li][c];
    X.row(r) = X.row(r).cwiseMax(lo).cwiseMin(hi);
  }
}

}  // namespace landda::models
