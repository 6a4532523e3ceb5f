#include "experiments/twin/twin.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <tuple>
#include <cmath>
#include <filesystem>

#include "core/error.hpp"
#include "core/json.hpp"
#include "core/log.hpp"
#include "experiments/core/progress.hpp"
#include "experiments/core/run_config.hpp"
#include "experiments/twin/twin_output.hpp"
#include "filters/register.hpp"
#include "io/atomic_file.hpp"
#include "io/checkpoint.hpp"
#include "io/netcdf.hpp"
#include "models/register.hpp"
#include "observations/register.hpp"
#include "observations/ioda/ioda_file.hpp"
#include "observations/transforms/rescale.hpp"
#include "observations/transforms/rescale_file.hpp"
#include "parallel/comm.hpp"
#include "parallel/cell_split.hpp"
#include "parallel/distribution.hpp"

namespace landda::experiments {

void Twin::SourceParams::visit(config::Visitor& v) {
  v("name", name, config::doc("name of the source in outputs and summaries"));
  v.plugin("operator", op, observations::operators(), config::doc("what the source observes"));
  v("error", error, config::doc("observation error standard deviation, in the operator's units").above(0.0));
  v("every", every,
    config::doc("revisit: observe every this many cycles (assimilation windows); a file source is read only in "
                "those windows (thinning in time, for products whose errors persist from day to day)")
        .range(1, 1e9));
  v("phase", phase, config::doc("the first cycle observed is phase + every (staggers revisits)").range(0, 1e9));
  v("bias", bias, config::doc("added to the synthetic retrievals (systematic error)"));
  v("scale", scale, config::doc("multiplies the nature run's value before the bias and the noise").above(0.0));
  v("stride", stride, config::doc("observe every stride-th cell centre").range(1, 1e9));
  v("offset", offset, config::doc("index of the first observed cell").range(0, 1e9));
  v("gap_fraction", gap_fraction, config::doc("chance that a location is missing at an overpass").range(0.0, 1.0));
  v("gross_error", gross_error,
    config::doc("reject observations whose innovation exceeds this many standard deviations of sqrt(R + HPH'); "
                "0: no check")
        .at_least(0.0));
  v("assimilate", assimilate, config::doc("false: drawn and scored but withheld from the analysis"));
  v("file", file,
    config::doc("IODA observation file to read instead of drawing synthetic retrievals (assimilate experiments)").file());
  v("variable", variable, config::doc("the file's ObsValue variable (empty: its soil-moisture variable)"));
  v("file_errors", file_errors, config::doc("take each observation's error from the file (false: use `error`)"));
  v("rescale", rescale,
    config::doc("file sources: rescale each location's observations to the control run's H(x) at the same times "
                "(a first pass over the run): mean_std matches mean and standard deviation, cdf the 0-100th "
                "percentiles (CDF matching); errors scale by the std ratio; none uses them as they are. The fit is "
                "written to rescaling/<name>.nc")
        .one_of({"none", "mean_std", "cdf"}));
  v("rescale_file", rescale_file,
    config::doc("reuse the fit stored by an earlier run (its rescaling/<name>.nc) instead of estimating it").file());
}

void RunWindows::visit(config::Visitor& v) {
  v("start", start, config::doc("start of the first window"));
  v("window", window,
    config::doc("window (cycle length, output interval); observations in (t0, t1] are assimilated at t1"));
  v("cycles", cycles, config::doc("number of windows").range(1, 1e9));
  v("spinup", spinup, config::doc("windows left out of the statistics").range(0, 1e9));
  v.section("initial", initial, config::doc("initial ensemble around the control run's initial state"));
}

Twin::Params RunWindows::twin() const {
  Twin::Params tp;
  tp.start = start;
  tp.window = window;
  tp.cycles = cycles;
  tp.spinup = spinup;
  tp.nature_spinup = 0;
  tp.initial = initial;
  tp.observations.clear();
  return tp;
}

void Assimilate::Params::visit(config::Visitor& v) {
  RunWindows::visit(v);
  v.sections("observations", observations, config::doc("observation sources, each with its IODA file").needed());
}

void Assimilate::check(const RunConfig& cfg) const {
  for (std::size_t k = 0; k < p_.observations.size(); ++k)
    if (p_.observations[k].file.empty())
      throw ConfigError(cat(cfg.source_file, ": experiment.observations.", k, " (", p_.observations[k].name,
                            "): an assimilate experiment reads every source from a file (key `file`)"));
  if (cfg.filter.type == "none")
    throw ConfigError(cat(cfg.source_file, ": filter.type = none: an assimilate experiment needs a filter (use "
                                           "experiment.type: openloop for a free run)"));
}

void Assimilate::run(const RunConfig& cfg, const RunOptions& opts, const parallel::Layout& layout) {
  check(cfg);
  Twin::Params tp = p_.twin();
  tp.observations = p_.observations;
  Twin(tp, Twin::Mode::real).run(cfg, opts, layout);
}

void Twin::InitialParams::visit(config::Visitor& v) {
  v("method", method,
    config::doc("perturbed: truth at the start plus independent N(0, spread^2) noise per element and member; "
                "climatology: members drawn from the nature run's spin-up")
        .one_of({"perturbed", "climatology"}));
  v("spread", spread, config::doc("standard deviation of the initial perturbations (method perturbed)").at_least(0.0));
}

void Twin::Params::visit(config::Visitor& v) {
  v("start", start, config::doc("time of the first analysis window's start"));
  v("window", window, config::doc("assimilation window (cycle length); a whole number of model steps"));
  v("cycles", cycles, config::doc("number of assimilation cycles, spin-up included").range(1, 1e9));
  v("spinup", spinup, config::doc("cycles left out of the statistics").range(0, 1e9));
  v("nature_spinup", nature_spinup,
    config::doc("windows the nature run is advanced before the start, to forget its initial state").range(0, 1e9));
  v("nature_file", nature_file,
    config::doc("CF NetCDF file with the nature run's initial state: one variable per model state variable, "
                "shaped (layer, cell) or (cell); empty: the model's own initial state")
        .file());
  v("perturb_nature", perturb_nature,
    config::doc("draw the nature run from the model's own error distribution (perturbed forcing and parameters, "
                "its own random stream) instead of running it unperturbed: the identical-twin design in which the "
                "truth is statistically one more member"));
  v.sections("observations", observations,
             config::doc("sources of synthetic observations drawn from the nature run, assimilated jointly"));
  v.section("initial", initial, config::doc("initial ensemble"));
}

void OpenLoop::check(const RunConfig& cfg) const {
  if (cfg.filter.type != "none")
    cfg.filter.node.child("type").fail(cat("'", cfg.filter.type, "': experiment.type = openloop runs no analysis; set "
                                           "filter.type: none (filter.members sets the ensemble size)"));
}

void OpenLoop::run(const RunConfig& cfg, const RunOptions& opts, const parallel::Layout& layout) {
  check(cfg);
  Twin(p_.twin(), Twin::Mode::open_loop).run(cfg, opts, layout);
}

namespace {

// The IODA variable of a source's output files: the one its input file held,
// or (synthetic retrievals) the one its operator's values are.
void name_variable(observations::ObsFile& f, const observations::ObsFile* input, const Twin::SourceParams& sp) {
  if (input) {
    f.variable = input->variable;
    f.units = input->units;
  } else if (sp.op.type == "degree_of_saturation") {
    f.variable = "soilMoistureSaturation";
    f.units = "%";
  }
}

// Pearson correlation from running sums (NaN when either side is constant).
double pearson_r(double n, double so, double sb, double soo, double sbb, double sob) {
  const double cov = sob / n - so / n * (sb / n), vo = soo / n - so / n * (so / n), vb = sbb / n - sb / n * (sb / n);
  return vo > 0 && vb > 0 ? cov / std::sqrt(vo * vb) : std::nan("");
}

// The rows of a time-sorted batch stamped in (t0, t1].
std::pair<Index, Index> window_rows(const ObsBatch& b, Time t0, Time t1) {
  return {std::upper_bound(b.time.begin(), b.time.end(), t0) - b.time.begin(),
          std::upper_bound(b.time.begin(), b.time.end(), t1) - b.time.begin()};
}

// Files hold longitude and latitude; the engine works in grid coordinates.
void to_geographic(ObsBatch& b, const Grid& grid) {
  for (std::size_t i = 0; i < b.x.size(); ++i) grid.to_geographic(b.x[i], b.y[i], b.x[i], b.y[i]);
}

// JEDI-style observation-space feedback: O, H(x) of the background and the
// analysis, and their differences, for every observation of a source.
void write_feedback(observations::ObsFile& f, const Twin::SourceParams& sp, const Grid& grid, const std::string& path) {
  to_geographic(f.obs, grid);
  f.platform = f.sensor = sp.name;
  f.source = "landda feedback (observation-space diagnostics)";
  f.qc_group = "EffectiveQC";
  const auto n = static_cast<std::size_t>(f.obs.size());
  std::vector<double> ombg(n), oman(n);
  for (std::size_t i = 0; i < n; ++i) {
    ombg[i] = f.obs.value[static_cast<Index>(i)] - f.groups[0].values[i];
    oman[i] = f.obs.value[static_cast<Index>(i)] - f.groups[2].values[i];
  }
  f.groups.push_back({"ombg", "observation minus background (ensemble mean of H)", std::move(ombg)});
  f.groups.push_back({"oman", "observation minus analysis (ensemble mean of H)", std::move(oman)});
  observations::write_ioda(f, path);
}

struct Accumulator {
  double a_rmse = 0, f_rmse = 0, a_spread = 0, f_spread = 0, inflation = 0, count = 0;
  Eigen::MatrixXd pack() const {
    Eigen::MatrixXd m(1, 6);
    m << a_rmse, f_rmse, a_spread, f_spread, inflation, count;
    return m;
  }
  void unpack(const Eigen::MatrixXd& m) {
    a_rmse = m(0, 0);
    f_rmse = m(0, 1);
    a_spread = m(0, 2);
    f_spread = m(0, 3);
    inflation = m(0, 4);
    count = m(0, 5);
  }
};

std::vector<std::uint64_t> words_of(const std::vector<RandomStream>& streams) {
  std::vector<std::uint64_t> w;
  for (const auto& s : streams) w.insert(w.end(), s.state().begin(), s.state().end());
  return w;
}

void set_words(std::vector<RandomStream>& streams, const std::vector<std::uint64_t>& w, std::size_t first) {
  for (std::size_t j = 0; j < streams.size(); ++j) {
    RandomStream::State s;
    for (std::size_t k = 0; k < 4; ++k) s[k] = w.at((first + j) * 4 + k);
    streams[j].set_state(s);
  }
}

// A state from a CF NetCDF file: variables named like the model's, (layer, cell) or (cell).
void read_state(const std::string& path, const StateLayout& L, Eigen::VectorXd& x) {
  const auto nc = io::NcFile::open(path);
  for (int v = 0; v < L.n_variables(); ++v) {
    const std::string& name = L.variable(v);
    const auto values = nc.get(name);
    const auto expected = static_cast<std::size_t>(L.n_layers(v)) * L.n_cells();
    if (values.size() != expected)
      throw InputError(cat(path, ": variable '", name, "' has ", values.size(), " values; the model state needs ",
                           expected, " (", L.n_layers(v), " layer(s) x ", L.n_cells(), " cells)"));
    for (int l = 0; l < L.n_layers(v); ++l)
      for (int c = 0; c < L.n_cells(); ++c) {
        const double value = values[static_cast<std::size_t>(l) * L.n_cells() + c];
        if (!std::isfinite(value))
          throw InputError(cat(path, ": variable '", name, "' is missing or not finite at layer ", l, ", cell ", c));
        x[L.index(v, l, c)] = value;
      }
  }
}

// Root-mean-square over all state rows of a row-distributed vector.
double global_rms(const parallel::Comm& comm, const Eigen::VectorXd& local, Index n) {
  return std::sqrt(comm.sum(local.squaredNorm()) / static_cast<double>(n));
}

}  // namespace

namespace {

// Layer-aware scores for models with vertical structure: RMSE of the top
// layer, and of the 0-1 m thickness-weighted mean (the root zone).
struct ZoneScores {
  double surface = 0, rootzone = 0;
};

ZoneScores zone_rmse(const Eigen::VectorXd& est, const Eigen::VectorXd& truth, const StateLayout& L,
                     const std::vector<double>& bottoms) {
  ZoneScores z;
  const int nc = L.n_cells(), nl = L.n_layers(0);
  double top = 0.0;
  std::vector<double> w(static_cast<std::size_t>(nl), 0.0);
  double wsum = 0.0;
  for (int l = 0; l < nl; ++l) {
    const double b = bottoms[static_cast<std::size_t>(l)];
    w[static_cast<std::size_t>(l)] = std::max(0.0, std::min(b, 1.0) - top);
    wsum += w[static_cast<std::size_t>(l)];
    top = b;
  }
  double s2 = 0, r2 = 0;
  for (int c = 0; c < nc; ++c) {
    const double ds = est[L.index(0, 0, c)] - truth[L.index(0, 0, c)];
    s2 += ds * ds;
    double dr = 0;
    for (int l = 0; l < nl; ++l) dr += w[static_cast<std::size_t>(l)] * (est[L.index(0, l, c)] - truth[L.index(0, l, c)]);
    dr /= wsum;
    r2 += dr * dr;
  }
  z.surface = std::sqrt(s2 / nc);
  z.rootzone = std::sqrt(r2 / nc);
  return z;
}

}  // namespace

void Twin::check(const RunConfig& cfg) const {
  for (std::size_t k = 0; k < p_.observations.size(); ++k)
    if (p_.observations[k].file.empty() && p_.observations[k].rescale != "none")
      throw ConfigError(cat(cfg.source_file, ": experiment.observations.", k, " (", p_.observations[k].name,
                            "): rescale applies to observations read from a file; synthetic retrievals are drawn "
                            "from the nature run (use bias and scale)"));
}

void Twin::run(const RunConfig& cfg, const RunOptions& opts, const parallel::Layout& layout) {
  check(cfg);
  const auto wall0 = std::chrono::steady_clock::now();
  // Each model task advances its members; with several ranks per task each
  // rank takes a block of the cells (models of independent columns only).
  // The analysis runs on every rank (the filter communicator).
  const parallel::Comm& comm = layout.filter;
  auto model = models::registry().create(cfg.model);
  if (layout.model.size() != 1 && !model->independent_cells())
    throw ConfigError(cat(cfg.source_file, ": parallel.ranks_per_task = ", layout.model.size(), ": model ", cfg.model.type,
                          " couples its cells, so one member cannot be split over ranks; use ranks_per_task: 1"));
  auto filter = filters::registry().create(cfg.filter);
  const int N = filter->members();
  const StateLayout& L = model->layout();
  const Index n = L.size();
  const bool open_loop = mode_ == Mode::open_loop, real = mode_ == Mode::real;
  const char* truth_name = mode_ == Mode::twin ? "truth" : "control";

  // --- checks that need the model, before anything is written ---
  if (p_.window.seconds <= 0 || p_.window.seconds % model->time_step().seconds != 0)
    throw ConfigError(cat(cfg.source_file, ": experiment.window = ", p_.window.iso(), " is not a positive whole number of model steps (",
                          model->time_step().iso(), ")"));
  if (p_.spinup >= p_.cycles)
    throw ConfigError(cat(cfg.source_file, ": experiment.spinup = ", p_.spinup, " leaves no cycle for statistics (cycles = ",
                          p_.cycles, ")"));
  if (open_loop && filter->assimilates())
    throw ConfigError(cat(cfg.source_file, ": experiment.type = openloop runs no analysis; set filter.type: none (filter."
                                           "members sets the ensemble size)"));
  const std::vector<double> bottoms = model->layer_bottoms();
  const std::vector<std::string> diag_names = model->diagnostic_names();
  const Index nd = static_cast<Index>(diag_names.size()) * L.n_cells();
  const Index nm = model->memory_size();
  const int balance_diag = [&] {
    for (std::size_t k = 0; k < diag_names.size(); ++k)
      if (diag_names[k] == "water_balance_error") return static_cast<int>(k);
    return -1;
  }();

  // Observation sources: each operator set up once at its cell centres.
  struct Source {
    const SourceParams* p;
    std::unique_ptr<ObsOperator> op;
    std::vector<double> x, y;
    Index n = 0;
    // Run totals (sums after the spin-up; counts over all cycles), checkpointed in this order.
    double omb2 = 0, oma2 = 0, spread2 = 0;
    long long used = 0, rejected = 0, missing = 0, scored = 0;
    double omb_sum = 0.0;
    double so = 0, sb = 0, soo = 0, sbb = 0, sob = 0;  // for Pearson R of O against H(background mean)
    auto totals() { return std::tie(omb2, oma2, spread2, used, rejected, missing, scored, omb_sum, so, sb, soo, sbb, sob); }
    bool from_file = false;
    Index window_begin = 0;  // file sources: the first row of the current window
    std::vector<observations::RescaleFit> fits;  // per location of a rescaled file source
    std::vector<double> fit_lon, fit_lat;
    observations::ObsFile data;      // the file's observations (file sources)
    observations::ObsFile written;   // synthetic retrievals kept for output.observations
    observations::ObsFile feedback;  // output.diagnostics (root only): groups hofx0, hofx0_spread, hofx1
  };
  std::vector<Source> sources;
  const ObsGeometry geometry{model->grid(), L, bottoms, model.get()};
  for (std::size_t k = 0; k < p_.observations.size(); ++k) {
    const SourceParams& sp = p_.observations[k];
    Source src;
    src.p = &sp;
    src.op = observations::operators().create(sp.op);
    if (!sp.file.empty()) {
      src.from_file = true;
      src.data = observations::read_ioda(sp.file, sp.variable);
      if (!sp.file_errors) src.data.obs.error.setConstant(sp.error);  // per observation, so rescaling can scale it
      for (std::size_t i = 0; i < src.data.obs.x.size(); ++i)
        model->grid().to_grid(src.data.obs.x[i], src.data.obs.y[i], src.data.obs.x[i], src.data.obs.y[i]);
      sources.push_back(std::move(src));
      continue;
    }
    if (real)
      throw ConfigError(cat(cfg.source_file, ": experiment.observations.", k, " (", sp.name, ") needs a file"));
    for (int c = sp.offset; c < L.n_cells(); c += sp.stride) {
      src.x.push_back(model->grid().x(c));
      src.y.push_back(model->grid().y(c));
    }
    if (src.x.empty())
      throw ConfigError(cat(cfg.source_file, ": experiment.observations.", k, " (", sp.name, ") selects no cell (offset ",
                            sp.offset, " >= ", L.n_cells(), " cells)"));
    try {
      src.op->setup(geometry, src.x, src.y);
    } catch (const Error& e) {
      throw ConfigError(cat(cfg.source_file, ": experiment.observations.", k, " (", sp.name, "): ", e.what()));
    }
    src.n = src.op->size();
    sources.push_back(std::move(src));
  }
  Index p_max = 0;
  for (const auto& src : sources) p_max = std::max(p_max, src.n);
  const bool diagnostics = cfg.output.diagnostics && !open_loop;
  for (auto& src : sources)
    src.feedback.groups = {{"hofx0", "ensemble mean of H(background)", {}},
                           {"hofx0_spread", "ensemble spread of H(background)", {}},
                           {"hofx1", "ensemble mean of H(analysis)", {}}};

  // The analysis takes whole cells per rank, so a local filter computes each cell's weights once.
  parallel::Distribution dist(comm, n, N, L.cell_major_order(), L.rows_per_cell(), layout.model.size());
  const parallel::CellSplit split(layout.model, L, model->memory_per_cell(), static_cast<int>(diag_names.size()),
                                  model->cell_granule());
  if (!split.whole() && comm.root())
    log::info("each member's ", L.n_cells(), " cells are split over the ", layout.model.size(), " ranks of a model task (",
              layout.n_tasks, " task(s); rank 0 advances cells ", split.begin(), " to ", split.end() - 1, ")");
  // A forecast of some members: this rank's cells, then the task's blocks joined.
  const auto forecast = [&](Eigen::Ref<Eigen::MatrixXd> X, std::span<const int> ids, std::span<RandomStream> rng, Time a,
                            Time b, Eigen::MatrixXd* memory, Eigen::MatrixXd* diagnostics) {
    model->advance(X, ids, rng, a, b, {memory, diagnostics, split.whole() ? CellBlock{} : CellBlock{split.begin(), split.end()}});
    split.join_forecast(X, memory, diagnostics);
  };
  const int m0 = dist.my_member_begin(), mine = dist.my_member_count();
  std::vector<int> my_ids(static_cast<std::size_t>(mine));
  for (int j = 0; j < mine; ++j) my_ids[static_cast<std::size_t>(j)] = m0 + j;
  const auto seed = static_cast<std::uint64_t>(cfg.seed);
  std::vector<RandomStream> model_rng, obs_rng;
  for (int j = 0; j < mine; ++j) model_rng.emplace_back(seed, "model", m0 + j);
  for (int j = 0; j < N; ++j) obs_rng.emplace_back(seed, "obs-perturbation", j);
  std::vector<RandomStream> synth, gaps;
  for (std::size_t k = 0; k < sources.size(); ++k) {
    synth.emplace_back(seed, "synthetic-obs", k);
    gaps.emplace_back(seed, "obs-gaps", k);
  }
  // The nature run is member -1 (never perturbed) unless it is drawn as one more realization.
  const bool nature_perturbed = p_.perturb_nature && mode_ == Mode::twin;
  const int nature_id[1] = {nature_perturbed ? N : -1};
  std::vector<RandomStream> nature_rng;
  if (nature_perturbed) nature_rng.emplace_back(seed, "nature", 0);

  const std::string out_dir = opts.output_dir;
  const std::string checkpoint_path = out_dir + "/checkpoint.h5";
  const std::string nc_path = out_dir + (open_loop ? "/openloop.nc" : real ? "/assimilate.nc" : "/twin.nc");
  RunConfig resolved_cfg = cfg;
  const std::string resolved = resolved_yaml(resolved_cfg);

  Eigen::VectorXd truth(n);
  Eigen::MatrixXd Xm(n, mine);
  Eigen::MatrixXd mem_truth = Eigen::MatrixXd::Zero(nm, 1), mem(nm, mine);
  Eigen::MatrixXd diag_truth = Eigen::MatrixXd::Zero(nd, 1), diag = Eigen::MatrixXd::Zero(nd, mine);
  Accumulator acc;
  ZoneScores zone_a, zone_f;
  double max_balance = 0.0;
  // output.maps (root): sums of the analysis mean and increment, and how many cycles they hold.
  Eigen::VectorXd map_mean = Eigen::VectorXd::Zero(cfg.output.maps ? n : 0), map_inc = map_mean;
  long long map_cycles = 0;
  int first_cycle = 0;
  long long records = 0;

  if (opts.restart) {
    const io::Checkpoint cp = io::Checkpoint::read(checkpoint_path);
    if (cp.text("config") != resolved)
      throw ConfigError(cat(checkpoint_path, ": the checkpoint was written by a run with a different configuration; "
                            "restart with the same config and --set options, or run without --restart"));
    first_cycle = static_cast<int>(cp.scalar("next_cycle"));
    records = cp.scalar("records");
    truth = cp.matrix("truth").col(0);
    Xm = dist.local_members(cp.matrix("ensemble"));
    mem_truth = cp.matrix("memory_truth");
    mem = dist.local_members(cp.matrix("memory"));
    diag_truth = cp.matrix("diagnostics_truth");
    diag = dist.local_members(cp.matrix("diagnostics"));
    acc.unpack(cp.matrix("accumulators"));
    const Eigen::MatrixXd zones = cp.matrix("zones");
    zone_a = {zones(0, 0), zones(0, 1)};
    zone_f = {zones(0, 2), zones(0, 3)};
    max_balance = zones(0, 4);
    if (cfg.output.maps) {
      const Eigen::MatrixXd maps = cp.matrix("maps");
      map_mean = maps.col(0);
      map_inc = maps.col(1);
      map_cycles = static_cast<long long>(maps(0, 2));
    }
    set_words(model_rng, cp.words("model_rng"), static_cast<std::size_t>(m0));
    set_words(obs_rng, cp.words("obs_rng"), 0);
    set_words(synth, cp.words("synthetic_rng"), 0);
    set_words(gaps, cp.words("gap_rng"), 0);
    const Eigen::MatrixXd stats = cp.matrix("source_stats");
    for (std::size_t k = 0; k < sources.size(); ++k)
      std::apply(
          [&](auto&... f) {
            Index r = 0;
            ((f = static_cast<std::remove_reference_t<decltype(f)>>(stats(r++, static_cast<Index>(k)))), ...);
          },
          sources[k].totals());
    set_words(nature_rng, cp.words("nature_rng"), 0);
    log::info("restarting at cycle ", first_cycle, " of ", p_.cycles, " from ", checkpoint_path);
  } else {
    // Nature run: start from the model's own initial state and forget it.
    const Time t_init = p_.start - Duration{p_.window.seconds * p_.nature_spinup};
    model->initial_state(truth, t_init);
    if (!p_.nature_file.empty()) read_state(p_.nature_file, L, truth);
    model->initial_memory(mem_truth.col(0), nature_id[0], nature_perturbed ? &nature_rng[0] : nullptr);
    std::vector<Eigen::VectorXd> climatology;
    const int keep_every = std::max(1, p_.nature_spinup / 2 / std::max(1, N));
    for (int s = 0; s < p_.nature_spinup; ++s) {
      const Time t0 = t_init + Duration{p_.window.seconds * s};
      forecast(Eigen::Map<Eigen::MatrixXd>(truth.data(), n, 1), nature_id, nature_rng, t0, t0 + p_.window, &mem_truth,
               nullptr);
      if (s >= p_.nature_spinup / 2 && (s - p_.nature_spinup / 2) % keep_every == 0) climatology.push_back(truth);
    }
    for (int j = 0; j < mine; ++j) {
      RandomStream init(seed, "initial-ensemble", m0 + j);
      model->initial_memory(mem.col(j), m0 + j, &model_rng[static_cast<std::size_t>(j)]);
      if (p_.initial.method == "climatology") {
        if (climatology.empty())
          throw ConfigError(cat(cfg.source_file, ": experiment.initial.method = climatology needs nature_spinup > 1"));
        Xm.col(j) = climatology[static_cast<std::size_t>(m0 + j) % climatology.size()];
      } else {
        for (Index i = 0; i < n; ++i) Xm(i, j) = truth[i] + p_.initial.spread * init.normal();
      }
    }
    model->clamp(Xm, index_range(0, n));
  }

  // Rescaling of file sources to the model climatology: a first pass runs the
  // unperturbed control over the whole period and collects H(control) at
  // every observation of the sources that estimate their fit.
  auto rescaled = [](const Source& src) { return src.from_file && src.p->rescale != "none"; };
  auto estimates = [&](const Source& src) { return rescaled(src) && src.p->rescale_file.empty(); };
  std::vector<std::vector<double>> hx(sources.size());
  if (std::any_of(sources.begin(), sources.end(), estimates)) {
    Eigen::VectorXd control(n);
    Eigen::MatrixXd mem_c(nm, 1);
    model->initial_state(control, p_.start);
    model->initial_memory(mem_c.col(0), -1, nullptr);
    for (auto& src : sources)
      if (estimates(src)) hx[&src - sources.data()].assign(static_cast<std::size_t>(src.data.obs.size()), std::nan(""));
    for (int cycle = 0; cycle < p_.cycles; ++cycle) {
      const Time a = p_.start + Duration{p_.window.seconds * cycle}, b = a + p_.window;
      forecast(Eigen::Map<Eigen::MatrixXd>(control.data(), n, 1), nature_id, {}, a, b, &mem_c, nullptr);
      for (std::size_t k = 0; k < sources.size(); ++k) {
        Source& src = sources[k];
        if (!estimates(src)) continue;
        const auto [lo, hi] = window_rows(src.data.obs, a, b);
        if (hi <= lo) continue;
        std::vector<double> x(src.data.obs.x.begin() + lo, src.data.obs.x.begin() + hi);
        std::vector<double> y(src.data.obs.y.begin() + lo, src.data.obs.y.begin() + hi);
        src.op->setup(geometry, x, y);
        Eigen::VectorXd h(hi - lo);
        src.op->apply(control, h);
        for (Index o = 0; o < h.size(); ++o)
          if (!src.op->outside()[static_cast<std::size_t>(o)]) hx[k][static_cast<std::size_t>(lo + o)] = h[o];
      }
    }
  }
  for (std::size_t k = 0; k < sources.size(); ++k) {
    Source& src = sources[k];
    if (!rescaled(src)) continue;
    auto& o = src.data.obs;
    std::map<std::pair<double, double>, int> ids;
    std::vector<int> group(o.x.size());
    std::vector<bool> pair(o.x.size());
    for (std::size_t i = 0; i < o.x.size(); ++i) {
      group[i] = ids.try_emplace({o.x[i], o.y[i]}, static_cast<int>(ids.size())).first->second;
      pair[i] = o.qc[i] == 0;
    }
    src.fit_lon.assign(ids.size(), 0.0);
    src.fit_lat.assign(ids.size(), 0.0);
    for (const auto& [where, g] : ids) {
      const auto gi = static_cast<std::size_t>(g);
      model->grid().to_geographic(where.first, where.second, src.fit_lon[gi], src.fit_lat[gi]);
    }
    src.fits = estimates(src) ? observations::fit_rescaling(src.p->rescale, group, static_cast<int>(ids.size()),
                                                            hx[k], pair, o.value)
                              : observations::read_rescaling(src.p->rescale_file, src.p->rescale, src.fit_lon,
                                                             src.fit_lat);
    observations::apply_rescaling(src.fits, group, o.value, o.error);
    for (std::size_t g = 0; g < src.fits.size(); ++g) {
      const auto& f = src.fits[g];
      log::info("rescaled ", src.p->name, " (", src.p->rescale, ") at (", src.fit_lon[g], ", ", src.fit_lat[g], "): ",
                f.applied ? cat(f.obs_knots.front(), "..", f.obs_knots.back(), " -> ", f.ref_knots.front(), "..",
                                f.ref_knots.back(), ", errors x ", f.error_ratio)
                          : std::string("left as it is"),
                " (", f.pairs, " pairs)");
    }
  }

  io::make_dirs(out_dir);
  for (const auto& src : sources)
    if (rescaled(src) && comm.root()) {
      io::make_dirs(out_dir + "/rescaling");
      observations::write_rescaling(out_dir + "/rescaling/" + src.p->name + ".nc", src.p->rescale, src.fit_lon,
                                    src.fit_lat, src.fits);
    }
  if (comm.root()) io::write_text_file(out_dir + "/config.resolved.yaml", resolved);
  std::unique_ptr<TwinOutput> out;
  if (comm.root()) {
    TwinOutput::Spec spec{nc_path, model->grid(), L, p_.start, cfg.output.deflate, cfg.output.fields, truth_name, diag_names};
    if (!open_loop)
      for (const auto& src : sources) spec.sources.push_back(src.p->name);
    out = opts.restart ? TwinOutput::reopen(spec) : TwinOutput::create(spec);
  }

  Eigen::MatrixXd Xr;
  Eigen::VectorXd hbuf;
  Progress progress(open_loop ? "openloop" : "twin", p_.cycles, first_cycle, comm.root());
  for (int cycle = first_cycle; cycle < p_.cycles; ++cycle) {
    const Time t0 = p_.start + Duration{p_.window.seconds * cycle};
    const Time t1 = t0 + p_.window;
    forecast(Eigen::Map<Eigen::MatrixXd>(truth.data(), n, 1), nature_id, nature_rng, t0, t1, &mem_truth, &diag_truth);
    forecast(Xm, my_ids, model_rng, t0, t1, &mem, &diag);

    // Synthetic retrievals of every source due this cycle, and H of each local member.
    ObsBatch obs;
    std::vector<std::pair<std::size_t, Index>> spans;  // (source, count) in batch order
    std::vector<Eigen::MatrixXd> hparts;
    Index filled = 0;
    for (std::size_t k = 0; k < sources.size() && !open_loop; ++k) {
      Source& src = sources[k];
      const SourceParams& sp = *src.p;
      ObsBatch b;
      const int due = cycle + 1 - sp.phase;
      if (due <= 0 || due % sp.every != 0) continue;
      if (src.from_file) {
        // The file's observations stamped in (t0, t1], at their own locations.
        const auto [lo, hi] = window_rows(src.data.obs, t0, t1);
        if (hi <= lo) continue;
        b = src.data.obs.slice(lo, hi - lo);
        src.window_begin = lo;
        b.source.assign(b.x.size(), 0);
        b.source_names = {sp.name};
        src.op->setup(geometry, b.x, b.y);
        src.n = hi - lo;
      } else {
        b.resize(src.n);
        b.source_names = {sp.name};
        hbuf.resize(src.n);
        src.op->apply(truth, hbuf);
        for (Index o = 0; o < src.n; ++o) {
          b.x[static_cast<std::size_t>(o)] = src.x[static_cast<std::size_t>(o)];
          b.y[static_cast<std::size_t>(o)] = src.y[static_cast<std::size_t>(o)];
          b.time[static_cast<std::size_t>(o)] = t1;
          b.error[o] = sp.error;
          b.value[o] = sp.scale * hbuf[o] + sp.bias + sp.error * synth[k].normal();
          if (gaps[k].uniform() < sp.gap_fraction) b.qc[static_cast<std::size_t>(o)] = static_cast<int>(QcFlag::missing);
        }
        if (cfg.output.observations && comm.root()) {
          ObsBatch kept = b;
          for (Index o = 0; o < kept.size(); ++o)
            if (kept.qc[static_cast<std::size_t>(o)] != 0) kept.value[o] = std::nan("");  // a gap stays a gap in the file
          kept.qc.assign(kept.qc.size(), 0);
          src.written.obs.append(kept);
        }
      }
      for (Index o = 0; o < src.n; ++o) {
        auto& flag = b.qc[static_cast<std::size_t>(o)];
        if (src.op->outside()[static_cast<std::size_t>(o)]) flag = static_cast<int>(QcFlag::out_of_domain);
        else if (flag == 0 && !sp.assimilate) flag = static_cast<int>(QcFlag::not_used);
      }
      Eigen::MatrixXd part(src.n, mine);
      for (int j = 0; j < mine; ++j) {
        auto col = part.col(j);
        src.op->apply(Xm.col(j), col);
      }
      hparts.push_back(std::move(part));
      obs.append(b);
      spans.emplace_back(k, src.n);
      filled += src.n;
    }
    Eigen::MatrixXd HXm(filled, mine);
    {
      Index off = 0;
      for (const auto& part : hparts) {
        HXm.middleRows(off, part.rows()) = part;
        off += part.rows();
      }
    }
    const Index p = filled;
    const bool observed = p > 0;
    dist.to_rows(Xm, Xr);
    const auto rows = dist.my_rows();
    Eigen::VectorXd truth_rows(Xr.rows());
    for (Index k = 0; k < Xr.rows(); ++k) truth_rows[k] = truth[rows[static_cast<std::size_t>(k)]];
    const Eigen::VectorXd f_mean = ensemble_mean(Xr), f_spread = ensemble_spread(Xr);
    AnalysisStats astats;
    Index assimilated = 0;
    // This cycle's statistics per source: used, rejected, missing, sum O-B,
    // sum (O-B)^2, sum (O-A)^2, sum spread^2, valid count.
    Eigen::MatrixXd cyc = Eigen::MatrixXd::Zero(8, static_cast<Index>(sources.size()));
    if (observed) {
      const Eigen::MatrixXd HX = dist.allgather_columns(HXm);
      const Eigen::VectorXd hmean = ensemble_mean(HX), hspread = ensemble_spread(HX);
      // Gross-error check on the innovation, per source (JEDI's background check).
      Index at = 0;
      for (const auto& [k, cnt] : spans) {
        Source& src = sources[k];
        for (Index o = at; o < at + cnt; ++o) {
          auto& flag = obs.qc[static_cast<std::size_t>(o)];
          const double d = obs.value[o] - hmean[o];
          if (flag == 0 && src.p->gross_error > 0 &&
              std::abs(d) > src.p->gross_error * std::sqrt(obs.error[o] * obs.error[o] + hspread[o] * hspread[o]))
            flag = static_cast<int>(QcFlag::gross_error);
          auto c = cyc.col(static_cast<Index>(k));
          if (flag == static_cast<int>(QcFlag::missing) || flag == static_cast<int>(QcFlag::out_of_domain)) {
            ++src.missing;
            c[2] += 1;
            continue;
          }
          if (flag == static_cast<int>(QcFlag::gross_error)) {
            ++src.rejected;
            c[1] += 1;
          }
          if (flag == 0) c[0] += 1;
          c[3] += d;
          c[4] += d * d;
          c[6] += hspread[o] * hspread[o];
          c[7] += 1;
          if (cycle >= p_.spinup) {
            src.omb2 += d * d;
            src.omb_sum += d;
            src.so += obs.value[o];
            src.sb += hmean[o];
            src.soo += obs.value[o] * obs.value[o];
            src.sbb += hmean[o] * hmean[o];
            src.sob += obs.value[o] * hmean[o];
            src.spread2 += hspread[o] * hspread[o];
            ++src.scored;
          }
          if (flag == 0) ++src.used;
        }
        if (diagnostics && comm.root()) {
          ObsBatch part = obs.slice(at, cnt);
          src.feedback.obs.append(part);
          if (src.from_file && !src.data.station.empty())  // stations keep their names in the feedback
            src.feedback.station.insert(src.feedback.station.end(), src.data.station.begin() + src.window_begin,
                                        src.data.station.begin() + src.window_begin + cnt);
          auto& g = src.feedback.groups;
          for (Index o = at; o < at + cnt; ++o) {
            g[0].values.push_back(hmean[o]);
            g[1].values.push_back(hspread[o]);
          }
        }
        at += cnt;
      }
      if (filter->assimilates()) {
        // The observations that passed QC, and their rows of H(X).
        std::vector<Index> keep;
        for (Index o = 0; o < p; ++o)
          if (obs.qc[static_cast<std::size_t>(o)] == 0) keep.push_back(o);
        const ObsBatch used = obs.passed();
        Eigen::MatrixXd HXu(static_cast<Index>(keep.size()), N);
        for (std::size_t r = 0; r < keep.size(); ++r) HXu.row(static_cast<Index>(r)) = HX.row(keep[r]);
        assimilated = used.size();
        if (assimilated > 0) {
          AnalysisInput in{model->grid(), L, rows, used, HXu, &obs_rng};
          astats = filter->analyse(Xr, in);
          const long long cells = comm.sum(astats.local_count), total = comm.sum(astats.local_sum);
          if (cells > 0) astats.inflation = static_cast<double>(total) / AnalysisStats::kUnit / static_cast<double>(cells);
          model->clamp(Xr, rows);
          dist.to_members(Xr, Xm);
        }
      }
      // O - A with the analysed ensemble.
      {
        Index off = 0;
        Eigen::MatrixXd HA(p, mine);
        for (const auto& [k, cnt] : spans) {
          for (int j = 0; j < mine; ++j) {
            auto col = HA.col(j).segment(off, cnt);
            sources[k].op->apply(Xm.col(j), col);
          }
          off += cnt;
        }
        const Eigen::VectorXd amean = ensemble_mean(dist.allgather_columns(HA));
        off = 0;
        for (const auto& [k, cnt] : spans) {
          for (Index o = off; o < off + cnt; ++o) {
            if (diagnostics && comm.root()) sources[k].feedback.groups[2].values.push_back(amean[o]);
            const int flag = obs.qc[static_cast<std::size_t>(o)];
            if (flag == static_cast<int>(QcFlag::missing) || flag == static_cast<int>(QcFlag::out_of_domain)) continue;
            const double d = obs.value[o] - amean[o];
            cyc(5, static_cast<Index>(k)) += d * d;
            if (cycle < p_.spinup) continue;
            sources[k].oma2 += d * d;
          }
          off += cnt;
        }
      }
    }
    const Eigen::VectorXd a_mean = ensemble_mean(Xr), a_spread = ensemble_spread(Xr);
    const double f_rmse = global_rms(comm, f_mean - truth_rows, n), a_rmse = global_rms(comm, a_mean - truth_rows, n);
    const double f_sp = global_rms(comm, f_spread, n), a_sp = global_rms(comm, a_spread, n);
    if (!std::isfinite(a_rmse)) throw NumericalError(cat("cycle ", cycle, ": the analysis is not finite"));
    const bool scored = (observed || open_loop) && cycle >= p_.spinup;
    const bool write = (cycle + 1) % cfg.output.every == 0;
    Eigen::VectorXd fm_all, am_all;
    const bool mapped = cfg.output.maps && cycle >= p_.spinup;
    if ((scored && !bottoms.empty()) || (write && cfg.output.fields) || mapped) {
      fm_all = dist.allgather_vector(f_mean);
      am_all = dist.allgather_vector(a_mean);
    }
    if (scored) {
      acc.a_rmse += a_rmse;
      acc.f_rmse += f_rmse;
      acc.a_spread += a_sp;
      acc.f_spread += f_sp;
      acc.inflation += astats.inflation;
      acc.count += 1;
      if (!bottoms.empty()) {
        const ZoneScores za = zone_rmse(am_all, truth, L, bottoms), zf = zone_rmse(fm_all, truth, L, bottoms);
        zone_a.surface += za.surface;
        zone_a.rootzone += za.rootzone;
        zone_f.surface += zf.surface;
        zone_f.rootzone += zf.rootzone;
      }
    }
    if (mapped) {
      map_mean += am_all;
      map_inc += am_all - fm_all;
      ++map_cycles;
    }
    if (balance_diag >= 0) {
      const Index b0 = balance_diag * L.n_cells();
      double local = diag_truth.col(0).segment(b0, L.n_cells()).cwiseAbs().maxCoeff();
      if (mine > 0) local = std::max(local, diag.middleRows(b0, L.n_cells()).cwiseAbs().maxCoeff());
      max_balance = std::max(max_balance, comm.max(local));
    }
    if (write) {
      TwinOutput::Record rec;
      rec.time = t1;
      rec.scalars = {f_rmse, a_rmse, f_sp, a_sp, astats.inflation, static_cast<double>(assimilated)};
      if (!open_loop) {
        rec.per_source.resize(static_cast<Index>(TwinOutput::source_stats().size()), cyc.cols());
        for (Index k = 0; k < cyc.cols(); ++k) {
          const double nv = cyc(7, k), nan = std::nan("");
          rec.per_source.col(k) << cyc(0, k), cyc(1, k), cyc(2, k), nv > 0 ? cyc(3, k) / nv : nan,
              nv > 0 ? std::sqrt(cyc(4, k) / nv) : nan, nv > 0 ? std::sqrt(cyc(5, k) / nv) : nan,
              nv > 0 ? std::sqrt(cyc(6, k) / nv) : nan;
        }
      }
      if (cfg.output.fields) {
        rec.truth = truth;
        rec.f_mean = fm_all;
        rec.f_spread = dist.allgather_vector(f_spread);
        rec.a_mean = am_all;
        rec.a_spread = dist.allgather_vector(a_spread);
      }
      if (nd > 0) {
        rec.diag_truth = diag_truth.col(0);
        rec.diag_mean = ensemble_mean(dist.allgather_columns(diag));
        diag_truth.setZero();
        diag.setZero();
      }
      if (out) out->write(records, rec);
      ++records;
    }
    const bool last = cycle + 1 == p_.cycles;
    if (!last && cfg.output.checkpoint_every > 0 && (cycle + 1) % cfg.output.checkpoint_every == 0) {
      const Eigen::MatrixXd full = dist.allgather(Xm);
      const Eigen::MatrixXd mem_full = dist.allgather_columns(mem), diag_full = dist.allgather_columns(diag);
      const auto model_words = dist.allgather_words(words_of(model_rng), 4);
      if (out) out->sync();
      if (comm.root()) {
        io::Checkpoint cp;
        cp.put_text("config", resolved);
        cp.put("next_cycle", static_cast<std::int64_t>(cycle + 1));
        cp.put("records", static_cast<std::int64_t>(records));
        cp.put("truth", Eigen::MatrixXd(truth));
        cp.put("ensemble", full);
        cp.put("memory_truth", mem_truth);
        cp.put("memory", mem_full);
        cp.put("diagnostics_truth", diag_truth);
        cp.put("diagnostics", diag_full);
        cp.put("accumulators", acc.pack());
        Eigen::MatrixXd zones(1, 5);
        zones << zone_a.surface, zone_a.rootzone, zone_f.surface, zone_f.rootzone, max_balance;
        cp.put("zones", zones);
        if (cfg.output.maps) {
          Eigen::MatrixXd maps(n, 3);
          maps << map_mean, map_inc, Eigen::VectorXd::Constant(n, static_cast<double>(map_cycles));
          cp.put("maps", maps);
        }
        cp.put("model_rng", model_words);
        cp.put("obs_rng", words_of(obs_rng));
        cp.put("synthetic_rng", words_of(synth));
        cp.put("gap_rng", words_of(gaps));
        Eigen::MatrixXd stats(std::tuple_size_v<decltype(sources[0].totals())>, static_cast<Index>(sources.size()));
        for (std::size_t k = 0; k < sources.size(); ++k)
          std::apply([&](auto&... f) {
                       Index r = 0;
                       ((stats(r++, static_cast<Index>(k)) = static_cast<double>(f)), ...);
                     },
                     sources[k].totals());
        cp.put("source_stats", stats);
        cp.put("nature_rng", words_of(nature_rng));
        cp.write(checkpoint_path);
      }
      comm.barrier();
      log::debug("checkpoint after cycle ", cycle + 1);
    }
    progress.step(cycle + 1, cat("analysis RMSE ", a_rmse));
    if (opts.stop_after_cycle > 0 && cycle + 1 == opts.stop_after_cycle && !last) {
      log::warn("stopping after cycle ", cycle + 1, " as asked (--stop-after); continue with --restart");
      return;
    }
  }
  progress.finish();
  if (out) out->commit();
  if (cfg.output.maps && comm.root() && map_cycles > 0)
    write_maps(out_dir + "/maps.nc", model->grid(), L, map_mean, map_inc, map_cycles, cfg.output.deflate);
  if (diagnostics && comm.root()) {
    if (opts.restart) {
      log::warn("output.diagnostics: a restarted run does not write the feedback files (they are not checkpointed)");
    } else {
      io::make_dirs(out_dir + "/diagnostics");
      for (auto& src : sources) {
        name_variable(src.feedback, src.from_file ? &src.data : nullptr, *src.p);
        write_feedback(src.feedback, *src.p, model->grid(), out_dir + "/diagnostics/" + src.p->name + ".nc");
      }
    }
  }
  if (cfg.output.observations && comm.root() && !open_loop) {
    if (opts.restart) {
      log::warn("output.observations: a restarted run does not write the synthetic observation files");
    } else {
      io::make_dirs(out_dir + "/observations");
      for (auto& src : sources) {
        if (src.from_file) continue;
        src.written.platform = src.p->name;
        src.written.sensor = src.p->name;
        src.written.source = "landda twin experiment (synthetic)";
        name_variable(src.written, nullptr, *src.p);
        to_geographic(src.written.obs, model->grid());
        src.written.obs.error.setConstant(src.p->error);
        observations::write_ioda(src.written, out_dir + "/observations/" + src.p->name + ".nc");
      }
    }
  }

  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  const double k = std::max(1.0, acc.count);
  JsonObject s;
  s.add("experiment", open_loop ? "openloop" : real ? "assimilate" : "twin")
      .add("model", cfg.model.type)
      .add("filter", cfg.filter.type)
      .add("members", N)
      .add("state_size", static_cast<long long>(n))
      .add("observation_sources", static_cast<int>(open_loop ? 0 : sources.size()))
      .add("cycles", p_.cycles)
      .add("spinup", p_.spinup)
      .add("analyses_in_statistics", static_cast<long long>(acc.count))
      .add("analysis_rmse", acc.a_rmse / k)
      .add("forecast_rmse", acc.f_rmse / k)
      .add("analysis_spread", acc.a_spread / k)
      .add("forecast_spread", acc.f_spread / k)
      .add("mean_inflation", acc.inflation / k);
  if (!bottoms.empty()) {
    s.add("rmse_surface", zone_a.surface / k)
        .add("rmse_rootzone", zone_a.rootzone / k)
        .add("forecast_rmse_surface", zone_f.surface / k)
        .add("forecast_rmse_rootzone", zone_f.rootzone / k);
  }
  if (balance_diag >= 0) s.add("max_water_balance_error_m", max_balance);
  if (!open_loop) {
    // Per source, after spin-up: innovation statistics like JEDI's H(x) output.
    JsonObject per;
    for (const auto& src : sources) {
      const double cnt = std::max(1.0, static_cast<double>(src.scored));
      JsonObject o;
      o.add("used", src.used)
          .add("rejected_gross_error", src.rejected)
          .add("missing", src.missing)
          .add("scored", src.scored)
          .add("omb_rms", std::sqrt(src.omb2 / cnt))
          .add("omb_mean", src.omb_sum / cnt)
          .add("omb_ubrms", std::sqrt(std::max(0.0, src.omb2 / cnt - std::pow(src.omb_sum / cnt, 2))))
          .add("r_background", pearson_r(cnt, src.so, src.sb, src.soo, src.sbb, src.sob))
          .add("oma_rms", std::sqrt(src.oma2 / cnt))
          .add("background_spread", std::sqrt(src.spread2 / cnt))
          .add("error", src.p->error);
      per.add(src.p->name, o);
    }
    s.add("sources", per);
  }
  s.add("seed", static_cast<long long>(cfg.seed))
      .add("mpi_ranks", comm.size())
      .add("restarted", opts.restart)
      .add("wall_seconds", wall);
  if (comm.root()) io::write_text_file(out_dir + "/summary.json", s.str() + "\n");
  log::info(open_loop ? "open loop" : "twin experiment", " done: RMSE against the ", truth_name, " ", acc.a_rmse / k,
            " (forecast ", acc.f_rmse / k, "), spread ", acc.a_spread / k, " over ", static_cast<long long>(acc.count),
            " cycles; ", wall, " s; outputs in ", out_dir);
}

}  // namespace landda::experiments
