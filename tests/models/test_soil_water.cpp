#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "config/node.hpp"
#include "core/error.hpp"
#include "io/netcdf.hpp"
#include "models/soil_water/forcing.hpp"
#include "models/soil_water/forcing_import.hpp"
#include "models/soil_water/hydraulics.hpp"
#include "models/soil_water/richards.hpp"
#include "models/soil_water/soil_water.hpp"
#include "models/soil_water/static_fields.hpp"

using namespace landda;
using namespace landda::models::soil;
namespace fs = std::filesystem;

namespace {

const std::string kBondville = std::string(LANDDA_SOURCE_DIR) + "/data/bondville/bondville_1998.nc";

fs::path scratch(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("landda_soil_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::unique_ptr<models::SoilWater> make(const std::string& extra) {
  models::SoilWater::Params p;
  config::read(config::load_string("forcing: " + kBondville + "\n" + extra, "soil-test"), p);
  return std::make_unique<models::SoilWater>(p);
}

}  // namespace

TEST_CASE("Pedotransfer functions reproduce their published forms", "[models][soil]") {
  // Cosby et al. (1984) univariate, as in CLM: silt loam (sand 10 %, clay 20 %).
  Texture t;
  t.sand = 10;
  t.clay = 20;
  const SoilHydraulics c = cosby1984(t);
  CHECK(c.theta_s == Approx(0.489 - 0.0126));
  CHECK(c.b == Approx(2.91 + 0.159 * 20));
  CHECK(c.psi_s == Approx(0.01 * std::pow(10.0, 1.88 - 0.131)));
  CHECK(c.k_s == Approx(7.0556e-6 * std::pow(10.0, -0.884 + 0.153)));
  // Wosten et al. (1999): clay 25 %, silt 15 %, organic matter 4.5 %, bulk density 1.124447, topsoil,
  // against an independent implementation (R package euosi, pFpara_ptf_Wosten1999).
  Texture w;
  w.clay = 25;
  w.silt = 15;
  w.sand = 60;
  w.organic_carbon = 4.5 / 1.724;
  w.bulk_density = 1.124447;
  w.topsoil = true;
  const SoilHydraulics v = wosten1999(w);
  CHECK(v.theta_s == Approx(0.5098983).epsilon(1e-6));
  CHECK(v.alpha == Approx(100 * 0.05413231).epsilon(1e-6));
  CHECK(v.n == Approx(1.169909).epsilon(1e-6));
  CHECK(v.theta_r == 0.01);
}

TEST_CASE("Hydraulic functions: derivatives, inverse and limits", "[models][soil]") {
  Texture t;
  t.sand = 40;
  t.clay = 15;
  t.silt = 45;
  for (const Retention r : {Retention::clapp_hornberger, Retention::van_genuchten}) {
    const SoilHydraulics p = r == Retention::clapp_hornberger ? cosby1984(t) : wosten1999(t);
    INFO("retention " << static_cast<int>(r));
    for (double frac : {0.1, 0.3, 0.6, 0.9, 0.99}) {
      const double th = p.theta_r + frac * (p.theta_s - p.theta_r), e = 1e-7;
      const auto s = evaluate(r, p, th), sp = evaluate(r, p, th + e), sm = evaluate(r, p, th - e);
      CHECK(s.h < 0.0);
      CHECK(s.k > 0.0);
      CHECK(s.k <= p.k_s);
      CHECK(s.dh == Approx((sp.h - sm.h) / (2 * e)).epsilon(1e-4));
      CHECK(s.dk == Approx((sp.k - sm.k) / (2 * e)).epsilon(1e-4));
      CHECK(theta_at_head(r, p, s.h) == Approx(th).epsilon(1e-9));
    }
    CHECK(evaluate(r, p, p.theta_s).k == Approx(p.k_s));
    CHECK(theta_at_head(r, p, 0.0) == p.theta_s);
    CHECK(theta_at_head(r, p, -150.0) < theta_at_head(r, p, -3.3));
  }
}

TEST_CASE("Ponded infiltration matches Philip's sorptivity (Parlange 1975)", "[models][soil]") {
  // A deep column of 1-cm layers, initially dry, under a ponded surface: early
  // infiltration is I = S sqrt(t). Parlange's sorptivity:
  // S^2 = integral_{theta_i}^{theta_s} (theta_s + theta - 2 theta_i) D(theta) dtheta, D = K dh/dtheta.
  // van Genuchten has no air-entry head (h(theta_s) = 0), so Parlange's formula applies as it stands.
  Texture t;
  t.sand = 60;  // a sandy loam
  t.clay = 10;
  t.silt = 30;
  const SoilHydraulics p = wosten1999(t);
  const Retention r = Retention::van_genuchten;
  const double ti = p.theta_r + 0.3 * (p.theta_s - p.theta_r);
  double s2 = 0.0;
  const int nq = 20000;
  for (int k = 0; k < nq; ++k) {
    const double th = ti + (p.theta_s - ti) * (k + 0.5) / nq;
    const auto e = evaluate(r, p, th);
    s2 += (p.theta_s + th - 2 * ti) * e.k * e.dh * (p.theta_s - ti) / nq;
  }
  const double S = std::sqrt(s2);
  const double cell = 0.005;  // 5-mm layers
  const int L = static_cast<int>(1.5 / cell);
  std::vector<double> bottoms;
  for (int l = 1; l <= L; ++l) bottoms.push_back(cell * l);
  const LayerGrid grid = LayerGrid::from_bottoms(bottoms);
  const SoilArrays soil = SoilArrays::uniform(r, L, p);
  RichardsSolver solver(grid, 1);
  Eigen::ArrayXXd theta = Eigen::ArrayXXd::Constant(1, L, ti);
  const Eigen::ArrayXd one = Eigen::ArrayXd::Ones(1), rain = Eigen::ArrayXd::Constant(1, 1.0);  // 1 m/s: always ponded
  Eigen::ArrayXXd sink = Eigen::ArrayXXd::Zero(1, L);
  StepFluxes fx;
  double infiltrated = 0.0, drained = 0.0;
  const double dt = 1.0, t_end = 600.0;
  for (double time = 0; time < t_end; time += dt) {
    solver.step(theta, soil, one, rain, sink, dt, fx);
    infiltrated += fx.infiltration[0];
    drained += fx.drainage[0];
  }
  const double philip = S * std::sqrt(t_end);
  INFO("sorptivity " << S << " m/s^0.5, infiltrated " << infiltrated << " m, S sqrt(t) " << philip << ", K_s " << p.k_s
                     << " m/s, t/t_grav " << t_end / std::pow(S / p.k_s, 2));
  // Philip's (1957) two-term series I = S t^1/2 + A t with K_s/3 <= A <= 2 K_s/3; 5 % for the grid.
  CHECK(infiltrated > 0.95 * (philip + p.k_s * t_end / 3));
  CHECK(infiltrated < 1.05 * (philip + 2 * p.k_s * t_end / 3));
  // The PETSc TS reference (adaptive BDF) on the same problem.
  Eigen::ArrayXXd ref = Eigen::ArrayXXd::Constant(1, L, ti);
  make_petsc_solver(grid)->step(ref, soil, one, rain, sink, t_end, fx);
  INFO("PETSc TS infiltrated " << fx.infiltration[0] << " m; max |theta difference| " << (ref - theta).abs().maxCoeff());
  CHECK(infiltrated == Approx(fx.infiltration[0]).epsilon(0.03));
  CHECK((ref - theta).abs().maxCoeff() < 0.03);
  // The water went into the soil: storage rose by what infiltrated less what drained at the bottom.
  double stored = 0.0;
  for (int l = 0; l < L; ++l) stored += (theta(0, l) - ti) * cell;
  CHECK(std::abs(stored - (infiltrated - drained)) < 1e-10);
}

TEST_CASE("A year at Bondville closes the water balance", "[models][soil]") {
  for (const std::string retention : {"clapp_hornberger", "van_genuchten"}) {
    INFO(retention);
    auto m = make("grid: {kind: points, lon: [-88.37, -88.37], lat: [40.01, 40.01]}\n"
                  "soil: {source: constant, sand: 10, clay: 20}\nretention: " + retention + "\n");
    const StateLayout& L = m->layout();
    const int nc = L.n_cells();
    Eigen::VectorXd x(L.size());
    const Time t0 = Time::parse("1998-01-01T06:30:00Z");
    m->initial_state(x, t0);
    // Two columns: the control (cell 0 unperturbed) and a perturbed member.
    Eigen::MatrixXd X(L.size(), 2);
    X.col(0) = x;
    X.col(1) = x;
    std::vector<RandomStream> rng{RandomStream(1, "model", 0), RandomStream(1, "model", 1)};
    Eigen::MatrixXd mem(m->memory_size(), 2), diag = Eigen::MatrixXd::Zero(5 * nc, 2);
    m->initial_memory(mem.col(0), -1, nullptr);
    m->initial_memory(mem.col(1), 1, &rng[1]);
    const Eigen::MatrixXd X0 = X, mem0 = mem;
    const int ids[] = {-1, 1};
    for (int d = 0; d < 365; ++d) {
      const Time a = t0 + Duration{86400LL * d};
      m->advance(X, ids, rng, a, a + Duration{86400}, {&mem, &diag});
    }
    const auto dz = [&](int l) { return m->layer_bottoms()[static_cast<std::size_t>(l)] - (l ? m->layer_bottoms()[static_cast<std::size_t>(l - 1)] : 0.0); };
    for (int j = 0; j < 2; ++j)
      for (int c = 0; c < nc; ++c) {
        double ds = mem(c, j) - mem0(c, j);  // snow, the memory's first per-cell row
        for (int l = 0; l < L.n_layers(0); ++l) ds += dz(l) * (X(L.index(0, l, c), j) - X0(L.index(0, l, c), j));
        const double p = diag(c, j), et = diag(nc + c, j), ro = diag(2 * nc + c, j), dr = diag(3 * nc + c, j);
        INFO("member column " << j << ", cell " << c << ": P " << p << " ET " << et << " R " << ro << " D " << dr << " dS " << ds);
        CHECK(p == Approx(j == 0 ? 0.9258 : p).epsilon(1e-3));
        CHECK(std::abs(ds - (p - et - ro - dr)) < 1e-8);
        CHECK(diag(4 * nc + c, j) < 1e-9);  // largest error of any one step
        CHECK(et > 0.3);
        CHECK(et < 0.9);
        for (int l = 0; l < L.n_layers(0); ++l) {
          const double th = X(L.index(0, l, c), j);
          CHECK(th > m->soil_at(l, c).theta_r);
          CHECK(th <= m->soil_at(l, c).theta_s + 1e-12);
        }
      }
  }
}

TEST_CASE("Soil moisture rises after rain and falls in dry spells", "[models][soil]") {
  auto m = make("soil: {sand: 10, clay: 20}\n");
  const StateLayout& L = m->layout();
  Eigen::VectorXd x(L.size());
  const Time t0 = Time::parse("1998-01-01T06:30:00Z");
  m->initial_state(x, t0);
  Eigen::MatrixXd X = x;
  Eigen::MatrixXd mem(m->memory_size(), 1), diag = Eigen::MatrixXd::Zero(5, 1);
  m->initial_memory(mem.col(0), -1, nullptr);
  const int ids[] = {-1};
  int wet_days = 0, wetter = 0, dry_days = 0, drier = 0;
  for (int d = 0; d < 365; ++d) {
    const Time a = t0 + Duration{86400LL * d};
    const double before = X(0, 0);
    diag.setZero();
    m->advance(X, ids, {}, a, a + Duration{86400}, {&mem, &diag});
    const double rain_mm = diag(0, 0) * 1000;
    const bool season = a.day_of_year() > 100 && a.day_of_year() < 300;  // no snow
    if (rain_mm > 10 && season) {
      ++wet_days;
      wetter += X(0, 0) > before;
    } else if (rain_mm == 0.0 && season) {
      ++dry_days;
      drier += X(0, 0) < before;
    }
  }
  INFO(wet_days << " wet days, " << wetter << " wetter; " << dry_days << " dry growing-season days, " << drier << " drier");
  CHECK(wet_days > 15);
  CHECK(wetter >= 0.8 * wet_days);
  CHECK(drier >= 0.9 * dry_days);
}

TEST_CASE("Forcing files with gaps, disorder or wrong units are refused", "[models][soil]") {
  const fs::path dir = scratch("forcing");
  ForcingSeries s;
  s.start = Time::parse("2000-01-01");
  s.interval = Duration{3600};
  s.values[0] = {0.0, 1e-4, 0.0, 0.0};
  s.values[1] = {280.0, 281.0, 282.0, 283.0};
  const std::string good = (dir / "good.nc").string();
  write_forcing(s, good);
  const Forcing f = Forcing::read(good, 3);
  CHECK(f.begin() == s.start);
  CHECK(f.end() == s.start + Duration{4 * 3600});
  Eigen::ArrayXd out(3);
  f.mean(Met::tas, s.start + Duration{1800}, Duration{3600}, out);
  CHECK(out[2] == Approx(280.5));
  CHECK_THROWS_WITH(f.check_covers(s.start, s.start + Duration{5 * 3600}), Catch::Contains("the forcing covers"));

  auto gap = s;
  gap.values[1][2] = std::nan("");
  write_forcing(gap, (dir / "gap.nc").string());
  CHECK_THROWS_WITH(Forcing::read((dir / "gap.nc").string(), 1),
                    Catch::Contains("gap.nc: variable 'tas' has a gap (missing value) at 2000-01-01T02:00:00Z"));
  auto filled = gap;
  CHECK(fill_gaps(filled, 2, "gap")[1] == 1);
  CHECK(filled.values[1][2] == Approx(282.0));
  auto long_gap = s;
  long_gap.values[1][1] = long_gap.values[1][2] = std::nan("");
  CHECK_THROWS_WITH(fill_gaps(long_gap, 1, "long"), Catch::Contains("tas is missing from 2000-01-01T01:00:00Z to 2000-01-01T02:00:00Z"));

  auto kelvin = s;
  kelvin.values[1] = {7.0, 8.0, 9.0, 10.0};  // degrees Celsius in a kelvin variable
  write_forcing(kelvin, (dir / "celsius.nc").string());
  CHECK_THROWS_WITH(Forcing::read((dir / "celsius.nc").string(), 1), Catch::Contains("outside the plausible range"));

  {  // times out of order
    auto nc = io::NcFile::create((dir / "order.nc").string());
    nc.def_dim("time", 3);
    nc.def_var({"time", io::NcType::f64, {"time"}});
    nc.put_att("time", "units", "hours since 2000-01-01");
    nc.def_var({"pr", io::NcType::f64, {"time"}});
    nc.def_var({"tas", io::NcType::f64, {"time"}});
    nc.end_def();
    const double t[] = {0, 2, 1}, pr[] = {0, 0, 0}, tas[] = {280, 280, 280};
    nc.put("time", t);
    nc.put("pr", pr);
    nc.put("tas", tas);
    nc.commit();
  }
  CHECK_THROWS_WITH(Forcing::read((dir / "order.nc").string(), 1), Catch::Contains("times are out of order"));
  CHECK_THROWS_WITH(Forcing::read((dir / "none.nc").string(), 1), Catch::Contains("no such file"));
}

TEST_CASE("ISMN static variables give the texture of each layer", "[models][soil]") {
  const fs::path dir = scratch("ismn");
  const std::string path = (dir / "X_static_variables.csv").string();
  {
    std::ofstream f(path);
    f << "quantity_name;unit;depth_from[m];depth_to[m];value;description;quantity_source_name;\n"
         "saturation;m^3*m^-3;0.00;0.30;0.46;;HWSD;\nclay fraction;% weight;0.00;0.30;23.00;;HWSD;\n"
         "organic carbon;% weight;0.00;0.30;1.27;;HWSD;\nsand fraction;% weight;0.00;0.30;36.00;;HWSD;\n"
         "silt fraction;% weight;0.00;0.30;41.00;;HWSD;\nsaturation;m^3*m^-3;0.30;1.00;0.44;;HWSD;\n"
         "clay fraction;% weight;0.30;1.00;29.00;;HWSD;\nsand fraction;% weight;0.30;1.00;29.00;;HWSD;\n"
         "organic carbon;% weight;-99.90;-99.90;0.59;;insitu;\n";
  }
  const IsmnStatic st = read_ismn_static(path);
  CHECK(st.sand[0] == 36);
  CHECK(st.clay[1] == 29);
  CHECK(st.organic_carbon[0] == 1.27);
  CHECK(st.saturation[1] == 0.44);
  auto m = make("soil: {source: ismn, ismn_files: [" + path + "]}\n");
  CHECK(m->soil_at(0, 0).theta_s == 0.46);  // HWSD saturation for 0-5 cm
  CHECK(m->soil_at(5, 0).theta_s == 0.44);  // and for 100-200 cm
  const std::string bad = (dir / "bad.csv").string();
  std::ofstream(bad) << "not,an,ismn,file\n";
  CHECK_THROWS_WITH(read_ismn_static(bad), Catch::Contains("bad.csv:1: not an ISMN static-variables file"));
  CHECK_THROWS_WITH(make("soil: {source: ismn, ismn_files: [" + path + ", " + path + "]}\n"),
                    Catch::Contains("lists 2 files; the grid has 1 points"));
  CHECK_THROWS_WITH(make("soil: {source: ismn, ismn_files: [a.csv]}\n"),
                    Catch::Contains("soil.ismn_files.0: file 'a.csv' does not exist"));
}

TEST_CASE("The native solver matches the PETSc TS reference", "[models][soil]") {
  // A 60-cm column of 2-cm layers, wetter below, under steady rain below the
  // infiltration capacity with root extraction: one hour by BDF (PETSc, tight
  // tolerances) and by the native backward Euler in 10-s and 3600-s steps.
  for (const Retention r : {Retention::clapp_hornberger, Retention::van_genuchten}) {
    INFO("retention " << static_cast<int>(r));
    Texture t;
    t.sand = 40;
    t.clay = 20;
    t.silt = 40;
    const SoilHydraulics p = r == Retention::clapp_hornberger ? cosby1984(t) : wosten1999(t);
    const int L = 30;
    std::vector<double> bottoms;
    for (int l = 1; l <= L; ++l) bottoms.push_back(0.02 * l);
    const LayerGrid grid = LayerGrid::from_bottoms(bottoms);
    const SoilArrays soil = SoilArrays::uniform(r, L, p);
    Eigen::ArrayXXd theta0(1, L), sink = Eigen::ArrayXXd::Zero(1, L);
    for (int l = 0; l < L; ++l) {
      theta0(0, l) = p.theta_r + (0.35 + 0.4 * l / L) * (p.theta_s - p.theta_r);
      if (l < 10) sink(0, l) = 2e-8;
    }
    const Eigen::ArrayXd one = Eigen::ArrayXd::Ones(1), rain = Eigen::ArrayXd::Constant(1, 0.3 * p.k_s);
    StepFluxes fx;
    Eigen::ArrayXXd ref = theta0;
    auto petsc = make_petsc_solver(grid);
    petsc->step(ref, soil, one, rain, sink, 3600.0, fx);
    const double ref_infiltration = fx.infiltration[0];
    const auto native = [&](double dt, bool linearized = false) {
      RichardsSolver solver(grid, 1, 1e-11, 30, linearized);
      Eigen::ArrayXXd th = theta0;
      double infiltrated = 0;
      for (double time = 0; time < 3600.0 - 1e-9; time += dt) {
        solver.step(th, soil, one, rain, sink, dt, fx);
        infiltrated += fx.infiltration[0];
      }
      return std::pair{th, infiltrated};
    };
    const auto [fine, fine_inf] = native(10.0);
    const auto [coarse, coarse_inf] = native(3600.0);
    const double diff_fine = (fine - ref).abs().maxCoeff(), diff_coarse = (coarse - ref).abs().maxCoeff();
    INFO("max |theta_native - theta_petsc|: dt 10 s " << diff_fine << ", dt 3600 s " << diff_coarse);
    CHECK(diff_fine < 2e-4);
    CHECK(diff_coarse < 3e-2);  // one-hour steps on 2-cm layers: first-order time error
    CHECK(diff_fine < diff_coarse);  // backward Euler converges to the reference as dt shrinks
    CHECK(fine_inf == Approx(ref_infiltration).epsilon(1e-2));
    CHECK((ref - theta0).abs().maxCoeff() > 1e-3);  // something happened
    // The linearly implicit scheme: one Newton step per time step, balance closed by its linearised fluxes.
    const auto [lin, lin_inf] = native(10.0, true);
    INFO("linearized, dt 10 s: " << (lin - ref).abs().maxCoeff());
    CHECK((lin - ref).abs().maxCoeff() < 1e-3);
    CHECK(std::abs(fx.balance_error[0]) < 1e-12);
    CHECK(lin_inf == Approx(ref_infiltration).epsilon(2e-2));
  }
}

TEST_CASE("A column's step does not depend on the other columns of its batch", "[models][soil]") {
  // Two columns solved together: one under a cloudburst onto dry soil (its Newton needs halved
  // steps), one in light rain (converges at once). Each must come out bit for bit as when solved
  // alone: a column of a station experiment with nothing to assimilate is then the open loop.
  Texture t;
  t.sand = 30;
  t.clay = 30;
  t.silt = 40;
  const SoilHydraulics p = cosby1984(t);
  const std::vector<double> bottoms{0.05, 0.15, 0.30, 0.60, 1.00, 2.00};
  const LayerGrid grid = LayerGrid::from_bottoms(bottoms);
  const int L = grid.size();
  const SoilArrays one_col = SoilArrays::uniform(Retention::clapp_hornberger, L, p);
  SoilArrays two_cols;
  two_cols.gather(one_col, {0, 0});
  const double dt = 3600;
  const Eigen::ArrayXd km1 = Eigen::ArrayXd::Ones(1), km2 = Eigen::ArrayXd::Ones(2);
  Eigen::ArrayXd rain(2);
  rain << 0.15 / 3600, 1e-7;  // 150 mm in the hour onto dry soil; 0.36 mm/h
  Eigen::ArrayXXd theta(2, L);
  theta.row(0).setConstant(p.theta_r + 0.05 * (p.theta_s - p.theta_r));
  theta.row(1).setConstant(p.theta_r + 0.6 * (p.theta_s - p.theta_r));
  Eigen::ArrayXXd sink = Eigen::ArrayXXd::Zero(2, L);
  RichardsSolver both(grid, 2);
  StepFluxes fx;
  const int iterations = both.step(theta, two_cols, km2, rain, sink, dt, fx);
  for (int c = 0; c < 2; ++c) {
    RichardsSolver alone(grid, 1);
    Eigen::ArrayXXd th(1, L), sk = Eigen::ArrayXXd::Zero(1, L);
    th.row(0).setConstant(c == 0 ? p.theta_r + 0.05 * (p.theta_s - p.theta_r) : p.theta_r + 0.6 * (p.theta_s - p.theta_r));
    const Eigen::ArrayXd r = Eigen::ArrayXd::Constant(1, rain[c]);
    StepFluxes f1;
    const int it1 = alone.step(th, one_col, km1, r, sk, dt, f1);
    INFO("column " << c << ": " << it1 << " iterations alone, " << iterations << " in the batch");
    CHECK((th.row(0) == theta.row(c)).all());
    CHECK(f1.infiltration[0] == fx.infiltration[c]);
    CHECK(f1.drainage[0] == fx.drainage[c]);
    CHECK(f1.runoff[0] == fx.runoff[c]);
    if (c == 0) CHECK(it1 > 10);  // the cloudburst did need halved steps
  }
}

TEST_CASE("Layers of one texture share their parameter arrays", "[models][soil]") {
  // Four layers of two columns: layer 2 repeats layer 0 in both columns, layer 3 repeats layer 1 in one
  // column only. Stored: layers 0, 1 and 3; every layer reads back its own parameters.
  Texture top, sub;
  top.sand = 60, top.clay = 10, sub.sand = 20, sub.clay = 40;
  SoilArrays s;
  s.retention = Retention::clapp_hornberger;
  s.resize(4, 2, false);
  std::vector<std::array<SoilHydraulics, 2>> want(4);
  for (int l = 0; l < 4; ++l)
    for (int c = 0; c < 2; ++c) {
      want[static_cast<std::size_t>(l)][static_cast<std::size_t>(c)] = cosby1984(l % 2 == 0 ? top : sub);
      if (l == 3 && c == 1) want[3][1].k_s *= 2;
      s.set(l, c, want[static_cast<std::size_t>(l)][static_cast<std::size_t>(c)]);
    }
  const std::vector<std::size_t> held = s.drop_repeated_layers();
  CHECK(held == std::vector<std::size_t>{0, 1, 0, 2});
  CHECK(s.theta_s.size() == 3);
  CHECK(s.b.size() == 3);
  for (int l = 0; l < 4; ++l)
    for (int c = 0; c < 2; ++c) {
      const SoilHydraulics got = s.at(static_cast<int>(held[static_cast<std::size_t>(l)]), c);
      const SoilHydraulics& w = want[static_cast<std::size_t>(l)][static_cast<std::size_t>(c)];
      CHECK(got.k_s == w.k_s);
      CHECK(got.theta_s == w.theta_s);
      CHECK(got.b == w.b);
    }
}

TEST_CASE("A forcing read a window at a time gives the run of the forcing read whole", "[models][soil]") {
  // Hourly forcing of 5 cells over 4 days starting at 18 UTC (windows cross days), different in every cell.
  const fs::path dir = scratch("windowed");
  const std::string path = (dir / "grid.nc").string();
  const int cells = 5, records = 96;
  const Time start = Time::parse("2000-06-01T18:00:00Z");
  {
    auto nc = io::NcFile::create(path);
    nc.def_dim("time", records);
    nc.def_dim("cell", cells);
    nc.def_var({"time", io::NcType::f64, {"time"}});
    nc.put_att("time", "units", "hours since 2000-06-01T18:00:00Z");
    for (const char* v : {"pr", "tas", "rsds"}) nc.def_var({v, io::NcType::f64, {"time", "cell"}});
    nc.put_att("pr", "units", "kg m-2 s-1");
    nc.put_att("tas", "units", "K");
    nc.put_att("rsds", "units", "W m-2");
    nc.end_def();
    std::vector<double> t(records), pr(records * cells), tas(records * cells), sw(records * cells);
    for (int k = 0; k < records; ++k) {
      t[static_cast<std::size_t>(k)] = k;
      for (int c = 0; c < cells; ++c) {
        const auto i = static_cast<std::size_t>(k * cells + c);
        pr[i] = (k % 7 == c) ? 2e-3 : 0.0;
        tas[i] = 285.0 + 6.0 * std::sin(2 * M_PI * (k + 18) / 24.0) + c;
        sw[i] = std::max(0.0, 800.0 * std::sin(2 * M_PI * (k + 18 - 6) / 24.0));
      }
    }
    nc.put("time", t.data());
    nc.put("pr", pr.data());
    nc.put("tas", tas.data());
    nc.put("rsds", sw.data());
    nc.commit();
  }
  const auto model = [&](double mb, const std::string& et) {
    models::SoilWater::Params p;
    config::read(config::load_string("forcing: " + path + "\ngrid: {kind: points, lon: [0, 1, 2, 3, 4], lat: [40, 41, 42, 43, 44]}\n" +
                                         "et_method: " + et + "\nforcing_memory_mb: " + std::to_string(mb) +
                                         "\nsoil: {sand: 30, clay: 20}\n",
                                     "windowed-test"),
                 p);
    return std::make_unique<models::SoilWater>(p);
  };
  for (const std::string et : {"priestley_taylor", "hargreaves"}) {
    INFO(et);
    auto whole = model(1000, et), windowed = model(0, et);
    CHECK(windowed->resident_bytes(1) < whole->resident_bytes(1));
    const StateLayout& L = whole->layout();
    Eigen::MatrixXd A(L.size(), 2);
    for (int j = 0; j < 2; ++j) whole->initial_state(A.col(j), start);
    Eigen::MatrixXd B = A;
    std::vector<RandomStream> ra{RandomStream(3, "model", 0), RandomStream(3, "model", 1)};
    Eigen::MatrixXd ma(whole->memory_size(), 2), da = Eigen::MatrixXd::Zero(5 * cells, 2);
    for (int j = 0; j < 2; ++j) whole->initial_memory(ma.col(j), j, &ra[static_cast<std::size_t>(j)]);
    std::vector<RandomStream> rb = ra;
    Eigen::MatrixXd mb = ma, db = da;
    const int ids[] = {0, 1};
    // Six-hour windows across midnight: every cell, then only cells 2-4 (the block a rank of a task advances).
    for (int w = 0; w < 14; ++w) {
      const Time a = start + Duration{6 * 3600LL * w}, b = a + Duration{6 * 3600};
      const CellBlock block = w < 7 ? CellBlock{} : CellBlock{2, cells};
      whole->advance(A, ids, ra, a, b, {&ma, &da, block});
      windowed->advance(B, ids, rb, a, b, {&mb, &db, block});
    }
    CHECK(A == B);
    CHECK(da == db);
    CHECK(ma == mb);
  }
  // A gap is found when its window is read, naming the file, variable, time and cell.
  const std::string gappy = (dir / "gap.nc").string();
  {
    // One value missing: record 50 (2000-06-03T20:00Z), cell 3.
    auto src = io::NcFile::open(path);
    std::vector<double> tas = src.get("tas");
    tas[50 * cells + 3] = std::nan("");
    auto nc = io::NcFile::create(gappy);
    nc.def_dim("time", records);
    nc.def_dim("cell", cells);
    nc.def_var({"time", io::NcType::f64, {"time"}});
    nc.put_att("time", "units", "hours since 2000-06-01T18:00:00Z");
    nc.def_var({"pr", io::NcType::f64, {"time", "cell"}});
    nc.def_var({"tas", io::NcType::f64, {"time", "cell"}});
    nc.end_def();
    nc.put("time", src.get("time").data());
    nc.put("pr", src.get("pr").data());
    nc.put("tas", tas.data());
    nc.commit();
  }
  CHECK_THROWS_WITH(Forcing::read(gappy, cells), Catch::Contains("'tas' has a gap (missing value) at 2000-06-03T20:00:00Z, cell 3"));
  Forcing f = Forcing::read(gappy, cells, 0);  // read a window at a time: only its times now
  CHECK(f.windowed());
  const Time june3 = start + Duration{2 * 86400 - 18 * 3600};
  CHECK_NOTHROW(f.load(start, start + Duration{6 * 3600}, 0, cells));  // 1 June
  CHECK_NOTHROW(f.load(june3, june3 + Duration{3600}, 0, 3));         // 3 June, cells 0-2
  CHECK_THROWS_WITH(f.load(june3, june3 + Duration{3600}, 0, cells),
                    Catch::Contains("gap.nc: variable 'tas' has a gap (missing value) at 2000-06-03T20:00:00Z, cell 3"));
}

TEST_CASE("A block of cells advanced in compact storage equals the same cells advanced in place", "[models][soil]") {
  // A rank that advances only its cells keeps only their rows (CellBlock::compact): state,
  // memory and diagnostics at index - begin, with the block's size as their stride.
  for (const std::string et : {"auto", "hargreaves"}) {
    INFO(et);
    const std::string config = "grid: {kind: lonlat, lon_min: -89, lon_max: -88, lat_min: 40, lat_max: 41, nx: 3, ny: 3}\n"
                               "soil: {heterogeneity: 0.3}\net_method: " + et + "\n";
    const auto model = make(config);
    const StateLayout& L = model->layout();
    const Index n = L.n_cells(), mpc = model->memory_per_cell(), tail = model->memory_size() - mpc * n;
    const int ids[] = {0, 1};
    std::vector<RandomStream> rng{RandomStream(5, "model", 0), RandomStream(5, "model", 1)};
    Eigen::MatrixXd X(L.size(), 2), M(model->memory_size(), 2), D = Eigen::MatrixXd::Zero(5 * n, 2);
    for (int j = 0; j < 2; ++j) {
      model->initial_state(X.col(j), Time::from_civil(1998, 5, 1));
      model->initial_memory(M.col(j), j, &rng[static_cast<std::size_t>(j)]);
    }
    const Time a = Time::from_civil(1998, 5, 1), b = a + Duration{3 * 86400};
    // Cells 0-3 and 4-8 in compact storage, each block with copies of the members' streams, each by a
    // model that keeps the parameters of its block's cells only (keep_cells, as a rank of the cells layout).
    std::vector<Eigen::MatrixXd> Xc, Mc, Dc;
    std::vector<std::vector<RandomStream>> rc;
    const CellBlock blocks[] = {{0, 4, true}, {4, n, true}};
    for (const CellBlock& blk : blocks) {
      const CellRows state{n, static_cast<int>(L.rows_per_cell()), 0, blk.begin, blk.size(n)};
      const CellRows memory{n, static_cast<int>(mpc), tail, blk.begin, blk.size(n)};
      Eigen::MatrixXd x(state.compact_size(), 2), m(memory.compact_size(), 2);
      for (int j = 0; j < 2; ++j) state.take(X.col(j), x.col(j)), memory.take(M.col(j), m.col(j));
      std::vector<RandomStream> r = rng;
      Eigen::MatrixXd d = Eigen::MatrixXd::Zero(5 * blk.size(n), 2);
      const auto own = make(config);
      own->keep_cells(blk.begin, blk.begin + blk.size(n));
      own->advance(x, ids, r, a, b, {&m, &d, blk});
      Xc.push_back(x), Mc.push_back(m), Dc.push_back(d), rc.push_back(r);
    }
    const Eigen::MatrixXd X0 = X;
    model->advance(X, ids, rng, a, b, {&M, &D, {}});
    CHECK((X.array() != X0.array()).all());  // every row moved: equal blocks are not untouched ones
    for (std::size_t k = 0; k < 2; ++k) {
      const CellBlock& blk = blocks[k];
      const CellRows state{n, static_cast<int>(L.rows_per_cell()), 0, blk.begin, blk.size(n)};
      const CellRows memory{n, static_cast<int>(mpc), tail, blk.begin, blk.size(n)};
      const CellRows diag{n, 5, 0, blk.begin, blk.size(n)};
      for (int j = 0; j < 2; ++j) {
        Eigen::VectorXd x(state.compact_size()), m(memory.compact_size()), d(diag.compact_size());
        state.take(X.col(j), x), memory.take(M.col(j), m), diag.take(D.col(j), d);
        CHECK(x == Xc[k].col(j));
        CHECK(m == Mc[k].col(j));
        CHECK(d == Dc[k].col(j));
        CHECK(rc[k][static_cast<std::size_t>(j)].state() == rng[static_cast<std::size_t>(j)].state());
      }
    }
    // A model that kept cells 4-8 starts only those, and refuses the others, naming its cells.
    const auto kept = make(config);
    kept->keep_cells(4, n);
    Eigen::VectorXd start = Eigen::VectorXd::Constant(L.size(), -1.0);
    kept->initial_state(start, a);
    for (Index i = 0; i < L.size(); ++i) CHECK((L.cell_of(i) >= 4 ? start[i] == X0(i, 0) : start[i] == -1.0));
    Eigen::MatrixXd lower(4 * L.rows_per_cell(), 1);
    CHECK_THROWS_WITH(kept->advance(lower, std::span<const int>(ids, 1), std::span<RandomStream>(rng.data(), 1), a, b,
                                    {nullptr, nullptr, {0, 4, true}}),
                      Catch::Contains("not inside the model's cells [4, 9)"));
    Eigen::MatrixXd row0(1, 1);
    const Index first_row[] = {0};
    CHECK_THROWS_WITH(kept->clamp(row0, first_row), Catch::Contains("outside the model's cells [4, 9)"));
    Eigen::VectorXd porosity;
    CHECK_THROWS_WITH(kept->static_field("porosity", porosity), Catch::Contains("kept only cells [4, 9)"));
    // A column of another size is refused, naming what the block needs.
    Eigen::MatrixXd wrong(L.size(), 1);
    CHECK_THROWS_WITH(model->advance(wrong, std::span<const int>(ids, 1), std::span<RandomStream>(rng.data(), 1), a, b,
                                     {nullptr, nullptr, {0, 4, true}}),
                      Catch::Contains("state rows for 4 cells"));
  }
}
