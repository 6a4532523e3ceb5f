#pragma once
// The statistics a run keeps, each field declared once. The declarations
// below serve the per-cycle NetCDF, summary.json and the checkpoint alike:
// add a field to a table and it is written, summarised and restarted.
#include <Eigen/Core>
#include <span>
#include <string>
#include <vector>

namespace landda {
class JsonObject;
}

namespace landda::experiments {

// Sums over one source's observations, for one cycle or for the run.
struct SourceSums {
  // Counted in every cycle of a run (spin-up included).
  double used = 0, rejected = 0, missing = 0, out_of_range = 0;
  // Scores: observations not missing, the innovation d = O - mean H(background),
  // O - mean H(analysis) and the ensemble spread of H(background).
  double n = 0, omb = 0, omb2 = 0, oma2 = 0, spread2 = 0;
  double o = 0, b = 0, oo = 0, bb = 0, ob = 0;  // Pearson R of O against mean H(background)
  double nis = 0;                               // sum of d^2 / (HPH' + R)
  double err2 = 0;                              // sum of the R used

  // One observation that is not missing: its value, mean H(background), the
  // spread of H and its error; `used` when it passed QC.
  void add_background(double value, double hmean, double hspread, double error, bool used);
  void add_analysis(double value, double amean) { oma2 += (value - amean) * (value - amean); }
  // The run's totals take every cycle's counts, and its scores after the spin-up.
  void add_cycle(const SourceSums& cycle, bool scored);
};

// A sum and whether the run total takes it in every cycle (counts) or in
// scored cycles only: the checkpoint's rows, in this order.
struct SumField {
  const char* name;
  double SourceSums::*at;
  bool every_cycle;
};
std::span<const SumField> source_sum_fields();

// What a user reads per source, from the sums: summary.json's keys and the
// per-cycle NetCDF variables (dimension `source`). NaN when nothing was scored.
struct SourceScore {
  const char* name;
  const char* doc;
  double (*of)(const SourceSums&);
};
std::span<const SourceScore> source_scores();

// One cycle's scores of the whole state against the truth (or control).
struct CycleScores {
  double forecast_rmse = 0, analysis_rmse = 0, forecast_spread = 0, analysis_spread = 0, inflation = 1, observations = 0;
  double rmse_surface = 0, rmse_rootzone = 0, forecast_rmse_surface = 0, forecast_rmse_rootzone = 0;
};
// `summary`: summary.json's key for the mean over the scored cycles (null: not
// summarised); `layered`: only for models with layers.
struct CycleField {
  const char* name;
  const char* summary;
  const char* doc;
  double CycleScores::*at;
  bool layered;
};
std::span<const CycleField> cycle_fields();

// The run's totals: sums of cycle scores over the scored cycles and of each
// source's sums, and the largest water-balance error.
struct RunStats {
  CycleScores sum{0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  double scored_cycles = 0;
  double max_balance = 0;
  std::vector<SourceSums> sources;

  void add_cycle(const CycleScores& c);
  // Flattened for the checkpoint: the cycle sums, the count, the balance,
  // then each source's sums in source_sum_fields() order.
  Eigen::MatrixXd pack() const;
  void unpack(const Eigen::MatrixXd& m, const std::string& origin);
  // The means over the scored cycles, and per source its scores.
  void summarise(JsonObject& json, bool layered) const;
};

// A source's scores as JSON (one object per source).
JsonObject source_json(const SourceSums& s);

}  // namespace landda::experiments
