#pragma once
// What a cycling run carries from one cycle to the next, declared once in
// RunState::visit; the checkpointer writes and reads exactly that list, so a
// field added to the run is restarted with it.
#include <Eigen/Core>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/random.hpp"
#include "core/state.hpp"
#include "experiments/cycle/run_stats.hpp"

namespace landda::parallel {
class Comm;
class Distribution;
}  // namespace landda::parallel

namespace landda::experiments {

// What a field's rows are: in the cells layout each rank keeps only its own
// cells' rows of the per-cell ones (and checkpoints them per cell).
enum class Rows { whole, state, memory, diagnostics, cell };

// parallel.layout: cells — where this rank's rows of each kind of per-cell field lie in the whole.
struct CellPatterns {
  CellPattern state, memory, diagnostics, cell;
  const CellPattern& of(Rows r) const {
    return r == Rows::state ? state : r == Rows::memory ? memory : r == Rows::diagnostics ? diagnostics : cell;
  }
};

struct RunState {
  std::int64_t next_cycle = 0, records = 0;
  Eigen::VectorXd truth;  // the nature run (twin) or the unperturbed control
  Eigen::MatrixXd memory_truth, diagnostics_truth;
  Eigen::MatrixXd X, memory;  // this rank's members, one column each
  // The sum over this rank's members of each diagnostic since the last record
  // (one column: a rank does not keep every member's, 5 values a cell each).
  Eigen::MatrixXd diagnostics;
  // The largest water-balance error of one step of any member per cell since
  // the last record (a maximum: not summed; the same on every rank, of the
  // rank's cells in the cells layout).
  Eigen::VectorXd balance_max;
  RunStats stats;
  bool maps = false;                        // output.maps: the sums below are kept
  Eigen::VectorXd map_mean, map_increment;  // sums over the mapped cycles, this rank's analysis rows
  std::int64_t map_cycles = 0;
  std::vector<RandomStream> model_rng;  // this rank's members
  std::vector<RandomStream> obs_rng, synthetic_rng, gap_rng, nature_rng;
  Eigen::MatrixXd learned_errors;  // per source and location (empty without learned errors)
  Eigen::VectorXd feedback_rows;   // output.diagnostics: rows written to each source's feedback file
  Eigen::VectorXd draw_rows;       // output.observations: rows written to each synthetic source's draws file

  // `shared`: the same on every rank (in the cells layout, a per-cell one:
  // this rank's cells); `members`: a column per local member; `member_sum`:
  // each rank's sum over its members (the file holds the total);
  // `member_streams`: a stream per local member; `rows`: this rank's analysis
  // rows (the file holds the whole state), when `kept` on every rank.
  template <class V>
  void visit(V& v) {
    v.count("next_cycle", next_cycle);
    v.count("records", records);
    v.shared("truth", truth, Rows::state);
    v.shared("memory_truth", memory_truth, Rows::memory);
    v.shared("diagnostics_truth", diagnostics_truth, Rows::diagnostics);
    v.members("ensemble", X, Rows::state);
    v.members("memory", memory, Rows::memory);
    v.member_sum("diagnostics_sum", diagnostics, Rows::diagnostics);
    v.shared("balance_max", balance_max, Rows::cell);
    v.stats("statistics", stats);
    v.rows("map_mean", map_mean, maps);
    v.rows("map_increment", map_increment, maps);
    v.count("map_cycles", map_cycles);
    v.member_streams("model_rng", model_rng);
    v.streams("obs_rng", obs_rng);
    v.streams("synthetic_rng", synthetic_rng);
    v.streams("gap_rng", gap_rng);
    v.streams("nature_rng", nature_rng);
    v.shared("learned_errors", learned_errors);
    v.shared("feedback_rows", feedback_rows);
    v.shared("draw_rows", draw_rows);
  }
};

// Writes the run state to one HDF5 file (collectively, every rank its own
// members or cells) and reads it back on any number of ranks; `config` is the
// run's identity a restart must match; `cells`: the cells layout's patterns
// (null in the members layout).
class Checkpointer {
 public:
  Checkpointer(std::string path, std::string config, const parallel::Distribution& dist, const parallel::Comm& comm,
               std::optional<CellPatterns> cells = std::nullopt)
      : path_(std::move(path)), config_(std::move(config)), dist_(dist), comm_(comm), cells_(std::move(cells)) {}
  // Collective.
  void write(RunState& s) const;
  void read(RunState& s) const;
  const std::string& path() const { return path_; }

 private:
  std::string path_, config_;
  const parallel::Distribution& dist_;
  const parallel::Comm& comm_;
  std::optional<CellPatterns> cells_;
};

}  // namespace landda::experiments
