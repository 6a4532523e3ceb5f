// `landda bench analysis`: one analysis of a synthetic 2-D case, timed, with
// the machine's dense matrix-multiply rate measured in the same run as the yardstick.
#include <Eigen/Core>
#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <set>
#include <cmath>
#include <iostream>

#include "config/node.hpp"
#include "config/params.hpp"
#include "core/error.hpp"
#include "experiments/cycle/window_walk.hpp"
#include "core/json.hpp"
#include "core/random.hpp"
#include "experiments/app/commands.hpp"
#include "experiments/app/options.hpp"
#include "filters/register.hpp"
#include "models/soil_water/soil_water.hpp"
#include "parallel/cell_split.hpp"
#include "parallel/distribution.hpp"
#include "parallel/environment.hpp"

namespace po = boost::program_options;

namespace landda::app {
namespace {

// A smooth field plus small-scale noise for cell c of member j: any rank can
// compute any element, so H(X) needs no communication.
double synthetic_value(int c, int j, int nx) {
  const double x = c % nx, y = c / nx;
  std::uint64_t h = static_cast<std::uint64_t>(c) * 0x9e3779b97f4a7c15ULL ^ (static_cast<std::uint64_t>(j) + 1) * 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 31;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 29;
  const double u = static_cast<double>(h >> 11) * 0x1.0p-53 - 0.5;
  return std::sin(0.05 * x + 0.3 * j) + 0.5 * std::cos(0.07 * y - 0.2 * j) + 0.6 * u;
}

}  // namespace

// Single-core GFLOP/s of Eigen's blocked GEMM on n x n matrices (best of 3).
double gemm_gflops(int n) {
  const Eigen::MatrixXd A = Eigen::MatrixXd::Random(n, n), B = Eigen::MatrixXd::Random(n, n);
  Eigen::MatrixXd C(n, n);
  double best = 1e300;
  for (int r = 0; r < 3; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    C.noalias() = A * B;
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  if (C.sum() == 12345.678) std::cerr << "";  // keep the product alive
  return 2.0 * n * n * static_cast<double>(n) / best / 1e9;
}

std::string build_kind() {
#ifdef LANDDA_NATIVE_BUILD
  return "native";
#else
  return "portable";
#endif
}

std::string eigen_simd() { return Eigen::SimdInstructionSetsInUse(); }

namespace {

// The day's forecast of `bench model`, stopping where the cells are observed:
// cell c at overpass c mod k (4D), or all at the day's end.
class DayObserver {
 public:
  DayObserver(Time start, const std::vector<double>& hours, bool own_time) : own_time_(own_time) {
    for (const double h : hours) {
      const double after = std::fmod(h * 3600.0 - static_cast<double>(start.seconds % 86400) + 86400.0, 86400.0);
      steps_.push_back(std::clamp(static_cast<int>(std::lround(after / 3600.0)), 1, 24));
    }
  }
  int overpasses() const { return static_cast<int>(steps_.size()); }
  // advance(from, to) the ensemble; observe(k) the cells of overpass k (all: k < 0).
  template <class Advance, class Observe>
  void forecast(Time day, Advance advance, Observe observe) const {
    const std::set<int> at = own_time_ ? std::set<int>(steps_.begin(), steps_.end()) : std::set<int>{};
    experiments::walk_window(day, day + Duration{86400}, Duration{3600}, at, advance, [&](int step) {
      for (std::size_t k = 0; k < steps_.size(); ++k)
        if (steps_[k] == step) observe(static_cast<int>(k));
    });
    if (!own_time_ || steps_.empty()) observe(-1);
  }
  // H (the top layer) of the cells of overpass k.
  void observe(int k, const Eigen::MatrixXd& X, Eigen::MatrixXd& HXm, int cells) const {
    for (int c = 0; c < cells; ++c)
      if (k < 0 || c % overpasses() == k) HXm.row(c) = X.row(c);
  }

 private:
  bool own_time_;
  std::vector<int> steps_;
};

// Observations of every cell's top layer, error 0.03 (values drawn each day).
ObsBatch top_layer_obs(const Grid& grid, int cells) {
  ObsBatch obs;
  obs.resize(cells);
  obs.source_names = {"synthetic"};
  for (int c = 0; c < cells; ++c) {
    obs.x[static_cast<std::size_t>(c)] = grid.x(c);
    obs.y[static_cast<std::size_t>(c)] = grid.y(c);
    obs.error[c] = 0.03;
  }
  return obs;
}

// `landda bench model`: the soil-water kernel on a synthetic grid driven by
// the bundled Bondville forcing, members over ranks, with a daily LETKF
// analysis of synthetic top-layer observations; timed per part.
int bench_model(const Args& args, const parallel::Environment& env) {
  po::options_description opts("options");
  int nx = 100, ny = 100, members = 32, days = 3, stride = 1, per_task = 1;
  double radius = 10.0;
  std::string retention = "clapp_hornberger", scheme = "newton", forcing = std::string(LANDDA_SOURCE_DIR) + "/data/bondville/bondville_1998.nc";
  std::string start_text = "1998-04-01T06:30:00Z", obs_timing = "window_end";
  std::vector<double> overpass;
  opts.add_options()("help,h", "explain this command")("what", po::value<std::string>(), "model")(
      "nx", po::value(&nx), "grid columns (default 100)")("ny", po::value(&ny), "grid rows (default 100)")(
      "members", po::value(&members), "ensemble size (default 32)")("days", po::value(&days), "days to run (default 3)")(
      "radius", po::value(&radius), "LETKF localization radius in km (default 10)")(
      "weight-stride", po::value(&stride), "LETKF weights every this many cells, interpolated between (default 1)")(
      "ranks-per-task", po::value(&per_task), "ranks sharing each member's cells (default 1: members over ranks)")(
      "retention", po::value(&retention), "clapp_hornberger | van_genuchten")(
      "scheme", po::value(&scheme), "newton | linearized (see landda describe soil_water)")(
      "overpass-hours", po::value(&overpass)->multitoken(),
      "hours of the day (UTC) at which the cells are observed, in turn (default: the window's end)")(
      "obs-timing", po::value(&obs_timing), "nearest_step (H at each overpass's step, 4D) | window_end (default)")(
      "start", po::value(&start_text), "first time (default 1998-04-01T06:30:00Z; the whole of 1998: 1998-01-01T06:30:00Z --days 365)")("forcing", po::value(&forcing),
                                                                               "forcing file (default: bundled Bondville)");
  po::positional_options_description pos;
  pos.add("what", 1);
  const po::variables_map vm = parse_command(args, opts, pos, "landda bench model");
  if (vm.count("help")) {
    std::cout << "usage: landda bench model [--nx N] [--ny N] [--members N] [--days N] [--retention R]\n\n"
                 "Runs the soil-water model (6 layers, hourly steps) on an nx x ny grid for --days days with a\n"
                 "daily LETKF analysis of top-layer observations at every cell, members spread over the MPI\n"
                 "ranks. Prints JSON: column-steps per second per core of the model kernel, seconds per\n"
                 "analysis, and the wall time extrapolated to a year.\n\n"
              << opts;
    return 0;
  }
  if (nx < 1 || ny < 1 || members < 2 || days < 1) throw ConfigError("landda bench model: nx, ny, days >= 1, members >= 2");
  if (obs_timing != "window_end" && obs_timing != "nearest_step")
    throw ConfigError(cat("landda bench model: --obs-timing is nearest_step or window_end, not '", obs_timing, "'"));
  const auto& comm = env.world();
  const parallel::Layout layout = parallel::Layout::make(comm, per_task);
  models::SoilWater::Params p;
  config::read(config::load_string(cat("forcing: ", forcing, "\nretention: ", retention, "\nscheme: ", scheme,
                                       "\ngrid: {kind: lonlat, lon_min: -89, lon_max: -88, lat_min: 39.5, lat_max: 40.5, nx: ",
                                       nx, ", ny: ", ny, "}\nsoil: {heterogeneity: 8}\n"),
                                   "bench-model"),
               p);
  models::SoilWater model(p);
  const StateLayout& L = model.layout();
  const Index n = L.size();
  parallel::Distribution dist(comm, n, members, L.rows_per_cell(), per_task);
  const parallel::CellSplit split(layout.model, L, model.memory_per_cell(), 5, model.cell_granule());
  const int m0 = dist.my_member_begin(), mine = dist.my_member_count();
  Eigen::VectorXd x0(n);
  const Time start = Time::parse(start_text);
  model.initial_state(x0, start);
  Eigen::MatrixXd X = x0.replicate(1, mine), mem(model.memory_size(), mine), diag(5 * L.n_cells(), mine);
  diag.setZero();
  std::vector<RandomStream> rng;
  std::vector<int> ids;
  for (int j = 0; j < mine; ++j) {
    rng.emplace_back(1, "model", m0 + j);
    ids.push_back(m0 + j);
    model.initial_memory(mem.col(j), m0 + j, &rng.back());
  }
  config::PluginConfig pc;
  pc.type = "letkf";
  pc.node = config::load_string(
      cat("type: letkf\nmembers: ", members, "\nlocalization: {radius: ", radius, ", weight_stride: ", stride, "}\n"), "bench");
  auto filter = filters::registry().create(pc);
  // With interpolated weights, the first analysis is repeated with weights at
  // every cell (untimed) to measure what the interpolation changes.
  pc.node = config::load_string(cat("type: letkf\nmembers: ", members, "\nlocalization: {radius: ", radius, "}\n"), "bench");
  auto exact = filters::registry().create(pc);
  double interp_max = 0, interp_rms = 0, increment_max = 0, increment_rms = 0;
  ObsBatch obs = top_layer_obs(model.grid(), L.n_cells());
  std::vector<RandomStream> obs_rng;
  for (int j = 0; j < members; ++j) obs_rng.emplace_back(1, "obs-perturbation", j);
  double t_model = 0, t_analysis = 0;
  Eigen::MatrixXd Xr, HXm(L.n_cells(), mine);
  RandomStream synth(1, "bench-obs", 0);
  const DayObserver day(start, overpass, obs_timing == "nearest_step");
  for (int d = 0; d < days; ++d) {
    const Time a = start + Duration{86400LL * d};
    comm.barrier();
    auto t0 = std::chrono::steady_clock::now();
    day.forecast(a, [&](Time from, Time to) {
      model.advance(X, ids, rng, from, to, {&mem, &diag, {split.begin(), split.end()}});
      split.join_forecast(X, &mem, &diag);
    }, [&](int k) { day.observe(k, X, HXm, L.n_cells()); });
    t_model += comm.max(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    t0 = std::chrono::steady_clock::now();
    const Eigen::MatrixXd HX = dist.allgather_columns(HXm);
    const Eigen::VectorXd hm = ensemble_mean(HX);
    for (int c = 0; c < L.n_cells(); ++c) obs.value[c] = hm[c] + 0.03 * synth.normal();
    dist.to_rows(X, Xr);
    AnalysisInput in{model.grid(), L, dist.my_rows(), obs, HX, &obs_rng};
    Eigen::MatrixXd prior = d == 0 && stride > 1 ? Xr : Eigen::MatrixXd();
    filter->analyse(Xr, in);
    if (prior.size()) {
      const auto t_check = std::chrono::steady_clock::now();
      Eigen::MatrixXd reference = prior;
      exact->analyse(reference, in);
      const double n_all = static_cast<double>(n) * members;
      interp_max = comm.max((Xr - reference).cwiseAbs().maxCoeff());
      interp_rms = std::sqrt(comm.sum((Xr - reference).squaredNorm()) / n_all);
      increment_max = comm.max((reference - prior).cwiseAbs().maxCoeff());
      increment_rms = std::sqrt(comm.sum((reference - prior).squaredNorm()) / n_all);
      t0 += std::chrono::steady_clock::now() - t_check;  // not part of the timing
    }
    model.clamp(Xr, dist.my_rows());
    dist.to_members(Xr, X);
    comm.barrier();
    t_analysis += comm.max(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  const double column_steps = static_cast<double>(L.n_cells()) * members * days * 24.0;
  const double per_core = column_steps / t_model / comm.size();
  JsonObject j;
  j.add("benchmark", "model")
      .add("build", build_kind())
      .add("eigen_simd", eigen_simd())
      .add("retention", retention)
      .add("scheme", scheme)
      .add("cells", L.n_cells())
      .add("layers", L.n_layers(0))
      .add("members", members)
      .add("days", days)
      .add("radius_km", radius)
      .add("weight_stride", stride)
      .add("obs_timing", obs_timing)
      .add("overpasses", day.overpasses())
      .add("mpi_ranks", comm.size())
      .add("ranks_per_task", per_task)
      .add("model_seconds", t_model)
      .add("analysis_seconds_per_day", t_analysis / days)
      .add("column_steps_per_second_per_core", per_core)
      .add("microseconds_per_column_step", 1e6 / per_core)
      .add("newton_iterations_per_step", model.mean_newton_iterations())
      .add("year_seconds_extrapolated", (t_model + t_analysis) / days * 365.0)
      .add("max_water_balance_error_m", comm.max(diag.middleRows(4 * L.n_cells(), L.n_cells()).cwiseAbs().maxCoeff()));
  if (stride > 1)
    j.add("interpolation_rms_error", interp_rms)
        .add("interpolation_max_error", interp_max)
        .add("increment_rms", increment_rms)
        .add("increment_max", increment_max);
  if (comm.root()) std::cout << j.str() << '\n';
  return 0;
}

}  // namespace

int bench(const Args& args, const parallel::Environment& env) {
  if (!args.empty() && args[0] == "model") return bench_model(args, env);
  if (!args.empty() && args[0] == "lstm") return bench_lstm(args);
  if (!args.empty() && args[0] == "import") return bench_import(args);
  if (!args.empty() && args[0] == "scale") return bench_scale(args);
  po::options_description opts("options");
  std::string what, filter = "letkf";
  int nx = 256, ny = 128, members = 9, nobs = 1000, repeat = 3, gemm = 1024;
  double radius = 5.0, error = 0.5;
  opts.add_options()("help,h", "explain this command")("what", po::value(&what), "analysis")(
      "nx", po::value(&nx), "grid cells in x (default 256)")("ny", po::value(&ny), "grid cells in y (default 128)")(
      "members", po::value(&members), "ensemble size (default 9)")("obs", po::value(&nobs),
                                                                    "number of observations at random cells (default 1000)")(
      "radius", po::value(&radius), "localization cut-off radius in grid cells (default 5)")(
      "filter", po::value(&filter), "letkf | etkf | enkf (default letkf)")(
      "error", po::value(&error), "observation error std (default 0.5)")(
      "repeat", po::value(&repeat), "timed repetitions; the median is reported (default 3)")(
      "gemm-size", po::value(&gemm), "matrix size of the GEMM yardstick (default 1024)");
  po::positional_options_description pos;
  pos.add("what", 1);
  const po::variables_map vm = parse_command(args, opts, pos, "landda bench", true);
  if (vm.count("help") || what.empty()) {
    std::cout << "usage: landda bench analysis [--nx N] [--ny N] [--members N] [--obs N] [--radius R] [--filter F]\n\n"
                 "Times one analysis of a synthetic nx x ny grid (one variable, one layer) with observations at\n"
                 "random cells, and prints JSON: seconds per analysis and the rate of the ensemble transform\n"
                 "as a fraction of the single-core GEMM rate measured in the same run (times the ranks).\n\n"
              << opts;
    return what.empty() && !vm.count("help") ? 2 : 0;
  }
  if (what != "analysis") throw ConfigError(cat("landda bench: unknown benchmark '", what, "'; available: analysis, model, lstm, import"));
  if (nx < 1 || ny < 1 || members < 2 || nobs < 1 || radius <= 0 || repeat < 1)
    throw ConfigError("landda bench: nx, ny, obs, repeat must be >= 1, members >= 2 and radius > 0");

  const auto& comm = env.world();
  const Grid grid = Grid::cartesian(nx, ny);
  const StateLayout layout(nx * ny, {"x"}, {1});
  const Index n = layout.size();
  parallel::Distribution dist(comm, n, members);
  const auto rows = dist.my_rows();
  const Index nr = dist.my_row_count();
  Eigen::MatrixXd X0(nr, members);
  for (Index i = 0; i < nr; ++i)
    for (int j = 0; j < members; ++j) X0(i, j) = synthetic_value(static_cast<int>(rows[static_cast<std::size_t>(i)]), j, nx);

  ObsBatch obs;
  obs.resize(nobs);
  obs.source_names = {"synthetic"};
  Eigen::MatrixXd HX(nobs, members);
  RandomStream rng(1, "bench-obs", 0);
  for (int o = 0; o < nobs; ++o) {
    const int c = static_cast<int>(rng.next() % static_cast<std::uint64_t>(n));
    obs.x[o] = grid.x(c);
    obs.y[o] = grid.y(c);
    obs.error[o] = error;
    for (int j = 0; j < members; ++j) HX(o, j) = synthetic_value(c, j, nx);
    obs.value[o] = synthetic_value(c, members + 7, nx) + error * rng.normal();
  }

  std::string yaml = cat("type: ", filter, "\nmembers: ", members, "\n");
  if (filter == "letkf") yaml += cat("localization: {radius: ", radius, "}\n");
  config::PluginConfig pc;
  pc.type = filter;
  pc.node = config::load_string(yaml, "bench");
  if (!filters::registry().has(filter))
    throw ConfigError(cat("landda bench: unknown filter '", filter, "'; known: ", config::join(filters::registry().names())));
  auto f = filters::registry().create(pc);
  std::vector<RandomStream> member_rng;
  for (int j = 0; j < members; ++j) member_rng.emplace_back(1, "bench-perturb", j);

  std::vector<double> times;
  Eigen::MatrixXd X;
  for (int r = 0; r < repeat; ++r) {
    X = X0;
    AnalysisInput in{grid, layout, rows, obs, HX, &member_rng};
    comm.barrier();
    const auto t0 = std::chrono::steady_clock::now();
    f->analyse(X, in);
    comm.barrier();
    times.push_back(comm.max(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()));
  }
  std::sort(times.begin(), times.end());
  const double median = times[times.size() / 2];
  const double gflops = gemm_gflops(gemm);
  const double transform = 2.0 * static_cast<double>(n) * members * members / median / 1e9;
  JsonObject j;
  j.add("benchmark", "analysis")
      .add("build", build_kind())
      .add("eigen_simd", eigen_simd())
      .add("filter", filter)
      .add("nx", nx)
      .add("ny", ny)
      .add("state_size", static_cast<long long>(n))
      .add("members", members)
      .add("observations", nobs)
      .add("radius", radius)
      .add("mpi_ranks", comm.size())
      .add("seconds_per_analysis", median)
      .add("seconds_min", times.front())
      .add("gemm_gflops_per_core", gflops)
      .add("transform_gflops", transform)
      .add("fraction_of_gemm_rate", transform / (gflops * comm.size()))
      .add("analysis_change_rms", std::sqrt(comm.sum((X - X0).squaredNorm()) / (static_cast<double>(n) * members)));
  if (comm.root()) std::cout << j.str() << '\n';
  return 0;
}

}  // namespace landda::app
