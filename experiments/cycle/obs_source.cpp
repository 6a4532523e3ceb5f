#include "experiments/cycle/obs_source.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.hpp"
#include "core/log.hpp"
#include "observations/register.hpp"

namespace landda::experiments {

void SourceParams::visit(config::Visitor& v) {
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
  v("out_of_range", out_of_range,
    config::doc("file sources: values outside the variable's physical range (0-1 m3 m-3, 0-100 %) are an error "
                "naming the first (error), or flagged QC bounds, counted as rejected_out_of_range and never used (flag)")
        .one_of({"error", "flag"}));
  v("gap_fraction", gap_fraction, config::doc("chance that a location is missing at an overpass").range(0.0, 1.0));
  v("overpass_hours", overpass_hours,
    config::doc("synthetic retrievals: the hours of the day (UTC, 0 to 24) at which every location is observed, "
                "drawn from the nature run at that hour (e.g. [6, 18] for SMAP's overpasses); empty: at the "
                "window's end")
        .range(0.0, 24.0));
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
                "percentiles (CDF matching); anomaly keeps only the observations' anomalies from their 35-day moving "
                "mean, scaled to the model's and put on the model's moving mean (the model keeps its seasonal "
                "cycle); errors scale by the std ratio; none uses them as they are. The fit is written to "
                "rescaling/<name>.nc")
        .one_of({"none", "mean_std", "cdf", "anomaly"}));
  v("rescale_file", rescale_file,
    config::doc("reuse the fit stored by an earlier run (its rescaling/<name>.nc) instead of estimating it").file());
  v("assumed_error", assumed_error,
    config::doc("synthetic retrievals: the error standard deviation the analysis assumes (0: `error`, the one they "
                "are drawn with); set it apart from `error` to study mis-specified or learned errors")
        .at_least(0.0));
  v("learn_error", learn_error,
    config::doc("observation errors learned from the data per location: innovations estimates R = var(O-B) - HPH' "
                "from the innovation covariance (Dee 1995; Reichle, Crow & Keppenne 2008), exponentially weighted "
                "over learn_memory_days and bounded by learn_bounds; tc takes each location's error variance from "
                "triple collocation with the two sources in learn_tc_with (daily means of the rescaled "
                "observations over the run, so in model space); none keeps the constant or file errors")
        .one_of({"none", "innovations", "tc"}));
  v("learn_tc_with", learn_tc_with,
    config::doc("learn_error tc: the two other file sources that form the triplet"));
  v("learn_tc_max_km", learn_tc_max_km,
    config::doc("learn_error tc: a partner's location serves within this distance").above(0.0));
  v("learn_tc_min_samples", learn_tc_min_samples,
    config::doc("learn_error tc: fewest days with all three for an estimate (else the nominal error)").range(10, 1e9));
  v("learn_memory_days", learn_memory_days,
    config::doc("e-folding time of the learned error's weighted means (days)").above(0.0));
  v("learn_min_count", learn_min_count,
    config::doc("observations a location needs before its learned error replaces the nominal one, and the fewest "
                "its weighted means average however sparse they are (an observation weighs at most 2 / (count + 1))")
        .range(2, 1e9));
  v("learn_correlation", learn_correlation,
    config::doc("inflate a learned R by (1 + r)/(1 - r), r the lag-1 autocorrelation of the location's innovations "
                "in successive windows (0 to 0.9): errors that persist from one analysis to the next count as fewer "
                "independent ones"));
  v("learn_background", learn_background,
    config::doc("learn_error tc: weigh the source by what its innovations say of the background given its TC "
                "error: lambda HPH' = var(O-B) - R (Li, Kalnay & Miyoshi 2009), R / lambda used, so a background "
                "better than its ensemble spread claims takes less from the observations"));
  v("learn_bounds", learn_bounds,
    config::doc("[low, high]: the learned error stays between these multiples of the nominal error").above(0.0));
}

namespace {

// The locations of a file's rows, numbered in order of first appearance (coordinates as numbers).
std::vector<int> number_locations(const ObsBatch& b, Index& count) {
  std::map<std::pair<double, double>, int> ids;
  std::vector<int> out(b.x.size());
  for (std::size_t i = 0; i < b.x.size(); ++i)
    out[i] = ids.try_emplace({b.x[i], b.y[i]}, static_cast<int>(ids.size())).first->second;
  count = static_cast<Index>(ids.size());
  return out;
}

}  // namespace

