#include "experiments/cycle/cycle.hpp"

#include <algorithm>
#include <filesystem>
#include <chrono>
#include <cmath>
#include <set>

#include "core/error.hpp"
#include "core/fnv.hpp"
#include "core/json.hpp"
#include "core/log.hpp"
#include "core/memory.hpp"
#include "experiments/core/progress.hpp"
#include "experiments/cycle/cell_layout.hpp"
#include "experiments/cycle/memory_account.hpp"
#include "experiments/cycle/obs_rows_output.hpp"
#include "experiments/cycle/rescaling_pass.hpp"
#include "experiments/cycle/window_walk.hpp"
#include "experiments/twin/twin_output.hpp"
#include "filters/register.hpp"
#include "io/atomic_file.hpp"
#include "io/netcdf.hpp"
#include "models/register.hpp"
#include "parallel/cell_split.hpp"
#include "parallel/comm.hpp"
#include "parallel/distribution.hpp"

namespace fs = std::filesystem;

namespace landda::experiments {

void InitialParams::visit(config::Visitor& v) {
  v("method", method,
    config::doc("perturbed: truth at the start plus independent N(0, spread^2) noise per element and member; "
                "climatology: members drawn from the nature run's spin-up")
        .one_of({"perturbed", "climatology"}));
  v("spread", spread, config::doc("standard deviation of the initial perturbations (method perturbed)").at_least(0.0));
  v("file", file,
    config::doc("real-data runs: the control run's initial state, which the ensemble is drawn around, from a CF NetCDF "
                "file (one variable per model state variable, (layer, cell)), e.g. another land model's soil moisture "
                "made with `landda import lis-state`; empty: the model's own initial state")
        .file());
}

CycleSetup::CycleSetup(const CycleParams& params, RunMode m, const RunConfig& c) : p(params), mode(m), cfg(c) {
  const std::string& file = cfg.source_file;
  try {  // a plugin's own checks name its keys; the config file is named here
    model = models::registry().create(cfg.model);
    filter = filters::registry().create(cfg.filter);
    // Whether the ensemble fits is decided per rank when the cycle knows its share (Cycle::account_memory).
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    if (file.empty() || what.rfind(file, 0) == 0) throw;
    throw ConfigError(cat(file, ": ", what));
  }
  if (p.window.seconds <= 0 || p.window.seconds % model->time_step().seconds != 0)
    throw ConfigError(cat(file, ": experiment.window = ", p.window.iso(), " is not a positive whole number of model steps (",
                          model->time_step().iso(), ")"));
  if (p.spinup >= p.cycles)
    throw ConfigError(cat(file, ": experiment.spinup = ", p.spinup, " leaves no cycle for statistics (cycles = ", p.cycles, ")"));
  if (mode == RunMode::twin && !p.initial.file.empty())
    throw ConfigError(cat(file, ": experiment.initial.file is for real-data runs; a twin's truth starts from nature_file"));
  if (open_loop() && filter->assimilates())
    throw ConfigError(cat(file, ": experiment.type = openloop runs no analysis; set filter.type: none (filter.members "
                                "sets the ensemble size)"));
  if (cfg.parallel.cells()) {
    const char* why = !model->independent_cells()             ? "couples its cells"
                      : cfg.parallel.ranks_per_task > 1        ? "needs ranks_per_task: 1 (every rank takes its own cells)"
                                                               : nullptr;
    if (why)
      throw ConfigError(cat(file, ": parallel.layout = cells: model ", cfg.model.type, " ", why,
                            "; use parallel.layout: members"));
  }
  if (cfg.parallel.ranks_per_task > 1 && !model->independent_cells())
    throw ConfigError(cat(file, ": parallel.ranks_per_task = ", cfg.parallel.ranks_per_task, ": model ", cfg.model.type,
                          " couples its cells, so one member cannot be split over ranks; use ranks_per_task: 1"));
  // The whole period (the nature run's spin-up before the start too) within the model's inputs, before anything runs.
  model->check_period(p.start - Duration{p.window.seconds * (mode == RunMode::twin ? p.nature_spinup : 0)},
                      p.start + Duration{p.window.seconds * p.cycles});
  if (p.analysis_depth_m > 0 && model->layer_bottoms().empty())
    throw ConfigError(cat(file, ": experiment.analysis_depth_m = ", p.analysis_depth_m, ": model ", cfg.model.type,
                          " has no soil layers to limit the analysis to"));
  const int layers = model->layout().max_layers();
  for (const int l : cfg.output.layers)
    if (l >= layers)
      throw ConfigError(cat(file, ": output.layers: layer ", l, " does not exist; model ", cfg.model.type, " has layers 0 to ",
                            layers - 1, " (0: the top one)"));
  if (p.initial.method == "climatology" && p.nature_spinup < 2)
    throw ConfigError(cat(file, ": experiment.initial.method = climatology needs nature_spinup > 1"));
  std::set<std::string> names;
  for (std::size_t k = 0; k < p.observations.size(); ++k) {
    const SourceParams& sp = p.observations[k];
    const std::string where = cat(file, ": experiment.observations.", k, " (", sp.name, ")");
    if (!names.insert(sp.name).second)
      throw ConfigError(cat(where, ": another source has this name (names label outputs and summaries)"));
    if (sp.file.empty() && sp.rescale != "none")
      throw ConfigError(cat(where, ": rescale applies to observations read from a file; synthetic retrievals are drawn "
                                   "from the nature run (use bias and scale)"));
  }
  geometry = std::make_unique<ObsGeometry>(ObsGeometry{model->grid(), model->layout(), model->layer_bottoms(), model.get()});
  for (std::size_t k = 0; k < p.observations.size(); ++k) {
    const ObsSource& src = sources.emplace_back(p.observations[k], *geometry, mode == RunMode::real,
                                                cat(file, ": experiment.observations.", k, " (", p.observations[k].name, ")"),
                                                learned_columns);
    if (src.learner().learns()) learned_columns += src.locations();
  }
  geometry->release_index();
  for (const auto& src : sources)
    for (const auto& other : src.params().learn_tc_with)
      if (std::none_of(sources.begin(), sources.end(), [&](const ObsSource& o) { return o.name() == other && o.from_file() && &o != &src; }))
        throw ConfigError(cat(file, ": source ", src.name(), ": learn_tc_with names '", other,
                              "', which is not another file source of this run"));
}

namespace {

constexpr Index kFingerprintChunk = 2048;

// A fingerprint (FNV-1a) of each row: which rows an analysis changed, found
// without keeping a copy of them. Rows [r0, r0 + count) into out, their
// columns walked in order (column-major X: each column's run of the rows read
// once, the chunk's digests in cache).
void fingerprint_rows(const Eigen::MatrixXd& X, Index r0, Index count, std::uint64_t* out) {
  Fnv1a f[kFingerprintChunk];
  for (Index j = 0; j < X.cols(); ++j)
    for (Index i = 0; i < count; ++i) f[i].mix(&X(r0 + i, j), sizeof(double));
  for (Index i = 0; i < count; ++i) out[i] = f[i].h;
}

// f(first row, count, their fingerprints) over chunks of X's rows.
template <class F>
void fingerprint_chunks(const Eigen::MatrixXd& X, F&& f) {
  std::uint64_t h[kFingerprintChunk];
  for (Index r0 = 0; r0 < X.rows(); r0 += kFingerprintChunk) {
    const Index count = std::min(kFingerprintChunk, X.rows() - r0);
    fingerprint_rows(X, r0, count, h);
    f(r0, count, h);
  }
}

std::vector<std::uint64_t> row_fingerprints(const Eigen::MatrixXd& X) {
  std::vector<std::uint64_t> all(static_cast<std::size_t>(X.rows()));
  fingerprint_chunks(X, [&](Index r0, Index count, const std::uint64_t* h) { std::copy(h, h + count, all.begin() + r0); });
  return all;
}

// Which rows differ from their fingerprints, a chunk at a time (no second list of every row's).
std::vector<char> changed_rows(const Eigen::MatrixXd& X, const std::vector<std::uint64_t>& before) {
  std::vector<char> changed(static_cast<std::size_t>(X.rows()), 0);
  fingerprint_chunks(X, [&](Index r0, Index count, const std::uint64_t* h) {
    for (Index i = 0; i < count; ++i) changed[static_cast<std::size_t>(r0 + i)] = h[i] != before[static_cast<std::size_t>(r0 + i)];
  });
  return changed;
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

// Observations that enter the scores: those that passed QC, were rejected by
// the gross-error check (scored, so a check that rejects much shows), or were
// withheld; not those missing, outside the domain or flagged by their file.
bool scorable(int flag) {
  return flag == 0 || flag == static_cast<int>(QcFlag::gross_error) || flag == static_cast<int>(QcFlag::not_used);
}

// The median over the locations that have learned an error (NaN: none has).
double median_learned(std::vector<double> e) {
  e.erase(std::remove_if(e.begin(), e.end(), [](double v) { return !std::isfinite(v); }), e.end());
  if (e.empty()) return std::nan("");
  std::sort(e.begin(), e.end());
  return e.size() % 2 ? e[e.size() / 2] : 0.5 * (e[e.size() / 2 - 1] + e[e.size() / 2]);
}

// Root-mean-square over all state rows of a row-distributed vector.
double global_rms(const parallel::Comm& comm, const Eigen::VectorXd& local, Index n) {
  return std::sqrt(comm.sum(local.squaredNorm()) / static_cast<double>(n));
}

// RMSE of the top layer and of the 0-1 m thickness-weighted mean (the root
// zone) over every cell, from each rank's whole cells: `err` holds estimate -
// truth of this rank's rows, every row of a cell together (cell-major).
std::pair<double, double> zone_rmse(const parallel::Comm& comm, const Eigen::VectorXd& err, const StateLayout& L,
                                    const std::vector<double>& bottoms) {
  const int nl = L.n_layers(0);
  const Index per_cell = L.rows_per_cell();
  double top = 0.0, wsum = 0.0;
  std::vector<double> w(static_cast<std::size_t>(nl), 0.0);
  for (int l = 0; l < nl; ++l) {
    const double b = bottoms[static_cast<std::size_t>(l)];
    w[static_cast<std::size_t>(l)] = std::max(0.0, std::min(b, 1.0) - top);
    wsum += w[static_cast<std::size_t>(l)];
    top = b;
  }
  double s2 = 0, r2 = 0;
  for (Index at = 0; at < err.size(); at += per_cell) {  // variable 0's layers lead each cell's rows
    s2 += err[at] * err[at];
    double dr = 0;
    for (int l = 0; l < nl; ++l) dr += w[static_cast<std::size_t>(l)] * err[at + l];
    dr /= wsum;
    r2 += dr * dr;
  }
  const double nc = L.n_cells();
  return {std::sqrt(comm.sum(s2) / nc), std::sqrt(comm.sum(r2) / nc)};
}

// The observations of one window from every due source, H of the local
// members at each observation's step, and where each source's rows are. No
// rank holds every member's H(X) of every observation: their mean and spread
// are summed where the members are, and the analysis gathers the members'
// values only of the observations near its rows. In the cells layout a rank
// holds only the rows it owns and those near its cells (ObsOwners).
struct WindowObs {
  struct Span {
    std::size_t source;
    Index rows, held;  // the source's rows of the whole window, and of them the rows held here
  };
  ObsBatch obs;                    // the held rows
  Index rows = 0;                  // rows of the whole window (every rank)
  Eigen::MatrixXd HXm;             // held observations x local members (cells layout: own observations x members)
  Eigen::VectorXd hmean, hspread;  // feedback: H(background)'s mean and spread at the held rows this rank owns
  ObsOwners owners;                // each held row's window row and owner
  std::vector<Span> spans;         // in batch order
  Time start;                      // the window's start
};

class Cycle {
 public:
  Cycle(CycleSetup& s, const RunOptions& opts, const parallel::Layout& layout);
  void run();

 private:
  void start_fresh();
  void forecast(Eigen::Ref<Eigen::MatrixXd> X, bool nature, Time a, Time b, bool diagnostics);
  // Any columns with their member ids and streams: this rank's cells, then the task's blocks joined.
  void advance(Eigen::Ref<Eigen::MatrixXd> X, std::span<const int> ids, std::span<RandomStream> rng, Time a, Time b,
               Eigen::MatrixXd& memory, Eigen::MatrixXd* diag);
  void advance_summed(Eigen::Ref<Eigen::MatrixXd> X, std::span<const int> ids, std::span<RandomStream> rng, Time a,
                      Time b, Eigen::MatrixXd& memory, Eigen::MatrixXd& diag_sum);
  // The cells layout: every column of this rank's cells, one at a time in the model's compact storage;
  // `summed`: the columns' diagnostics added into one (members), else kept per column (the nature run).
  void advance_cells(Eigen::Ref<Eigen::MatrixXd> X, std::span<const int> ids, std::span<RandomStream> rng, Time a, Time b,
                     Eigen::MatrixXd& memory, Eigen::MatrixXd* diag, bool summed);
  // A member's window of diagnostics: its water-balance errors taken out of the sum into the ensemble's largest.
  void keep_balance_max(Eigen::MatrixXd& one_diag);
  Index diag_cells() const { return cells_ ? cells_->cells() : L_.n_cells(); }
  // H of a slice (the source's rows from `first` of the window) for the columns of X into HX (window rows;
  // in the cells layout only the rows this rank owns, in their slots).
  void observe(const ObsSource& src, const ObsSlice& sl, const Eigen::Ref<const Eigen::MatrixXd>& X,
               Eigen::Ref<Eigen::MatrixXd> HX, Index first, const ObsOwners& own);
  // Synthetic values of a slice (source k, rows from `first` of the window) drawn around H(truth).
  void sample(ObsSource& src, const ObsSlice& sl, std::size_t k, Index first, const ObsOwners& own);
  WindowObs forecast_and_observe(int cycle, Time t0, Time t1);
  void check_background(WindowObs& w, std::vector<SourceSums>& sums);
  // The cells layout keeps an observation's values, QC, moments and scores on the rank that owns it (the
  // analysis asks the owners for those near its rows; each rank scores and writes the rows it owns).
  bool owns(const WindowObs& w, Index o) const { return !cells_ || w.owners.slot[static_cast<std::size_t>(o)] >= 0; }
  // Whether this rank hands held row o to the feedback and draws files: its owner (cells layout), else the
  // rank whose block of the window's rows holds it (every rank holds every row).
  bool writes_row(const WindowObs& w, Index o) const;
  // The cells layout on more than one rank: the synthetic sources (`files` false) or the file sources held
  // only at the places this rank owns or analyses near.
  void hold_own_places(bool files);
  void write_feedback(const WindowObs& w, const Eigen::VectorXd& amean);
  void write_draws(WindowObs& w);
  void sum_scores(std::vector<SourceSums>& sums) const;
  void share_learned_errors();
  // Mean and spread over every member of columns held per member, summed where they are (cells layout: of
  // the observations this rank owns, NaN at the others).
  std::pair<Eigen::VectorXd, Eigen::VectorXd> member_moments(const Eigen::MatrixXd& mine, const ObsOwners& own,
                                                             bool with_spread = true) const;
  // The analysed rows: those of this rank whose layer lies above analysis_depth_m (positions in Xr, state
  // indices); none listed when every row is (no copy of the rank's row list).
  struct AnalysedRows {
    bool every = true;
    std::vector<Index> at, rows;
    // The analysed state rows: this rank's rows when every one is.
    std::span<const Index> of(const parallel::Distribution& d) const { return every ? d.my_rows() : std::span<const Index>(rows); }
  };
  AnalysedRows analysed_rows() const;
  Index analyse(WindowObs& w, Eigen::MatrixXd& Xr, AnalysisStats& astats);
  void clamp_changed(Eigen::MatrixXd& Xa, const std::vector<std::uint64_t>& before, std::span<const Index> rows) const;
  void score_analysis(WindowObs& w, std::vector<SourceSums>& sums);
  void open_outputs(const std::vector<RescaledSource>& fits);
  // The forecast's half of a cycle's record, before the analysis: its scores into c, and (a written cycle) its
  // fields with the nature run's; its spread is not kept through the analysis.
  void record_forecast(int cycle, bool observed, const Eigen::MatrixXd& Xr, const Eigen::VectorXd& f_mean, CycleScores& c);
  // The rest, after it; f_mean only for the maps' increment (empty without maps).
  void record(int cycle, Time t1, const WindowObs& w, const Eigen::VectorXd& a_mean, const Eigen::VectorXd& a_spread,
              const Eigen::VectorXd& f_mean, const AnalysisStats& astats, Index assimilated, std::vector<SourceSums>& sums,
              CycleScores& c);
  // This rank's rows of the nature run or control: the cells layout's own (not copied), else put in `gathered`.
  const Eigen::VectorXd& truth_rows(Eigen::VectorXd& gathered) const;
  bool scored(int cycle, bool observed) const { return (observed || s_.open_loop()) && cycle >= p_.spinup; }
  bool layered_scores(int cycle, bool observed) const {
    return !bottoms_.empty() && (scored(cycle, observed) || writes(cycle));
  }
  bool writes(int cycle) const { return (cycle + 1) % cfg_.output.every == 0; }
  void finish(double wall_seconds);
  void write_summary(double wall_seconds);
  void account_memory();
  std::optional<CellPatterns> cell_patterns() const;

  CycleSetup& s_;
  const CycleParams& p_;
  const RunConfig& cfg_;
  const RunOptions& opts_;
  const parallel::Comm& comm_;
  Model& model_;
  Filter& filter_;
  const StateLayout& L_;
  const Index n_;
  const int N_;
  parallel::Distribution dist_;
  parallel::CellSplit split_;
  std::unique_ptr<CellLayout> cells_;  // parallel.layout: cells
  std::vector<int> my_ids_;
  int nature_id_[1];
  const std::vector<double> bottoms_;
  const std::vector<std::string> diag_names_;
  int balance_diag_ = -1;
  std::vector<char> learned_here_;  // cells layout: the learned-error columns this rank's observations update
  const bool feedback_;
  std::string out_dir_, nc_path_;
  RunState st_;
  std::unique_ptr<Checkpointer> checkpointer_;
  std::unique_ptr<TwinOutput> out_;
  std::unique_ptr<ObsRowsOutput> feedback_out_;  // output.diagnostics
  std::unique_ptr<ObsRowsOutput> draws_out_;     // output.observations: the synthetic sources' draws
  std::vector<int> draw_index_;                  // a source's file in draws_out_ (-1: a file source)
  std::unique_ptr<MemoryAccount> memory_;
  double output_seconds_ = 0, checkpoint_seconds_ = 0;  // wall time in writing them (this rank)
  int cycles_run_ = 0;                                  // by this process (a restart's count from its checkpoint)
  Index most_rows_ = 0, most_held_ = 0;                 // the largest window's rows, and of them those held here
};

Cycle::Cycle(CycleSetup& s, const RunOptions& opts, const parallel::Layout& layout)
    : s_(s),
      p_(s.p),
      cfg_(s.cfg),
      opts_(opts),
      comm_(layout.filter),
      model_(*s.model),
      filter_(*s.filter),
      L_(s.model->layout()),
      n_(L_.size()),
      N_(s.filter->members()),
      // The analysis takes whole cells per rank, so a local filter computes each cell's weights once.
      // The cells layout: one task of every rank (each holds every member of its cells), blocks batched as the model does.
      dist_(layout.filter, L_.size(), N_, L_.rows_per_cell(),
            s.cfg.parallel.cells() ? layout.filter.size() : layout.model.size(),
            s.cfg.parallel.cells() ? s.model->cell_granule() : 1),
      split_(layout.model, L_, s.model->memory_per_cell(), static_cast<int>(s.model->diagnostic_names().size()),
             s.model->cell_granule()),
      bottoms_(s.model->layer_bottoms()),
      diag_names_(s.model->diagnostic_names()),
      feedback_(s.cfg.output.diagnostics && !s.open_loop()),
      out_dir_(opts.output_dir) {
  if (cfg_.parallel.cells()) {
    cells_ = std::make_unique<CellLayout>(dist_, L_, model_);
    hold_own_places(false);  // synthetic sources: their operators set up while the model has every cell
    // The model's parameters of this rank's cells only; not when a source reads a file (its operators are set up
    // each window from the model's static fields of every cell) or estimates its rescaling (that pass advances the
    // whole control).
    if (std::none_of(s_.sources.begin(), s_.sources.end(),
                     [](const ObsSource& src) { return src.from_file() || src.params().estimates_rescaling(); }))
      model_.keep_cells(cells_->block().begin, cells_->block().end);
  }
  if (!split_.whole() && comm_.root())
    log::info("each member's ", L_.n_cells(), " cells are split over the ", layout.model.size(), " ranks of a model task (",
              layout.n_tasks, " task(s); rank 0 advances cells ", split_.begin(), " to ", split_.end() - 1, ")");
  for (std::size_t k = 0; k < diag_names_.size(); ++k)
    if (diag_names_[k] == "water_balance_error") balance_diag_ = static_cast<int>(k);
  account_memory();  // before anything per member is allocated
  const int m0 = dist_.my_member_begin(), mine = dist_.my_member_count();
  for (int j = 0; j < mine; ++j) my_ids_.push_back(m0 + j);
  const auto seed = static_cast<std::uint64_t>(cfg_.seed);
  for (int j = 0; j < mine; ++j) st_.model_rng.emplace_back(seed, "model", m0 + j);
  for (int j = 0; j < N_; ++j) st_.obs_rng.emplace_back(seed, "obs-perturbation", j);
  for (std::size_t k = 0; k < s_.sources.size(); ++k) {
    st_.synthetic_rng.emplace_back(seed, "synthetic-obs", k);
    st_.gap_rng.emplace_back(seed, "obs-gaps", k);
  }
  // The nature run is member -1 (never perturbed) unless it is drawn as one more realization.
  const bool nature_perturbed = p_.perturb_nature && s_.mode == RunMode::twin;
  nature_id_[0] = nature_perturbed ? N_ : -1;
  if (nature_perturbed) st_.nature_rng.emplace_back(seed, "nature", 0);
  // Whole members, or (cells layout) every member's rows of this rank's cells only.
  const Index nd = static_cast<Index>(diag_names_.size()) * diag_cells();
  const Index rows = cells_ ? dist_.my_row_count() : n_;
  const Index memory_rows = cells_ ? cells_->memory_rows().compact_size() : model_.memory_size();
  st_.truth.resize(rows);
  st_.X.resize(rows, mine);
  st_.memory_truth = Eigen::MatrixXd::Zero(memory_rows, 1);
  st_.memory.resize(memory_rows, mine);
  st_.diagnostics_truth = Eigen::MatrixXd::Zero(nd, 1);
  st_.diagnostics = Eigen::MatrixXd::Zero(nd, 1);
  st_.balance_max = Eigen::VectorXd::Zero(balance_diag_ >= 0 ? diag_cells() : 0);
  st_.stats.sources.assign(s_.sources.size(), SourceSums{});
  st_.learned_errors = Eigen::MatrixXd::Zero(ErrorLearner::kRows, s_.learned_columns);
  st_.feedback_rows = Eigen::VectorXd::Zero(feedback_ ? static_cast<Index>(s_.sources.size()) : 0);
  int drawn = 0;
  for (const auto& src : s_.sources) draw_index_.push_back(src.from_file() ? -1 : drawn++);
  st_.draw_rows = Eigen::VectorXd::Zero(cfg_.output.observations && !s_.open_loop() ? drawn : 0);
  learned_here_.assign(static_cast<std::size_t>(s_.learned_columns), 0);
  st_.maps = cfg_.output.maps;
  st_.map_mean = Eigen::VectorXd::Zero(st_.maps ? dist_.my_row_count() : 0);
  st_.map_increment = st_.map_mean;
  nc_path_ = out_dir_ + (s_.open_loop() ? "/openloop.nc" : s_.mode == RunMode::real ? "/assimilate.nc" : "/twin.nc");
  // The run's identity reads every input file: only for runs that write or read a checkpoint.
  if (cfg_.output.checkpoint_every > 0 || opts_.restart) {
    RunConfig resolved_cfg = cfg_;
    checkpointer_ = std::make_unique<Checkpointer>(out_dir_ + "/checkpoint.h5", run_identity(resolved_cfg), dist_, comm_,
                                                   cell_patterns());
  }
}

// The cells layout: where this rank's rows of each per-cell field of the run state lie in the whole.
std::optional<CellPatterns> Cycle::cell_patterns() const {
  if (!cells_) return std::nullopt;
  const CellBlock& b = cells_->block();
  const auto rows = [&](Index per_cell) { return CellRows{L_.n_cells(), static_cast<int>(per_cell), 0, b.begin, cells_->cells()}; };
  return CellPatterns{{rows(L_.rows_per_cell()), true},
                      {cells_->memory_rows(), false},
                      {rows(static_cast<Index>(diag_names_.size())), false},
                      {rows(1), false}};
}

// What this rank will hold, stated before the first step; a run that cannot
// fit in what the node has left is refused here, naming both.
void Cycle::account_memory() {
  MemorySizes z;
  z.state = static_cast<double>(n_);
  z.members = N_;
  z.my_members = dist_.my_member_count();
  z.my_rows = static_cast<double>(dist_.my_row_count());
  z.memory = static_cast<double>(model_.memory_size());
  z.diagnostics = static_cast<double>(diag_names_.size()) * static_cast<double>(L_.n_cells());
  z.max_diagnostics = balance_diag_ >= 0 ? static_cast<double>(L_.n_cells()) : 0.0;
  if (cells_) {  // every member of this rank's cells only
    z.cells = true;
    const double share = static_cast<double>(cells_->cells()) / std::max(1.0, static_cast<double>(L_.n_cells()));
    z.memory = static_cast<double>(cells_->memory_rows().compact_size());
    z.diagnostics *= share;
    z.max_diagnostics *= share;
  }
  for (const auto& src : s_.sources) z.observations += static_cast<double>(src.locations());
  z.grid_cells = static_cast<double>(L_.n_cells());
  z.near_fraction = filter_.local() ? 1.0 / comm_.size() : 1.0;
  z.model_bytes = model_.resident_bytes(dist_.my_member_count());
  z.fields = cfg_.output.fields;
  z.maps = cfg_.output.maps;
  z.row_files = (feedback_ ? 1 : 0) + (st_.draw_rows.size() > 0 ? 1 : 0);
  memory_ = std::make_unique<MemoryAccount>(z);
  const int on_node = comm_.node_size();
  if (comm_.root())
    log::info("memory per rank (estimate, rank 0 of ", comm_.size(), "): ", memory_->line());
  if (const auto available = available_memory_bytes()) memory_->check(*available, on_node);
}

// A forecast of the nature run or of this rank's members: this rank's cells,
// then the task's blocks joined.
void Cycle::forecast(Eigen::Ref<Eigen::MatrixXd> X, bool nature, Time a, Time b, bool diagnostics) {
  if (b <= a) return;
  if (cells_) {
    if (nature) advance_cells(X, nature_id_, st_.nature_rng, a, b, st_.memory_truth, diagnostics ? &st_.diagnostics_truth : nullptr, false);
    else advance_cells(X, my_ids_, st_.model_rng, a, b, st_.memory, diagnostics ? &st_.diagnostics : nullptr, true);
    return;
  }
  if (nature) advance(X, nature_id_, st_.nature_rng, a, b, st_.memory_truth, diagnostics ? &st_.diagnostics_truth : nullptr);
  else if (diagnostics) advance_summed(X, my_ids_, st_.model_rng, a, b, st_.memory, st_.diagnostics);
  else advance(X, my_ids_, st_.model_rng, a, b, st_.memory, nullptr);
}

void Cycle::advance(Eigen::Ref<Eigen::MatrixXd> X, std::span<const int> ids, std::span<RandomStream> rng, Time a, Time b,
                    Eigen::MatrixXd& memory, Eigen::MatrixXd* diag) {
  model_.advance(X, ids, rng, a, b, {&memory, diag, split_.whole() ? CellBlock{} : CellBlock{split_.begin(), split_.end()}});
  split_.join_forecast(X, &memory, diag);
}

// Members one at a time, each one's diagnostics of the window added to the
// sum: the model's diagnostics of every member are never held at once.
void Cycle::advance_summed(Eigen::Ref<Eigen::MatrixXd> X, std::span<const int> ids, std::span<RandomStream> rng, Time a,
                           Time b, Eigen::MatrixXd& memory, Eigen::MatrixXd& diag_sum) {
  const CellBlock cells = split_.whole() ? CellBlock{} : CellBlock{split_.begin(), split_.end()};
  Eigen::MatrixXd one_memory(memory.rows(), 1), one_diag(diag_sum.rows(), 1);
  for (Index j = 0; j < X.cols(); ++j) {
    const auto k = static_cast<std::size_t>(j);
    one_memory = memory.col(j);
    one_diag.setZero();
    model_.advance(X.col(j), ids.subspan(k, 1), rng.subspan(k, 1), a, b, {&one_memory, &one_diag, cells});
    memory.col(j) = one_memory;
    keep_balance_max(one_diag);
    diag_sum += one_diag;
  }
  split_.join_forecast(X, &memory, &diag_sum);
}

void Cycle::keep_balance_max(Eigen::MatrixXd& one_diag) {
  if (balance_diag_ < 0 || diag_cells() == 0) return;
  // The largest error of any member and step since the last record: a maximum, not part of the members' sum,
  // and one per cell (not per member: 8 bytes a cell and member at 1 M cells was 128 MB a rank).
  auto balance = one_diag.middleRows(balance_diag_ * diag_cells(), diag_cells());
  st_.balance_max = st_.balance_max.cwiseMax(balance.col(0));
  balance.setZero();
}

void Cycle::advance_cells(Eigen::Ref<Eigen::MatrixXd> X, std::span<const int> ids, std::span<RandomStream> rng, Time a,
                          Time b, Eigen::MatrixXd& memory, Eigen::MatrixXd* diag, bool summed) {
  const CellLayout& cl = *cells_;
  Eigen::MatrixXd x(cl.rows(), 1), one_memory(memory.rows(), 1);
  Eigen::MatrixXd one_diag(diag ? diag->rows() : 0, 1);
  for (Index j = 0; j < X.cols(); ++j) {
    const auto k = static_cast<std::size_t>(j);
    cl.to_model(X.col(j), x.col(0));
    one_memory = memory.col(j);
    if (diag && summed) one_diag.setZero();
    else if (diag) one_diag = diag->col(j);
    model_.advance(x, ids.subspan(k, 1), rng.empty() ? rng : rng.subspan(k, 1), a, b,
                   {&one_memory, diag ? &one_diag : nullptr, cl.block()});
    memory.col(j) = one_memory;
    cl.from_model(x.col(0), X.col(j));
    if (!diag) continue;
    if (!summed) {
      diag->col(j) = one_diag;
      continue;
    }
    keep_balance_max(one_diag);
    *diag += one_diag;
  }
}

// Nature run spun up from the model's own initial state; the initial ensemble around it.
void Cycle::start_fresh() {
  const Time t_init = p_.start - Duration{p_.window.seconds * p_.nature_spinup};
  Eigen::VectorXd truth = Eigen::VectorXd::Zero(n_), memory(model_.memory_size());
  model_.initial_state(truth, t_init);  // (cells layout: the rank's cells)
  if (!p_.nature_file.empty()) read_state(p_.nature_file, L_, truth);
  if (!p_.initial.file.empty()) read_state(p_.initial.file, L_, truth);
  // Whole, or (cells layout) this rank's cells of the whole vectors the model starts from.
  const auto keep_memory = [&](Eigen::Ref<Eigen::VectorXd> to) {
    if (cells_) cells_->memory_rows().take(memory, to);
    else to = memory;
  };
  st_.truth = cells_ ? cells_->rows_of(truth) : truth;
  if (!p_.initial.file.empty())  // the model's own bounds
    model_.clamp(Eigen::Map<Eigen::MatrixXd>(st_.truth.data(), st_.truth.size(), 1), cells_ ? dist_.my_rows() : index_range(0, n_));
  model_.initial_memory(memory, nature_id_[0], st_.nature_rng.empty() ? nullptr : &st_.nature_rng[0]);
  keep_memory(st_.memory_truth.col(0));
  std::vector<Eigen::VectorXd> climatology;
  const int keep_every = std::max(1, p_.nature_spinup / 2 / std::max(1, N_));
  for (int s = 0; s < p_.nature_spinup; ++s) {
    const Time t0 = t_init + Duration{p_.window.seconds * s};
    forecast(Eigen::Map<Eigen::MatrixXd>(st_.truth.data(), st_.truth.size(), 1), true, t0, t0 + p_.window, false);
    if (s >= p_.nature_spinup / 2 && (s - p_.nature_spinup / 2) % keep_every == 0) climatology.push_back(st_.truth);
  }
  const int m0 = dist_.my_member_begin();
  for (int j = 0; j < dist_.my_member_count(); ++j) {
    RandomStream init(static_cast<std::uint64_t>(cfg_.seed), "initial-ensemble", m0 + j);
    model_.initial_memory(memory, m0 + j, &st_.model_rng[static_cast<std::size_t>(j)]);
    keep_memory(st_.memory.col(j));
    if (p_.initial.method == "climatology") {
      st_.X.col(j) = climatology[static_cast<std::size_t>(m0 + j) % climatology.size()];
      continue;
    }
    for (Index i = 0; i < n_; ++i) {  // every row's draw, in state order, whichever rows this rank keeps
      const double z = init.normal();
      if (const Index at = cells_ ? cells_->position(i) : i; at >= 0) st_.X(at, j) = st_.truth[at] + p_.initial.spread * z;
    }
  }
  if (cells_) model_.clamp(st_.X, dist_.my_rows());
  else model_.clamp(st_.X, index_range(0, n_));
}

// The window's forecast, stopping at every model step where a due source
// observes (its synthetic values drawn from the nature run there) or where H
// meets its observations.
WindowObs Cycle::forecast_and_observe(int cycle, Time t0, Time t1) {
  const Duration dt = model_.time_step();
  const ObsTiming timing = p_.timing();
  std::vector<std::size_t> active;
  std::set<int> steps;
  for (std::size_t k = 0; k < s_.sources.size() && !s_.open_loop(); ++k) {
    ObsSource& src = s_.sources[k];
    if (!src.due(cycle) || !src.begin_window(t0, t1, dt, timing)) continue;
    active.push_back(k);
    for (const auto& sl : src.slices()) steps.insert({sl.step, sl.h_step});
  }
  s_.geometry->release_index();
  WindowObs w;
  w.start = t0;
  Index p = 0;
  std::vector<Index> offset;
  for (const std::size_t k : active) {
    offset.push_back(p);
    w.spans.push_back({k, s_.sources[k].size(), s_.sources[k].held()});
    p += s_.sources[k].held();
  }
  // Each held row's window row and owner, before the walk: a rank keeps H(X) of its own observations only.
  w.owners.reset(p);
  for (std::size_t a = 0; a < active.size(); ++a) {
    const ObsSource& src = s_.sources[active[a]];
    for (Index i = 0; i < src.held(); ++i) {
      const auto o = static_cast<std::size_t>(offset[a] + i);
      w.owners.row[o] = w.rows + src.held_rows()[static_cast<std::size_t>(i)];
      w.owners.owner[o] = src.held_owners()[static_cast<std::size_t>(i)];
      if (cells_ && w.owners.owner[o] == comm_.rank()) w.owners.slot[o] = w.owners.owned++;
    }
    w.rows += src.size();
  }
  most_rows_ = std::max(most_rows_, w.rows), most_held_ = std::max(most_held_, p);
  w.HXm = Eigen::MatrixXd::Zero(cells_ ? w.owners.owned : p, st_.X.cols());
  auto truth = Eigen::Map<Eigen::MatrixXd>(st_.truth.data(), st_.truth.size(), 1);
  walk_window(
      t0, t1, dt, steps,
      [&](Time from, Time to) {
        forecast(truth, true, from, to, true);
        forecast(st_.X, false, from, to, true);
      },
      [&](int step) {
        for (std::size_t a = 0; a < active.size(); ++a) {
          ObsSource& src = s_.sources[active[a]];
          for (const auto& sl : src.slices()) {
            if (sl.step == step) sample(src, sl, active[a], offset[a], w.owners);
            if (sl.h_step == step) observe(src, sl, st_.X, w.HXm, offset[a], w.owners);
          }
        }
      });
  // One copy of the window's observations: each source's batch handed over, not copied.
  for (const std::size_t k : active) w.obs.append(s_.sources[k].take_batch());
  if (draws_out_) write_draws(w);
  for (std::size_t a = 0; a < active.size(); ++a) {
    const ObsSource& src = s_.sources[active[a]];
    src.learner().apply(st_.learned_errors, src.row_locations(), w.obs, offset[a]);
  }
  return w;
}

bool Cycle::writes_row(const WindowObs& w, Index o) const {
  if (cells_) return owns(w, o);
  const Index r = comm_.rank(), k = comm_.size();
  return o >= w.rows * r / k && o < w.rows * (r + 1) / k;
}

// Held: the places whose nearest cell is this rank's, and those the filter finds near the rows it analyses
// (every place for a filter that is not local).
void Cycle::hold_own_places(bool files) {
  if (!cells_ || comm_.size() == 1) return;
  const AnalysedRows chosen = analysed_rows();
  const std::span<const Index> analysed = chosen.of(dist_);
  const PlacePlan plan = [&](std::span<const double> x, std::span<const double> y) {
    HeldPlaces h;
    h.held.assign(x.size(), 0);
    h.owner.resize(x.size());
    const CellIndex& index = s_.geometry->cell_index();
    for (std::size_t i = 0; i < x.size(); ++i) {
      h.owner[i] = cells_->owner_at(index, x[i], y[i]);
      h.held[i] = h.owner[i] == comm_.rank();
    }
    ObsBatch places;
    places.resize(static_cast<Index>(x.size()));
    places.x.assign(x.begin(), x.end());
    places.y.assign(y.begin(), y.end());
    for (const Index o : filter_.observations_near(model_.grid(), L_, analysed, places)) h.held[static_cast<std::size_t>(o)] = 1;
    return h;
  };
  for (auto& src : s_.sources)
    if (src.from_file() == files) src.hold_only(plan);
  s_.geometry->release_index();
}

// The synthetic draws of the window (output.observations): the held rows this rank writes, at their places in
// the order they were drawn.
void Cycle::write_draws(WindowObs& w) {
  Index at = 0;
  for (const auto& sp : w.spans) {
    const ObsSource& src = s_.sources[sp.source];
    if (!src.from_file()) {
      const auto d = static_cast<std::size_t>(draw_index_[sp.source]);
      const std::vector<Index> place = src.draw_positions();
      const auto first = static_cast<std::size_t>(st_.draw_rows[static_cast<Index>(d)]);
      std::vector<Index> which;
      std::vector<std::size_t> file_rows;
      for (Index i = 0; i < sp.held; ++i)
        if (writes_row(w, at + i)) which.push_back(at + i), file_rows.push_back(first + static_cast<std::size_t>(place[static_cast<std::size_t>(i)]));
      draws_out_->add(d, file_rows, src.draw_rows(model_.grid(), w.obs.rows(which)), {});
      st_.draw_rows[static_cast<Index>(d)] += static_cast<double>(sp.rows);
    }
    at += sp.held;
  }
  draws_out_->flush(st_.draw_rows, false);
}

void Cycle::observe(const ObsSource& src, const ObsSlice& sl, const Eigen::Ref<const Eigen::MatrixXd>& X,
                    Eigen::Ref<Eigen::MatrixXd> HX, Index first, const ObsOwners& own) {
  if (!cells_) return src.apply(sl, X, HX.middleRows(first, src.held()));
  cells_->apply(src.slice_operator(sl), X, HX, own, first + sl.begin);
}

void Cycle::sample(ObsSource& src, const ObsSlice& sl, std::size_t k, Index first, const ObsOwners& own) {
  if (src.from_file()) return;
  const auto truth = Eigen::Map<const Eigen::MatrixXd>(st_.truth.data(), st_.truth.size(), 1);
  Eigen::VectorXd h;
  if (cells_) {  // each row from the rank that owns it
    Eigen::MatrixXd mine = Eigen::MatrixXd::Zero(own.owned, 1);
    observe(src, sl, truth, mine, first, own);
    h = own_moments(mine, own, first + sl.begin, sl.count, false).first;
  } else {
    Eigen::MatrixXd all = Eigen::MatrixXd::Zero(src.held(), 1);
    observe(src, sl, truth, all, 0, own);
    h = all.col(0).segment(sl.begin, sl.count);
  }
  src.sample(sl, h, st_.synthetic_rng[k], st_.gap_rng[k]);
}

// Gross-error check on the innovation, per source (JEDI's background check),
// and the background's scores (cells layout: by each observation's owner);
// the feedback of the background on the root, which keeps the mean of H(X)
// for the analysis' feedback (no other rank keeps it through the analysis).
void Cycle::check_background(WindowObs& w, std::vector<SourceSums>& sums) {
  auto [hmean, hspread] = member_moments(w.HXm, w.owners);
  Index at = 0;
  for (const auto& [k, rows, cnt] : w.spans) {
    const ObsSource& src = s_.sources[k];
    const SourceParams& sp = src.params();
    for (Index o = at; o < at + cnt; ++o) {
      if (!owns(w, o)) continue;
      auto& flag = w.obs.qc[static_cast<std::size_t>(o)];
      const double d = w.obs.value[o] - hmean[o], e = w.obs.error[o];
      if (flag == 0 && sp.gross_error > 0 && std::abs(d) > sp.gross_error * std::sqrt(e * e + hspread[o] * hspread[o]))
        flag = static_cast<int>(QcFlag::gross_error);
      if (!scorable(flag)) {
        sums[k].missing += 1;
        sums[k].out_of_range += flag == static_cast<int>(QcFlag::bounds);
        continue;
      }
      if (flag == static_cast<int>(QcFlag::gross_error)) sums[k].rejected += 1;
      sums[k].add_background(w.obs.value[o], hmean[o], hspread[o], e, flag == 0);
      const auto r = static_cast<std::size_t>(o - at);
      src.learner().update(st_.learned_errors, src.row_locations()[r], d, hspread[o] * hspread[o],
                           src.nominal_error(o - at), w.obs.time[static_cast<std::size_t>(o)], w.start);
      if (cells_ && src.learner().learns())
        learned_here_[static_cast<std::size_t>(src.learner().first_column() + src.row_locations()[r])] = 1;
    }
    at += cnt;
  }
  if (!feedback_) return;
  w.hmean = std::move(hmean);
  w.hspread = std::move(hspread);
}

std::pair<Eigen::VectorXd, Eigen::VectorXd> Cycle::member_moments(const Eigen::MatrixXd& mine, const ObsOwners& own,
                                                                  bool with_spread) const {
  if (cells_) return own_moments(mine, own, 0, static_cast<Index>(own.owner.size()), with_spread);
  const Eigen::VectorXd mean = dist_.member_sum_exact(mine) / static_cast<double>(N_);
  if (!with_spread) return {mean, Eigen::VectorXd()};
  const Eigen::MatrixXd squares = (mine.colwise() - mean).cwiseAbs2();
  const Eigen::VectorXd spread = (dist_.member_sum_exact(squares) / static_cast<double>(std::max(1, N_ - 1))).cwiseSqrt();
  return {mean, spread};
}

// Vertical localization (a boxcar in depth): only the layers whose top lies
// above analysis_depth_m are analysed; the others keep the forecast, with no
// copy of the ensemble made to restore them.
Cycle::AnalysedRows Cycle::analysed_rows() const {
  const auto rows = dist_.my_rows();
  AnalysedRows a;
  for (std::size_t k = 0; k < rows.size(); ++k)
    if (const int layer = L_.layer_of(rows[k]);
        !(p_.analysis_depth_m > 0 && layer > 0 && bottoms_[static_cast<std::size_t>(layer - 1)] >= p_.analysis_depth_m))
      a.at.push_back(static_cast<Index>(k)), a.rows.push_back(rows[k]);
  if (a.at.size() == rows.size()) return {};
  a.every = false;
  return a;
}

// The analysis of the observations that passed QC, the state put back in its
// bounds; returns how many were assimilated.
Index Cycle::analyse(WindowObs& w, Eigen::MatrixXd& Xr, AnalysisStats& astats) {
  if (!filter_.assimilates() || w.rows == 0) return 0;
  const auto passed = [&](Index o) { return w.obs.qc[static_cast<std::size_t>(o)] == 0; };
  long long used = 0;
  for (Index o = 0; o < w.obs.size(); ++o) used += passed(o) && owns(w, o);
  if (cells_) used = comm_.sum(used);
  if (used == 0) return 0;
  const AnalysedRows chosen = analysed_rows();
  const std::vector<Index>& at = chosen.at;
  const bool every_row = chosen.every;
  const std::span<const Index> analysed = chosen.of(dist_);
  // Every member's H(X) only of the passed observations that can change this rank's rows (a local filter's
  // neighbourhood: a test of each observation's place, so it is asked of the window's observations and the
  // passed ones kept, with no copy of every passed observation made).
  const std::vector<Index> near = filter_.observations_near(model_.grid(), L_, analysed, w.obs);
  if (cells_)  // the values, errors and flags of those another rank owns
    from_owners(dist_, w.owners, near, {RowField::of(w.obs.value), RowField::of(w.obs.error), RowField::of(w.obs.qc)});
  std::vector<Index> wanted;
  for (const Index o : near)
    if (passed(o)) wanted.push_back(o);
  const Eigen::MatrixXd HXu = cells_ ? cells_->fetch_rows(w.HXm, w.owners, wanted) : dist_.gather_member_rows(w.HXm, wanted);
  w.HXm = Eigen::MatrixXd();
  const ObsBatch nearby = w.obs.rows(wanted);
  Eigen::MatrixXd part;
  if (!every_row) {
    part.resize(static_cast<Index>(at.size()), N_);
    for (std::size_t j = 0; j < at.size(); ++j) part.row(static_cast<Index>(j)) = Xr.row(at[j]);
  }
  Eigen::MatrixXd& Xa = every_row ? Xr : part;
  const std::vector<std::uint64_t> before = row_fingerprints(Xa);
  AnalysisInput in{model_.grid(), L_, analysed, nearby, HXu, &st_.obs_rng};
  astats = filter_.analyse(Xa, in);
  const long long cells = comm_.sum(astats.local_count), total = comm_.sum(astats.local_sum);
  if (cells > 0) astats.inflation = static_cast<double>(total) / AnalysisStats::kUnit / static_cast<double>(cells);
  clamp_changed(Xa, before, analysed);
  if (!every_row)
    for (std::size_t j = 0; j < at.size(); ++j) Xr.row(at[j]) = part.row(static_cast<Index>(j));
  return static_cast<Index>(used);
}

// The model's bounds on the rows the analysis changed (their fingerprints
// differ); a row it left alone (no observation near) stays the forecast bit
// for bit, as in the open loop.
void Cycle::clamp_changed(Eigen::MatrixXd& Xa, const std::vector<std::uint64_t>& before, std::span<const Index> rows) const {
  const std::vector<char> changed = changed_rows(Xa, before);
  if (std::find(changed.begin(), changed.end(), 0) == changed.end()) return model_.clamp(Xa, rows);
  std::vector<Index> at, which;
  for (std::size_t k = 0; k < rows.size(); ++k)
    if (changed[k]) which.push_back(rows[k]), at.push_back(static_cast<Index>(k));
  Eigen::MatrixXd part(static_cast<Index>(at.size()), Xa.cols());
  for (std::size_t j = 0; j < at.size(); ++j) part.row(static_cast<Index>(j)) = Xa.row(at[j]);
  model_.clamp(part, which);
  for (std::size_t j = 0; j < at.size(); ++j) Xa.row(at[j]) = part.row(static_cast<Index>(j));
}

// O - A with the analysed ensemble at the window's end (cells layout: by each observation's owner).
void Cycle::score_analysis(WindowObs& w, std::vector<SourceSums>& sums) {
  Eigen::MatrixXd HA = Eigen::MatrixXd::Zero(cells_ ? w.owners.owned : w.obs.size(), st_.X.cols());
  Index off = 0;
  for (const auto& [k, rows, cnt] : w.spans) {
    for (const auto& sl : s_.sources[k].slices()) observe(s_.sources[k], sl, st_.X, HA, off, w.owners);
    off += cnt;
  }
  Eigen::VectorXd amean = member_moments(HA, w.owners, false).first;
  off = 0;
  for (const auto& [k, rows, cnt] : w.spans) {
    for (Index o = off; o < off + cnt; ++o)
      if (owns(w, o) && scorable(w.obs.qc[static_cast<std::size_t>(o)])) sums[k].add_analysis(w.obs.value[o], amean[o]);
    off += cnt;
  }
  if (feedback_) write_feedback(w, amean);
}

// Each source's held rows this rank writes, at their places in its file (collective: every rank, every source
// of the window, its rows perhaps none).
void Cycle::write_feedback(const WindowObs& w, const Eigen::VectorXd& amean) {
  std::vector<Index> station_rows;
  Index at = 0, row0 = 0;
  for (const auto& [k, rows, cnt] : w.spans) {
    const auto first = static_cast<std::size_t>(st_.feedback_rows[static_cast<Index>(k)]);
    std::vector<Index> which, in_source;
    std::vector<std::size_t> file_rows;
    std::vector<double> hm, hs, am;
    for (Index o = at; o < at + cnt; ++o) {
      if (!writes_row(w, o)) continue;
      which.push_back(o), in_source.push_back(o - at);
      file_rows.push_back(first + static_cast<std::size_t>(w.owners.row[static_cast<std::size_t>(o)] - row0));
      hm.push_back(w.hmean[o]), hs.push_back(w.hspread[o]), am.push_back(amean[o]);
    }
    feedback_out_->add(k, file_rows,
                       s_.sources[k].feedback_rows(model_.grid(), w.obs.rows(which), in_source, hm, hs, am, station_rows),
                       station_rows);
    st_.feedback_rows[static_cast<Index>(k)] += static_cast<double>(rows);
    at += cnt;
    row0 += rows;
  }
  feedback_out_->flush(st_.feedback_rows, false);
}

const Eigen::VectorXd& Cycle::truth_rows(Eigen::VectorXd& gathered) const {
  if (cells_) return st_.truth;
  const auto rows = dist_.my_rows();
  gathered.resize(static_cast<Index>(rows.size()));
  for (std::size_t k = 0; k < rows.size(); ++k) gathered[static_cast<Index>(k)] = st_.truth[rows[k]];
  return gathered;
}

void Cycle::record_forecast(int cycle, bool observed, const Eigen::MatrixXd& Xr, const Eigen::VectorXd& f_mean,
                            CycleScores& c) {
  Eigen::VectorXd gathered;
  const Eigen::VectorXd& truth = truth_rows(gathered);
  const Eigen::VectorXd f_spread = ensemble_spread(Xr);
  c.forecast_rmse = global_rms(comm_, f_mean - truth, n_);
  c.forecast_spread = global_rms(comm_, f_spread, n_);
  if (layered_scores(cycle, observed))
    std::tie(c.forecast_rmse_surface, c.forecast_rmse_rootzone) = zone_rmse(comm_, f_mean - truth, L_, bottoms_);
  if (!writes(cycle) || !cfg_.output.fields || !out_) return;
  TwinOutput::Record rec;  // this rank's cells: each rank writes its own
  rec.truth = &truth;
  rec.f_mean = &f_mean;
  rec.f_spread = &f_spread;
  const auto t = std::chrono::steady_clock::now();
  out_->write_fields(st_.records, rec);
  output_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// This cycle's scores into the run's totals, the maps and the per-cycle record.
void Cycle::record(int cycle, Time t1, const WindowObs& w, const Eigen::VectorXd& a_mean, const Eigen::VectorXd& a_spread,
                   const Eigen::VectorXd& f_mean, const AnalysisStats& astats, Index assimilated,
                   std::vector<SourceSums>& sums, CycleScores& c) {
  {
    Eigen::VectorXd gathered;
    const Eigen::VectorXd error = a_mean - truth_rows(gathered);
    c.analysis_rmse = global_rms(comm_, error, n_);
    if (layered_scores(cycle, w.rows > 0))
      std::tie(c.rmse_surface, c.rmse_rootzone) = zone_rmse(comm_, error, L_, bottoms_);
  }
  c.analysis_spread = global_rms(comm_, a_spread, n_);
  c.inflation = astats.inflation;
  c.observations = static_cast<double>(assimilated);
  if (!std::isfinite(c.analysis_rmse)) throw NumericalError(cat("cycle ", cycle, ": the analysis is not finite"));
  const bool write = writes(cycle);
  const bool mapped = cfg_.output.maps && cycle >= p_.spinup;
  if (scored(cycle, w.rows > 0)) st_.stats.add_cycle(c);
  for (std::size_t k = 0; k < sums.size(); ++k) st_.stats.sources[k].add_cycle(sums[k], cycle >= p_.spinup);
  if (mapped) {  // the time-mean maps: each rank its own rows, written by each at the end
    st_.map_mean += a_mean;
    st_.map_increment += a_mean - f_mean;
    ++st_.map_cycles;
  }
  if (balance_diag_ >= 0) {
    // The members layout: every rank's members (and every task rank's cells) in the one maximum, once a cycle
    // (not at each part of a window's forecast), the same on every rank before it is used or checkpointed.
    if (!cells_) comm_.max_in_place({st_.balance_max.data(), static_cast<std::size_t>(st_.balance_max.size())});
    const Index b0 = balance_diag_ * diag_cells();
    const auto truth_balance = st_.diagnostics_truth.col(0).segment(b0, diag_cells());
    const double local = diag_cells() ? std::max(st_.balance_max.maxCoeff(), truth_balance.cwiseAbs().maxCoeff()) : 0.0;
    st_.stats.max_balance = std::max(st_.stats.max_balance, comm_.max(local));
  }
  if (!write) return;
  TwinOutput::Record rec;
  rec.time = t1;
  rec.scores = c;
  if (!s_.open_loop()) rec.sources = sums;
  if (cfg_.output.fields) {  // this rank's cells: each rank writes its own (the forecast's, before the analysis)
    rec.a_mean = &a_mean;
    rec.a_spread = &a_spread;
  }
  if (!diag_names_.empty()) {
    rec.diagnostics = true;
    // This rank's cells: the nature run's, and the members' sum where they are, each rank getting its own cells'.
    const CellRows mine{L_.n_cells(), static_cast<int>(diag_names_.size()), 0, dist_.my_cell_begin(), dist_.my_cell_count()};
    rec.diag_truth.resize(mine.compact_size());
    if (cells_) rec.diag_truth = st_.diagnostics_truth.col(0);
    else mine.take(st_.diagnostics_truth.col(0), rec.diag_truth);
    rec.diag_mean = cells_ ? Eigen::VectorXd(st_.diagnostics.col(0))
                           : dist_.member_sum_my_cells(st_.diagnostics, static_cast<int>(diag_names_.size()));
    rec.diag_mean /= static_cast<double>(N_);
    if (balance_diag_ >= 0)  // the ensemble's largest, not a mean (the same on every rank: this rank's cells of it)
      rec.diag_mean.segment(balance_diag_ * mine.count, mine.count) =
          cells_ ? st_.balance_max : Eigen::VectorXd(st_.balance_max.segment(mine.begin, mine.count));
    st_.diagnostics_truth.setZero();
    st_.diagnostics.setZero();
    st_.balance_max.setZero();
  }
  if (out_) {
    const auto t = std::chrono::steady_clock::now();
    out_->write(st_.records, rec);
    output_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  }
  ++st_.records;
}

void Cycle::run() {
  const auto wall0 = std::chrono::steady_clock::now();
  if (opts_.restart) {
    checkpointer_->read(st_);
    log::info("restarting at cycle ", st_.next_cycle, " of ", p_.cycles, " from ", checkpointer_->path());
  } else {
    start_fresh();
  }
  const int control[1] = {-1};  // the unperturbed run
  const auto fits = rescale_sources(s_, [&](Eigen::Ref<Eigen::MatrixXd> x, Eigen::MatrixXd& memory, Time a, Time b) {
    advance(x, control, {}, a, b, memory, nullptr);
  });
  estimate_tc_errors(s_, st_.learned_errors);
  hold_own_places(true);  // the passes above read every row of the files; the cycle holds its own
  open_outputs(fits);
  Eigen::MatrixXd Xr;
  Progress progress(s_.open_loop() ? "openloop" : "twin", p_.cycles, st_.next_cycle, comm_.root());
  for (int cycle = static_cast<int>(st_.next_cycle); cycle < p_.cycles; ++cycle) {
    const Time t0 = p_.start + Duration{p_.window.seconds * cycle}, t1 = t0 + p_.window;
    WindowObs w = forecast_and_observe(cycle, t0, t1);
    std::vector<SourceSums> sums(s_.sources.size());
    // A rank holds one layout at a time: each member's pages go back as it is sent (the cells layout has one).
    if (cells_) Xr.swap(st_.X);
    else dist_.move_to_rows(st_.X, Xr);
    CycleScores c;
    Eigen::VectorXd f_mean = ensemble_mean(Xr);
    record_forecast(cycle, w.rows > 0, Xr, f_mean, c);
    if (!cfg_.output.maps) f_mean = Eigen::VectorXd();  // kept through the analysis only for the maps' increment
    AnalysisStats astats;
    Index assimilated = 0;
    if (w.rows > 0) {
      check_background(w, sums);
      assimilated = analyse(w, Xr, astats);
    }
    const Eigen::VectorXd a_mean = ensemble_mean(Xr), a_spread = ensemble_spread(Xr);
    if (cells_) st_.X.swap(Xr);
    else dist_.move_to_members(Xr, st_.X);
    if (w.rows > 0) score_analysis(w, sums);
    if (w.rows > 0 && cells_) sum_scores(sums);
    record(cycle, t1, w, a_mean, a_spread, f_mean, astats, assimilated, sums, c);
    ++cycles_run_;
    st_.next_cycle = cycle + 1;
    const bool last = cycle + 1 == p_.cycles;
    if (!last && cfg_.output.checkpoint_every > 0 && (cycle + 1) % cfg_.output.checkpoint_every == 0) {
      if (out_) out_->snapshot();  // before the checkpoint: a restart from it finds the output as it was then, or later
      if (feedback_out_) feedback_out_->flush(st_.feedback_rows, true), feedback_out_->snapshot();
      if (draws_out_) draws_out_->flush(st_.draw_rows, true), draws_out_->snapshot();
      const auto t = std::chrono::steady_clock::now();
      share_learned_errors();
      checkpointer_->write(st_);
      checkpoint_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
      log::debug("checkpoint after cycle ", cycle + 1);
    }
    progress.step(cycle + 1, cat("analysis RMSE ", c.analysis_rmse));
    if (opts_.stop_after_cycle > 0 && cycle + 1 == opts_.stop_after_cycle && !last) {
      log::warn("stopping after cycle ", cycle + 1, " as asked (--stop-after); continue with --restart");
      return;
    }
  }
  progress.finish();
  finish(std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count());
}

// The output folder, the rescaling fits, the resolved config and the per-cycle NetCDF (root).
void Cycle::open_outputs(const std::vector<RescaledSource>& fits) {
  io::make_dirs(out_dir_);
  if (comm_.root()) {
    for (const auto& f : fits) {
      io::make_dirs(out_dir_ + "/rescaling");
      write_rescaling(f, s_.sources[f.source].params(), out_dir_ + "/rescaling/" + s_.sources[f.source].name() + ".nc");
    }
    RunConfig resolved_cfg = cfg_;
    io::write_text_file(out_dir_ + "/config.resolved.yaml", resolved_yaml(resolved_cfg));
  }
  // Every rank writes its own cells (its analysis rows: whole cells, in order) into the one file.
  TwinOutput::Spec spec{nc_path_, model_.grid(), L_, p_.start, cfg_.output.deflate, cfg_.output.fields,
                        s_.truth_name(), diag_names_, {}, !bottoms_.empty()};
  if (!s_.open_loop())
    for (const auto& src : s_.sources) spec.sources.push_back(src.name());
  spec.comm = comm_.size() > 1 ? comm_.get() : MPI_COMM_NULL;
  spec.cell_begin = static_cast<int>(dist_.my_cell_begin());
  spec.cell_count = static_cast<int>(dist_.my_cell_count());
  spec.kinds.clear();
  for (const auto& name : cfg_.output.state_fields)
    spec.kinds.push_back(static_cast<int>(std::find(state_field_names().begin(), state_field_names().end(), name) -
                                          state_field_names().begin()));
  spec.layers = cfg_.output.layers;
  out_ = opts_.restart ? TwinOutput::reopen(spec) : TwinOutput::create(spec);
  if (st_.draw_rows.size() > 0) {
    io::make_dirs(out_dir_ + "/observations");
    std::vector<ObsRowsOutput::Source> files;
    for (const auto& src : s_.sources)
      if (!src.from_file()) files.push_back({out_dir_ + "/observations/" + src.name() + ".nc", src.draws_header(), nullptr});
    draws_out_ = std::make_unique<ObsRowsOutput>(dist_, std::move(files), opts_.restart, st_.draw_rows);
  }
  if (!feedback_) return;
  io::make_dirs(out_dir_ + "/diagnostics");
  std::vector<ObsRowsOutput::Source> files;
  for (const auto& src : s_.sources)
    files.push_back({out_dir_ + "/diagnostics/" + src.name() + ".nc", src.feedback_header(p_.timing()), src.feedback_stations()});
  feedback_out_ = std::make_unique<ObsRowsOutput>(dist_, std::move(files), opts_.restart, st_.feedback_rows);
}

// The outputs a completed run adds: the NetCDF renamed into place, maps,
// feedback and draws files, summary.json.
void Cycle::finish(double wall) {
  if (out_) out_->commit();
  if (cfg_.output.maps && st_.map_cycles > 0)
    write_maps({out_dir_ + "/maps.nc", model_.grid(), L_, cfg_.output.deflate, comm_.size() > 1 ? comm_.get() : MPI_COMM_NULL,
                dist_.my_cell_begin(), dist_.my_cell_count()},
               st_.map_mean, st_.map_increment, st_.map_cycles);
  if (feedback_out_) feedback_out_->flush(st_.feedback_rows, true), feedback_out_->commit();
  if (draws_out_) draws_out_->flush(st_.draw_rows, true), draws_out_->commit();
  share_learned_errors();
  write_summary(wall);
}

// Each rank scored the observations it owns: the window's totals, on every rank.
void Cycle::sum_scores(std::vector<SourceSums>& sums) const {
  const auto fields = source_sum_fields();
  Eigen::MatrixXd part(static_cast<Index>(fields.size()), static_cast<Index>(sums.size()));
  for (std::size_t k = 0; k < sums.size(); ++k)
    for (std::size_t f = 0; f < fields.size(); ++f) part(static_cast<Index>(f), static_cast<Index>(k)) = sums[k].*fields[f].at;
  const Eigen::MatrixXd total = dist_.sum_over_ranks(part);
  for (std::size_t k = 0; k < sums.size(); ++k)
    for (std::size_t f = 0; f < fields.size(); ++f) sums[k].*fields[f].at = total(static_cast<Index>(f), static_cast<Index>(k));
}

// A location's learned error is updated by the rank that owns its observations (one rank: an observation
// belongs to the rank of its nearest cell). Before the state is written or summarised, every rank
// takes each column from the rank that updated it; the others are the same everywhere.
void Cycle::share_learned_errors() {
  if (!cells_ || st_.learned_errors.cols() == 0) return;
  const Index rows = st_.learned_errors.rows(), cols = st_.learned_errors.cols();
  Eigen::MatrixXd part = Eigen::MatrixXd::Zero(rows + 1, cols);
  for (Index c = 0; c < cols; ++c)
    if (learned_here_[static_cast<std::size_t>(c)]) part.col(c) << st_.learned_errors.col(c), 1.0;
  const Eigen::MatrixXd total = dist_.sum_over_ranks(part);
  for (Index c = 0; c < cols; ++c) {
    if (total(rows, c) > 1.5)
      throw ParallelError(cat("learned observation errors: location column ", c, " was updated on ", total(rows, c),
                              " ranks (its observations should have one owner)"));
    if (total(rows, c) > 0.5) st_.learned_errors.col(c) = total.col(c).head(rows);
  }
}

void Cycle::write_summary(double wall) {
  const bool layered = !bottoms_.empty();
  const RunStats& rs = st_.stats;
  JsonObject s;
  s.add("experiment", s_.open_loop() ? "openloop" : s_.mode == RunMode::real ? "assimilate" : "twin")
      .add("model", cfg_.model.type)
      .add("filter", cfg_.filter.type)
      .add("members", N_)
      .add("state_size", static_cast<long long>(n_))
      .add("observation_sources", static_cast<int>(s_.open_loop() ? 0 : s_.sources.size()))
      .add("observation_timing", p_.obs_timing)
      .add("cycles", p_.cycles)
      .add("spinup", p_.spinup);
  rs.summarise(s, layered);
  if (balance_diag_ >= 0) s.add("max_water_balance_error_m", rs.max_balance);
  if (!s_.open_loop()) {
    // Per source, after spin-up: innovation statistics like JEDI's H(x) output.
    JsonObject per;
    for (std::size_t k = 0; k < s_.sources.size(); ++k) {
      JsonObject o = source_json(rs.sources[k]);
      o.add("error", s_.sources[k].params().error);
      if (const auto& le = s_.sources[k].learner(); le.learns())
        o.add("learned_error", median_learned(le.errors(st_.learned_errors, false)))
            .add("learned_error_inflated", median_learned(le.errors(st_.learned_errors, true)));
      per.add(s_.sources[k].name(), o);
    }
    s.add("sources", per);
  }
  // The estimate stated at start beside what each rank measured (getrusage's peak).
  JsonObject mem = memory_->json();
  mem.add("peak_resident_bytes_by_rank", comm_.allgather(peak_resident_bytes()))
      .add("window_observations", static_cast<double>(most_rows_))
      .add("window_observations_held_by_rank", comm_.allgather(static_cast<double>(most_held_)));
  s.add("memory_per_rank", mem);
  // What each rank received from the others in the ensemble's exchanges and gathers, per cycle.
  JsonObject mpi;
  mpi.add("received_bytes_per_cycle_by_rank",
          comm_.allgather(static_cast<double>(dist_.received_bytes()) / std::max(1, cycles_run_)));
  s.add("mpi_per_rank", mpi);
  s.add("seed", static_cast<long long>(cfg_.seed))
      .add("mpi_ranks", comm_.size())
      .add("restarted", opts_.restart)
      .add("wall_seconds", wall)
      .add("output_seconds", comm_.max(output_seconds_))
      .add("checkpoint_seconds", comm_.max(checkpoint_seconds_));
  if (comm_.root()) io::write_text_file(out_dir_ + "/summary.json", s.str() + "\n");
  const double k = std::max(1.0, rs.scored_cycles);
  log::info(s_.open_loop() ? "open loop" : "twin experiment", " done: RMSE against the ", s_.truth_name(), " ",
            rs.sum.analysis_rmse / k, " (forecast ", rs.sum.forecast_rmse / k, "), spread ", rs.sum.analysis_spread / k,
            " over ", static_cast<long long>(rs.scored_cycles), " cycles; ", wall, " s; outputs in ", out_dir_);
}

}  // namespace

namespace {

// Refuses, before anything is written, a run whose outputs would replace one of its inputs
// (a forcing called assimilate.nc in the output folder, an observation file in diagnostics/, ...).
void check_outputs_spare_inputs(const CycleSetup& s, const std::string& out_dir) {
  const std::vector<std::string> inputs = input_files(s.cfg);
  std::vector<std::string> outputs{"openloop.nc", "assimilate.nc", "twin.nc", "checkpoint.h5", "config.resolved.yaml",
                                   "summary.json", "maps.nc"};
  for (const auto& src : s.sources)
    for (const char* dir : {"diagnostics/", "observations/", "rescaling/"}) outputs.push_back(dir + src.name() + ".nc");
  std::error_code ec;
  for (const auto& name : outputs) {
    const fs::path out = fs::weakly_canonical(fs::path(out_dir) / name, ec);
    for (const auto& in : inputs)
      if (out.string() == in || out.string() + ".partial" == in)
        throw ConfigError(cat(s.cfg.source_file, ": the output ", out.string(), " would overwrite an input of this run (",
                              in, "); choose another --output folder or move the input"));
  }
}

}  // namespace

void run_cycle(CycleSetup& setup, const RunOptions& opts, const parallel::Layout& layout) {
  check_outputs_spare_inputs(setup, opts.output_dir);
  if (layout.run.root())
    if (const int stale = io::remove_stale_temporaries(opts.output_dir); stale > 0)
      log::info("removed ", stale, " temporary file(s) of an earlier run that was killed while writing");
  Cycle(setup, opts, layout).run();
}

}  // namespace landda::experiments
