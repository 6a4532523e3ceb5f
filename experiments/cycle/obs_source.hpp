#pragma once
// One observation source of a cycling run: its set-up (an IODA file, or
// synthetic retrievals drawn from the nature run), the observations of each
// window with the QC flags they enter with, H applied to the ensemble at each
// observation's own time (or at the window's end), and the rows of its
// feedback and draws files (written by ObsRowsOutput).
#include <Eigen/Core>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "config/params.hpp"
#include "core/observation.hpp"
#include "core/random.hpp"
#include "core/time.hpp"
#include "experiments/cycle/learned_errors.hpp"
#include "interfaces/obs_operator.hpp"
#include "observations/ioda/ioda_file.hpp"

namespace landda::experiments {

// How the observations of a window meet the model: at the model step nearest
// each observation's time (4D: Hunt et al. 2004, 2007; Sakov et al. 2010), or
// all at the window's end.
enum class ObsTiming { nearest_step, window_end };

struct SourceParams {
  std::string name = "obs";
  config::PluginConfig op;
  double error = 1.0;
  int every = 1, phase = 0;
  double bias = 0.0, scale = 1.0;
  int stride = 1, offset = 0;
  double gap_fraction = 0.0;
  std::vector<double> overpass_hours;  // synthetic: hours of the day (UTC) observed; empty: the window end
  double gross_error = 0.0;
  bool assimilate = true;
  std::string file;      // IODA observation file; empty: synthetic retrievals from the nature run
  std::string variable;  // its ObsValue variable (empty: the soil-moisture one it holds)
  bool file_errors = true;
  std::string out_of_range = "error";  // file values outside the variable's physical range: error | flag (counted, never used)
  std::string rescale = "none";  // file sources: none | mean_std | cdf | anomaly (to the control run's climatology)
  std::string rescale_file;      // a stored fit to reuse
  double assumed_error = 0;      // synthetic: the error the analysis assumes (0: `error`, the drawn one)
  std::string learn_error = "none";  // none | innovations
  double learn_memory_days = 30, learn_min_count = 10;
  std::vector<double> learn_bounds{0.2, 10.0};
  bool learn_correlation = true, learn_background = false;
  std::vector<std::string> learn_tc_with;
  double learn_tc_max_km = 50;
  int learn_tc_min_samples = 50;
  SourceParams() { op.type = "state_element"; }
  void visit(config::Visitor& v);
  bool rescaled() const { return !file.empty() && rescale != "none"; }
  bool estimates_rescaling() const { return rescaled() && rescale_file.empty(); }
};

// Observations of one source made at one model step of a window (rows
// [begin, begin + count) of the held batch; the source's rows [row_begin,
// row_begin + rows) of the whole window), and the step at which H meets them:
// the same (nearest_step), or the window's last (window_end).
struct ObsSlice {
  int step = 0, h_step = 0;  // model steps after the window's start
  Index begin = 0, count = 0;
  Index row_begin = 0, rows = 0;
};

// Where a rank stands to a set of observation places (grid coordinates): which it holds and which rank owns
// each (the cells layout's choice; see CellLayout).
struct HeldPlaces {
  std::vector<char> held;
  std::vector<int> owner;
};
using PlacePlan = std::function<HeldPlaces(std::span<const double> x, std::span<const double> y)>;

class ObsSource {
 public:
  // `where`: how errors name the source (config file and key).
  // `first_column`: where its locations start in the learned-error state.
  ObsSource(const SourceParams& p, const ObsGeometry& g, bool needs_file, const std::string& where, Index first_column);

  const SourceParams& params() const { return p_; }
  const std::string& name() const { return p_.name; }
  bool from_file() const { return !p_.file.empty(); }
  bool due(int cycle) const;

  // From now on hold only the rows at the places `plan` keeps (every rank of the cells layout its own and
  // its analysis' neighbourhood): a synthetic source's locations and operator, a file source's window rows.
  // Before it, and in the members layout, a source holds every row.
  void hold_only(const PlacePlan& plan);