// Values that cannot be physical: an error naming the first, unless the
// source says `out_of_range: flag` (then flagged, counted, never used).
void ObsSource::refuse_or_flag_out_of_range(const std::string& where) const {
  const auto& b = data_.obs;
  std::size_t first = 0;
  while (first < b.qc.size() && b.qc[first] != static_cast<int>(QcFlag::bounds)) ++first;
  const std::string what = cat(p_.file, ": ", data_.out_of_range, " value(s) of ", data_.variable, " (", data_.units,
                               ") outside its physical range, the first ", b.value[static_cast<Eigen::Index>(first)],
                               " at location ", first, " (", b.time[first].iso(), ")");
  if (p_.out_of_range == "error")
    throw InputError(cat(what, "; wrong units or a damaged file? `out_of_range: flag` (", where,
                         ") flags and counts them instead, never using them"));
  log::warn(where, ": ", what, ": flagged and not used (counted as rejected_out_of_range)");
}

ObsSource::ObsSource(const SourceParams& p, const ObsGeometry& g, bool needs_file, const std::string& where, Index first_column)
    : p_(p), g_(g), learner_(p, first_column, 0) {
  if (p_.learn_bounds.size() != 2 || !(p_.learn_bounds[0] < p_.learn_bounds[1]))
    throw ConfigError(cat(where, ": learn_bounds must be [low, high] with low < high"));
  if (p_.learn_error == "tc" && (p_.learn_tc_with.size() != 2 || !from_file()))
    throw ConfigError(cat(where, ": learn_error tc needs a file source and two other file sources in learn_tc_with"));
  ops_.push_back(observations::operators().create(p_.op));
  if (from_file()) {
    data_ = observations::read_ioda(p_.file, p_.variable);
    if (data_.out_of_range > 0) refuse_or_flag_out_of_range(where);
    if (!p_.file_errors) data_.obs.error.setConstant(p_.error);  // per observation, so rescaling can scale it
    for (std::size_t i = 0; i < data_.obs.x.size(); ++i)
      g.grid.to_grid(data_.obs.x[i], data_.obs.y[i], data_.obs.x[i], data_.obs.y[i]);
    data_location_ = number_locations(data_.obs, n_locations_);
  } else {
    if (needs_file) throw ConfigError(cat(where, " needs a file"));
    if (!p_.overpass_hours.empty() && !std::is_sorted(p_.overpass_hours.begin(), p_.overpass_hours.end()))
      throw ConfigError(cat(where, ": overpass_hours must increase"));
    for (int c = p_.offset; c < g.layout.n_cells(); c += p_.stride) {
      x_.push_back(g.grid.x(c));
      y_.push_back(g.grid.y(c));
    }
    if (x_.empty())
      throw ConfigError(cat(where, " selects no cell (offset ", p_.offset, " >= ", g.layout.n_cells(), " cells)"));
    n_locations_ = all_locations_ = static_cast<Index>(x_.size());
    try {
      ops_.front()->setup(g, x_, y_);
    } catch (const Error& e) {
      throw ConfigError(cat(where, ": ", e.what()));
    }
  }
  learner_ = ErrorLearner(p_, first_column, n_locations_);
  feedback_.groups = {{"hofx0", "ensemble mean of H(background)", {}},
                      {"hofx0_spread", "ensemble spread of H(background)", {}},
                      {"hofx1", "ensemble mean of H(analysis at the window's end)", {}},
                      {"hofx", "ensemble mean of H of the run's state at the observation's own time (the forecast "
                               "before the window's end, the analysis at it)", {}},
                      {"ombg", "observation minus background (ensemble mean of H)", {}},
                      {"oman", "observation minus analysis (ensemble mean of H)", {}}};
  const ObsVariable var = ops_.front()->variable();
  feedback_.variable = from_file() ? data_.variable : var.name;
  feedback_.units = from_file() ? data_.units : var.units;
}

bool ObsSource::due(int cycle) const {
  const int due = cycle + 1 - p_.phase;
  return due > 0 && due % p_.every == 0;
}

ObsOperator& ObsSource::slice_op(std::size_t k) {
  while (ops_.size() <= k) ops_.push_back(observations::operators().create(p_.op));
  return *ops_[k];
}

