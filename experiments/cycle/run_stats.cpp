#include "experiments/cycle/run_stats.hpp"

#include <array>
#include <cmath>

#include "core/error.hpp"
#include "core/json.hpp"

namespace landda::experiments {

void SourceSums::add_background(double value, double hmean, double hspread, double error, bool passed) {
  const double d = value - hmean, hph = hspread * hspread;
  n += 1;
  omb += d;
  omb2 += d * d;
  spread2 += hph;
  o += value;
  b += hmean;
  oo += value * value;
  bb += hmean * hmean;
  ob += value * hmean;
  nis += d * d / (hph + error * error);
  err2 += error * error;
  if (passed) used += 1;
}

void SourceSums::add_cycle(const SourceSums& c, bool scored) {
  for (const auto& f : source_sum_fields())
    if (f.every_cycle || scored) this->*f.at += c.*f.at;
}

std::span<const SumField> source_sum_fields() {
  static constexpr std::array<SumField, 16> fields{{
      {"used", &SourceSums::used, true},
      {"rejected", &SourceSums::rejected, true},
      {"missing", &SourceSums::missing, true},
      {"out_of_range", &SourceSums::out_of_range, true},
      {"n", &SourceSums::n, false},
      {"omb", &SourceSums::omb, false},
      {"omb2", &SourceSums::omb2, false},
      {"oma2", &SourceSums::oma2, false},
      {"spread2", &SourceSums::spread2, false},
      {"o", &SourceSums::o, false},
      {"b", &SourceSums::b, false},
      {"oo", &SourceSums::oo, false},
      {"bb", &SourceSums::bb, false},
      {"ob", &SourceSums::ob, false},
      {"nis", &SourceSums::nis, false},
      {"err2", &SourceSums::err2, false},
  }};
  return fields;
}

namespace {

double mean_of(double sum, double n) { return n > 0 ? sum / n : std::nan(""); }

// Pearson correlation from sums: NaN with fewer than three pairs (two always
// give +-1) and when either side is constant. A variance from sums keeps only
// the digits its mean square leaves: one below 1e-10 of the mean square is
// rounding (two equal values differ there by the CPU's order of operations).
double pearson_r(const SourceSums& s) {
  if (s.n < 3) return std::nan("");
  const double n = s.n, cov = s.ob / n - s.o / n * (s.b / n), vo = s.oo / n - s.o / n * (s.o / n),
               vb = s.bb / n - s.b / n * (s.b / n);
  return vo > 1e-10 * (s.oo / n) && vb > 1e-10 * (s.bb / n) ? cov / std::sqrt(vo * vb) : std::nan("");
}

}  // namespace

std::span<const SourceScore> source_scores() {
  static const std::array<SourceScore, 13> scores{{
      {"used", "observations that passed QC (assimilated when the source is)",
       [](const SourceSums& s) { return s.used; }},
      {"rejected_gross_error", "observations rejected by the gross-error check",
       [](const SourceSums& s) { return s.rejected; }},
      {"missing", "observations missing, outside the domain or flagged by their file's QC",
       [](const SourceSums& s) { return s.missing; }},
      {"rejected_out_of_range", "of those, observations outside their variable's physical range (never used)",
       [](const SourceSums& s) { return s.out_of_range; }},
      {"scored", "observations not missing, in the scores below", [](const SourceSums& s) { return s.n; }},
      {"omb_rms", "root mean square of observation minus background (ensemble mean of H)",
       [](const SourceSums& s) { return std::sqrt(mean_of(s.omb2, s.n)); }},
      {"omb_mean", "mean of observation minus background", [](const SourceSums& s) { return mean_of(s.omb, s.n); }},
      {"omb_ubrms", "root mean square of observation minus background, its mean removed",
       [](const SourceSums& s) {
         const double m = mean_of(s.omb, s.n);
         return s.n > 0 ? std::sqrt(std::max(0.0, mean_of(s.omb2, s.n) - m * m)) : std::nan("");  // std::max drops NaN
       }},
      {"r_background", "Pearson correlation of the observations with the ensemble mean of H(background)", pearson_r},
      {"oma_rms", "root mean square of observation minus analysis (ensemble mean of H)",
       [](const SourceSums& s) { return std::sqrt(mean_of(s.oma2, s.n)); }},
      {"background_spread", "root mean square ensemble spread of H(background)",
       [](const SourceSums& s) { return std::sqrt(mean_of(s.spread2, s.n)); }},
      {"normalized_innovation_variance",
       "mean of (O-B)^2 / (HPH' + R): near 1 when the background spread and the observation error are right, "
       "above 1 when they are too small",
       [](const SourceSums& s) { return mean_of(s.nis, s.n); }},
      {"error_rms", "root mean square of the observation errors used (learned, from the file or constant)",
       [](const SourceSums& s) { return std::sqrt(mean_of(s.err2, s.n)); }},
  }};
  return scores;
}

std::span<const CycleField> cycle_fields() {
  static constexpr std::array<CycleField, 10> fields{{
      {"forecast_rmse", "forecast_rmse", "root-mean-square error of the forecast mean against the truth, whole state",
       &CycleScores::forecast_rmse, false},
      {"analysis_rmse", "analysis_rmse", "root-mean-square error of the analysis mean against the truth, whole state",
       &CycleScores::analysis_rmse, false},
      {"forecast_spread", "forecast_spread", "root-mean-square forecast ensemble standard deviation, whole state",
       &CycleScores::forecast_spread, false},
      {"analysis_spread", "analysis_spread", "root-mean-square analysis ensemble standard deviation, whole state",
       &CycleScores::analysis_spread, false},
      {"inflation", "mean_inflation", "multiplicative inflation of the forecast anomalies applied in the analysis",
       &CycleScores::inflation, false},
      {"observations", nullptr, "number of observations assimilated", &CycleScores::observations, false},
      {"rmse_surface", "rmse_surface", "root-mean-square error of the analysis mean in the top layer",
       &CycleScores::rmse_surface, true},
      {"rmse_rootzone", "rmse_rootzone",
       "root-mean-square error of the analysis mean of the 0-1 m thickness-weighted layer mean (root zone)",
       &CycleScores::rmse_rootzone, true},
      {"forecast_rmse_surface", "forecast_rmse_surface", "root-mean-square error of the forecast mean in the top layer",
       &CycleScores::forecast_rmse_surface, true},
      {"forecast_rmse_rootzone", "forecast_rmse_rootzone",
       "root-mean-square error of the forecast mean of the 0-1 m layer mean (root zone)",
       &CycleScores::forecast_rmse_rootzone, true},
  }};
  return fields;
}

void RunStats::add_cycle(const CycleScores& c) {
  for (const auto& f : cycle_fields()) sum.*f.at += c.*f.at;
  scored_cycles += 1;
}

Eigen::MatrixXd RunStats::pack() const {
  const auto nf = static_cast<Eigen::Index>(cycle_fields().size()), ns = static_cast<Eigen::Index>(source_sum_fields().size());
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(std::max(nf + 2, ns), 1 + static_cast<Eigen::Index>(sources.size()));
  Eigen::Index r = 0;
  for (const auto& f : cycle_fields()) m(r++, 0) = sum.*f.at;
  m(r++, 0) = scored_cycles;
  m(r, 0) = max_balance;
  for (std::size_t k = 0; k < sources.size(); ++k) {
    r = 0;
    for (const auto& f : source_sum_fields()) m(r++, static_cast<Eigen::Index>(k) + 1) = sources[k].*f.at;
  }
  return m;
}

void RunStats::unpack(const Eigen::MatrixXd& m, const std::string& origin) {
  const auto nf = static_cast<Eigen::Index>(cycle_fields().size()), ns = static_cast<Eigen::Index>(source_sum_fields().size());
  if (m.cols() != 1 + static_cast<Eigen::Index>(sources.size()) || m.rows() != std::max(nf + 2, ns))
    throw InputError(cat(origin, ": run statistics of shape ", m.rows(), " x ", m.cols(), "; this run keeps ",
                         std::max(nf + 2, ns), " x ", 1 + sources.size(), " (a checkpoint of another landda version?)"));
  Eigen::Index r = 0;
  for (const auto& f : cycle_fields()) sum.*f.at = m(r++, 0);
  scored_cycles = m(r++, 0);
  max_balance = m(r, 0);
  for (std::size_t k = 0; k < sources.size(); ++k) {
    r = 0;
    for (const auto& f : source_sum_fields()) sources[k].*f.at = m(r++, static_cast<Eigen::Index>(k) + 1);
  }
}

JsonObject source_json(const SourceSums& s) {
  JsonObject o;
  for (const auto& sc : source_scores()) o.add(sc.name, sc.of(s));
  return o;
}

void RunStats::summarise(JsonObject& json, bool layered) const {
  const double k = std::max(1.0, scored_cycles);
  json.add("analyses_in_statistics", static_cast<long long>(scored_cycles));
  for (const auto& f : cycle_fields())
    if (f.summary && (layered || !f.layered)) json.add(f.summary, sum.*f.at / k);
}

}  // namespace landda::experiments