  // Sets up the window (t0, t1]: its observations with their flags (values of
  // synthetic sources are drawn in sample()) and the slices they are met in,
  // in increasing step order. False when the source has nothing this window.
  bool begin_window(Time t0, Time t1, Duration step, ObsTiming timing);
  const ObsBatch& batch() const { return batch_; }
  // The window's batch handed over (to the window's one copy of every source's observations); size(),
  // held() and nominal_error() still answer for it.
  ObsBatch take_batch();
  const std::vector<ObsSlice>& slices() const { return slices_; }
  Index size() const { return size_; }  // the source's rows of the whole window
  Index held() const { return static_cast<Index>(held_rows_.size()); }
  // Of each held row: its row among the source's rows of the window, and the rank that owns it.
  const std::vector<Index>& held_rows() const { return held_rows_; }
  const std::vector<int>& held_owners() const { return held_owner_; }
  // The error of held row r before any learned error replaced it.
  double nominal_error(Index r) const {
    return from_file() ? data_.obs.error[window_begin_ + held_rows_[static_cast<std::size_t>(r)]]
                       : p_.assumed_error > 0 ? p_.assumed_error : p_.error;
  }
  Index window_begin() const { return window_begin_; }  // file sources: the window's first row of data()
  // The location (0 .. locations-1) of each held row.
  const std::vector<int>& row_locations() const { return row_location_; }
  const std::vector<int>& data_locations() const { return data_location_; }  // file sources: per row of data()
  Index locations() const { return n_locations_; }
  const ErrorLearner& learner() const { return learner_; }

  // At a slice's step: synthetic values drawn around H(truth) there (the
  // slice's held rows), and the rows of H(X) of the local members (columns of X).
  // (NaN where h_truth is: every rank draws the noise of every row of the slice, in order, and keeps its held
  // rows'; the rank that owns an observation has its H(truth).)
  void sample(const ObsSlice& s, const Eigen::Ref<const Eigen::VectorXd>& h_truth, RandomStream& synth, RandomStream& gaps);
  // The operator that meets a slice (its footprint rows are the slice's rows).
  const ObsOperator& slice_operator(const ObsSlice& s) const {
    return from_file() ? *ops_[static_cast<std::size_t>(&s - slices_.data())] : *ops_.front();
  }
  void apply(const ObsSlice& s, const Eigen::Ref<const Eigen::MatrixXd>& X, Eigen::Ref<Eigen::MatrixXd> HX) const;
  // H of the local members at the window's end for every observation of the window.
  void apply_all(const Eigen::Ref<const Eigen::MatrixXd>& X, Eigen::Ref<Eigen::MatrixXd> HX) const;

  // The file's observations (file sources), rescaled in place by the rescaling pass.
  observations::ObsFile& data() { return data_; }

  // output.diagnostics: the feedback file's header (variable, units, groups, attributes; no rows) and the
  // names its rows' station indices refer to (null: none).
  observations::ObsFile feedback_header(ObsTiming timing) const;
  const std::vector<std::string>* feedback_stations() const;
  // Held rows `which` (the batch's rows `rows`) with the ensemble means of H(background), its spread and
  // H(analysis) at them, as the feedback's groups; `station_rows` their stations' indices.
  observations::ObsFile feedback_rows(const Grid& grid, ObsBatch rows, std::span<const Index> which,
                                      std::span<const double> hmean, std::span<const double> hspread,
                                      std::span<const double> amean, std::vector<Index>& station_rows) const;
  // output.observations (synthetic sources): the draws file's header, the place of each held row among the
  // window's rows in the order they were drawn (slice by slice, by step), and rows as written (a gap stays a
  // gap: no value).
  observations::ObsFile draws_header() const;
  std::vector<Index> draw_positions() const;
  observations::ObsFile draw_rows(const Grid& grid, ObsBatch rows) const;

 private:
  void refuse_or_flag_out_of_range(const std::string& where) const;
  ObsOperator& slice_op(std::size_t k);

  SourceParams p_;
  const ObsGeometry& g_;
  std::vector<std::unique_ptr<ObsOperator>> ops_;  // synthetic: one, fixed; file: one per slice, kept across windows
  std::vector<double> x_, y_;                      // synthetic locations (held ones)
  std::vector<int> location_id_, location_owner_;  // synthetic: each held location's number and owner
  Index all_locations_ = 0;                        // synthetic: every location's count
  std::vector<char> place_held_;                   // file sources: per location, held (empty: every one)
  std::vector<int> place_owner_;                   // file sources: per location, its owner
  observations::ObsFile data_;                     // the file's observations
  observations::ObsFile feedback_;                 // the feedback file's header: variable, groups
  ObsBatch batch_;
  Index size_ = 0;  // the source's rows of the whole window (also once the batch is taken)
  std::vector<Index> held_rows_;  // per held row: its row among the source's rows of the window
  std::vector<int> held_owner_;   // per held row: the rank that owns it
  std::vector<ObsSlice> slices_;
  Index window_begin_ = 0;  // file sources: the first row of the window in data_
  int window_steps_ = 0;  // model steps in the current window
  std::vector<int> data_location_, row_location_;  // per row of data_ (file sources) and of the window
  Index n_locations_ = 0;
  ErrorLearner learner_;
};

}  // namespace landda::experiments