namespace {

// The model step of the window (t0, t1] nearest to t: its states are those
// after steps 1 .. steps (the state at t0 belongs to the window before).
int nearest_step(Time t, Time t0, Duration step, int steps) {
  const double k = std::round(static_cast<double>((t - t0).seconds) / static_cast<double>(step.seconds));
  return static_cast<int>(std::clamp(k, 1.0, static_cast<double>(steps)));
}

}  // namespace

void ObsSource::hold_only(const PlacePlan& plan) {
  if (from_file()) {  // a plan per location, at its first row's place
    std::vector<double> x(static_cast<std::size_t>(n_locations_)), y(x.size());
    for (std::size_t i = data_location_.size(); i-- > 0;) {
      const auto l = static_cast<std::size_t>(data_location_[i]);
      x[l] = data_.obs.x[i], y[l] = data_.obs.y[i];
    }
    HeldPlaces h = plan(x, y);
    place_held_ = std::move(h.held);
    place_owner_ = std::move(h.owner);
    return;
  }
  const HeldPlaces h = plan(x_, y_);
  std::vector<double> x, y;
  location_id_.clear(), location_owner_.clear();
  for (std::size_t o = 0; o < x_.size(); ++o)
    if (h.held[o]) {
      x.push_back(x_[o]), y.push_back(y_[o]);
      location_id_.push_back(static_cast<int>(o)), location_owner_.push_back(h.owner[o]);
    }
  x_.swap(x), y_.swap(y);
  ops_.front() = observations::operators().create(p_.op);  // the footprints of the held places only
  ops_.front()->setup(g_, x_, y_);
}

bool ObsSource::begin_window(Time t0, Time t1, Duration step, ObsTiming timing) {
  const int steps = static_cast<int>((t1 - t0).seconds / step.seconds);
  const auto h_step = [&](int s) { return timing == ObsTiming::window_end ? steps : s; };
  slices_.clear();
  batch_ = ObsBatch{};
  size_ = 0;
  held_rows_.clear(), held_owner_.clear(), row_location_.clear();  // nothing held in a window without rows
  if (from_file()) {
    // The file's observations stamped in (t0, t1], at their own locations.
    const auto& t = data_.obs.time;
    const Index lo = std::upper_bound(t.begin(), t.end(), t0) - t.begin();
    const Index hi = std::upper_bound(t.begin(), t.end(), t1) - t.begin();
    if (hi <= lo) return false;
    window_begin_ = lo;
    for (Index r = 0; r < hi - lo; ++r) {
      const auto l = static_cast<std::size_t>(data_location_[static_cast<std::size_t>(lo + r)]);
      if (!place_held_.empty() && !place_held_[l]) continue;
      held_rows_.push_back(r);
      held_owner_.push_back(place_owner_.empty() ? 0 : place_owner_[l]);
      row_location_.push_back(static_cast<int>(l));
    }
    if (place_held_.empty()) {
      batch_ = data_.obs.slice(lo, hi - lo);
    } else {
      std::vector<Index> rows(held_rows_);
      for (auto& r : rows) r += lo;
      batch_ = data_.obs.rows(rows);
    }
    size_ = hi - lo;
    // Rows are in time order: each run of rows nearest one step is a slice (of it, the held rows).
    const auto step_of = [&](Index r) {
      return timing == ObsTiming::window_end ? steps : nearest_step(data_.obs.time[static_cast<std::size_t>(lo + r)], t0, step, steps);
    };
    Index h = 0;
    for (Index r = 0; r < size_;) {
      const int s = step_of(r);
      Index e = r + 1;
      while (e < size_ && step_of(e) == s) ++e;
      const Index h0 = h;
      while (h < held() && held_rows_[static_cast<std::size_t>(h)] < e) ++h;
      slices_.push_back({s, h_step(s), h0, h - h0, r, e - r});
      r = e;
    }
  } else {
    // Every location at each overpass in the window (or once, at its end).
    std::vector<Time> times;
    if (p_.overpass_hours.empty()) {
      times.push_back(t1);
    } else {
      const std::int64_t day0 = t0.seconds - ((t0.seconds % 86400) + 86400) % 86400;
      for (std::int64_t day = day0; day <= t1.seconds; day += 86400)
        for (const double h : p_.overpass_hours) {
          const Time t{day + static_cast<std::int64_t>(std::llround(h * 3600.0))};
          if (t > t0 && t <= t1) times.push_back(t);
        }
    }
    const auto n = static_cast<Index>(x_.size());
    batch_.resize(n * static_cast<Index>(times.size()));
    row_location_.resize(static_cast<std::size_t>(n) * times.size());
    held_rows_.resize(row_location_.size()), held_owner_.assign(row_location_.size(), 0);
    for (std::size_t k = 0; k < times.size(); ++k) {
      const Index b0 = static_cast<Index>(k) * n;
      for (Index o = 0; o < n; ++o) {
        const auto i = static_cast<std::size_t>(b0 + o);
        batch_.x[i] = x_[static_cast<std::size_t>(o)];
        batch_.y[i] = y_[static_cast<std::size_t>(o)];
        batch_.time[i] = times[k];
        batch_.error[b0 + o] = p_.assumed_error > 0 ? p_.assumed_error : p_.error;
        const int id = location_id_.empty() ? static_cast<int>(o) : location_id_[static_cast<std::size_t>(o)];
        row_location_[i] = id;
        held_rows_[i] = static_cast<Index>(k) * all_locations_ + id;
        if (!location_owner_.empty()) held_owner_[i] = location_owner_[static_cast<std::size_t>(o)];
      }
      const int s = nearest_step(times[k], t0, step, steps);
      slices_.push_back({s, h_step(s), b0, n, static_cast<Index>(k) * all_locations_, all_locations_});
    }
    size_ = all_locations_ * static_cast<Index>(times.size());
    if (times.empty()) return false;
  }
  batch_.source.assign(batch_.x.size(), 0);
  batch_.source_names = {p_.name};
  window_steps_ = steps;
  for (std::size_t k = 0; k < slices_.size(); ++k) {
    const ObsSlice& s = slices_[k];
    ObsOperator& op = from_file() ? slice_op(k) : *ops_.front();
    if (from_file())
      op.setup(g_, std::span<const double>(batch_.x).subspan(static_cast<std::size_t>(s.begin), static_cast<std::size_t>(s.count)),
               std::span<const double>(batch_.y).subspan(static_cast<std::size_t>(s.begin), static_cast<std::size_t>(s.count)));
    for (Index o = 0; o < s.count; ++o) {
      auto& flag = batch_.qc[static_cast<std::size_t>(s.begin + o)];
      if (op.outside()[static_cast<std::size_t>(o)]) flag = static_cast<int>(QcFlag::out_of_domain);
      else if (flag == 0 && !p_.assimilate) flag = static_cast<int>(QcFlag::not_used);
    }
  }
  return true;
}

void ObsSource::sample(const ObsSlice& s, const Eigen::Ref<const Eigen::VectorXd>& h_truth, RandomStream& synth,
                       RandomStream& gaps) {
  if (from_file()) return;
  // Every row's draws, in the order of the whole window's rows (the same on any number of ranks); the held
  // rows' kept.
  for (Index r = 0, o = 0; r < s.rows; ++r) {
    const double noise = synth.normal(), gap = gaps.uniform();
    if (o == s.count || held_rows_[static_cast<std::size_t>(s.begin + o)] != s.row_begin + r) continue;
    const Index i = s.begin + o;
    batch_.value[i] = p_.scale * h_truth[o] + p_.bias + p_.error * noise;
    auto& flag = batch_.qc[static_cast<std::size_t>(i)];
    if (gap < p_.gap_fraction && flag != static_cast<int>(QcFlag::out_of_domain)) flag = static_cast<int>(QcFlag::missing);
    ++o;
  }
}

ObsBatch ObsSource::take_batch() {
  ObsBatch out = std::move(batch_);
  batch_ = ObsBatch{};
  return out;
}

void ObsSource::apply(const ObsSlice& s, const Eigen::Ref<const Eigen::MatrixXd>& X, Eigen::Ref<Eigen::MatrixXd> HX) const {
  const ObsOperator& op = slice_operator(s);
  for (Index j = 0; j < X.cols(); ++j) {
    auto col = HX.col(j).segment(s.begin, s.count);
    op.apply(X.col(j), col);
  }
}

void ObsSource::apply_all(const Eigen::Ref<const Eigen::MatrixXd>& X, Eigen::Ref<Eigen::MatrixXd> HX) const {
  for (const auto& s : slices_) apply(s, X, HX);
}

namespace {

// Files hold longitude and latitude; the engine works in grid coordinates.
void to_geographic(ObsBatch& b, const Grid& grid) {
  for (std::size_t i = 0; i < b.x.size(); ++i) grid.to_geographic(b.x[i], b.y[i], b.x[i], b.y[i]);
}

}  // namespace

observations::ObsFile ObsSource::feedback_header(ObsTiming timing) const {
  observations::ObsFile f = feedback_;
  f.platform = f.sensor = p_.name;
  f.source = timing == ObsTiming::window_end
                 ? "landda feedback (observation-space diagnostics; H at the window's end)"
                 : "landda feedback (observation-space diagnostics; hofx0 at each observation's own time, hofx1 at "
                   "the window's end)";
  f.qc_group = "EffectiveQC";
  return f;
}

const std::vector<std::string>* ObsSource::feedback_stations() const {
  return from_file() && !data_.station.empty() ? &data_.station : nullptr;
}

observations::ObsFile ObsSource::feedback_rows(const Grid& grid, ObsBatch rows, std::span<const Index> which,
                                               std::span<const double> hmean, std::span<const double> hspread,
                                               std::span<const double> amean, std::vector<Index>& station_rows) const {
  const std::size_t n = which.size();
  observations::ObsFile out;
  to_geographic(rows, grid);
  station_rows.clear();
  if (feedback_stations())  // stations keep their names in the feedback
    for (const Index h : which) station_rows.push_back(window_begin_ + held_rows_[static_cast<std::size_t>(h)]);
  // hofx: H met an observation at the window's end (its slice's h_step) where the analysis is the run's state.
  std::vector<char> at_end(n, 0);
  for (std::size_t i = 0; i < n; ++i)
    for (const auto& sl : slices_)
      if (which[i] >= sl.begin && which[i] < sl.begin + sl.count) at_end[i] = sl.h_step == window_steps_;
  out.groups = feedback_.groups;
  for (auto& g : out.groups) g.values.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double o = rows.value[static_cast<Index>(i)];
    out.groups[0].values[i] = hmean[i];
    out.groups[1].values[i] = hspread[i];
    out.groups[2].values[i] = amean[i];
    out.groups[3].values[i] = at_end[i] ? amean[i] : hmean[i];
    out.groups[4].values[i] = o - hmean[i];
    out.groups[5].values[i] = o - amean[i];
  }
  out.obs = std::move(rows);
  return out;
}

observations::ObsFile ObsSource::draws_header() const {
  observations::ObsFile f;
  f.variable = feedback_.variable;
  f.units = feedback_.units;
  f.platform = f.sensor = p_.name;
  f.source = "landda twin experiment (synthetic)";
  return f;
}

std::vector<Index> ObsSource::draw_positions() const {
  std::vector<std::size_t> order(slices_.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return slices_[a].step < slices_[b].step; });
  std::vector<Index> start(slices_.size());  // each slice's first row in the order drawn
  Index at = 0;
  for (const std::size_t k : order) start[k] = at, at += slices_[k].rows;
  std::vector<Index> out(held_rows_.size());
  for (std::size_t k = 0; k < slices_.size(); ++k)
    for (Index o = slices_[k].begin; o < slices_[k].begin + slices_[k].count; ++o)
      out[static_cast<std::size_t>(o)] = start[k] + held_rows_[static_cast<std::size_t>(o)] - slices_[k].row_begin;
  return out;
}

observations::ObsFile ObsSource::draw_rows(const Grid& grid, ObsBatch rows) const {
  for (Index o = 0; o < rows.size(); ++o)
    if (rows.qc[static_cast<std::size_t>(o)] != 0 && rows.qc[static_cast<std::size_t>(o)] != static_cast<int>(QcFlag::not_used))
      rows.value[o] = std::nan("");  // a gap stays a gap in the file
  rows.qc.assign(rows.qc.size(), 0);
  rows.error.setConstant(p_.error);
  to_geographic(rows, grid);
  observations::ObsFile f;
  f.obs = std::move(rows);
  return f;
}

}  // namespace landda::experiments
