#include "experiments/cycle/memory_account.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "experiments/cycle/obs_rows_output.hpp"

namespace landda::experiments {
namespace {

std::string mb(double bytes) { return cat(std::llround(bytes / 1e6), " MB"); }

}  // namespace

MemoryAccount::MemoryAccount(const MemorySizes& z) {
  const double share = 8 * z.state * z.my_members;
  // The cells layout keeps every member of its rows and its own cells' nature run, and holds only the
  // observations it owns and those near its rows (about near_fraction of them): every member's H(X) of its own,
  // handed over a member at a time for those near its rows (one of the two at a time), then H(A) of its own,
  // and a work column an operator reads (its untouched pages not taken); per held observation also its window
  // row, owner and slot. The members layout: H(X) and H(A) of its members, and every member's of the
  // observations near its rows.
  const double own_state = z.cells ? z.my_rows : z.state;
  const double held = z.cells ? z.near_fraction * z.observations : z.observations;
  const double h_members = z.cells ? z.members + 1.5 : 2 * z.my_members + z.near_fraction * z.members;
  items_ = {
      // members for the forecast or rows of every member for the analysis: the
      // exchanges give each member's pages back as it is sent
      {z.cells ? cat("ensemble (every one of ", z.members, " members, this rank's cells)")
               : cat("ensemble (", z.my_members, " of ", z.members, " members; one layout at a time)"),
       z.cells ? 8 * z.my_rows * z.members : std::max(share, 8 * z.my_rows * z.members)},
      {z.cells ? "operator work column (this rank's cells)" : "exchange: a member in flight and its buffer",
       z.cells ? 8 * z.my_rows : 16 * z.state},
      {"model memory of the members", 8 * z.memory * z.my_members},
      {"diagnostics: the members' sum and one member's window", 8 * 2 * z.diagnostics},
      {"diagnostics that are maxima over the members", 8 * z.max_diagnostics},
      {z.cells ? "nature run or control (this rank's cells)" : "nature run or control (every rank)",
       8 * (own_state + z.memory + z.diagnostics)},
      {z.cells ? "model forcing and parameters (this rank's cells)" : "model forcing and parameters (every rank)", z.model_bytes},
      // H(X) as above, and about eight values per observation: the window's one copy of value, error, place,
      // time, flags (the sources hand theirs over), and the ensemble mean and spread of H(X)
      {z.cells ? "observations of a window (held: own and near)" : "observations of a window", 8 * held * (h_members + 8)},
      // each operator's footprint and H weights (a cell or a few per observation held), and one k-d tree of the
      // grid's cells they share (a position and a node per cell)
      {"observation operators and the grid's cell index", 32 * held + 32 * z.grid_cells},
      // four vectors of this rank's rows at a time: in the analysis their fingerprints before it (those after it
      // are compared a block of rows at a time), the filter's prior spread and a list of the rows by cell; after
      // it the analysis' mean and spread (the forecast's are scored and written before it); with
      // analysis_depth_m also the analysed rows' lists
      {"means, spreads and fingerprints of this rank's rows", 8 * 4 * z.my_rows},
      // each rank writes its own cells of the fields (one layer-by-cell buffer)
      {"output buffer of this rank's cells", 8 * z.my_rows * (z.fields ? 1 : 0)},
      // the two sums of this rank's rows (each rank writes its own cells), and the forecast's mean kept
      // through the analysis for the increment
      {"time-mean maps of this rank's rows", 8 * z.my_rows * (z.maps ? 3 : 0)},
      // the feedback and draws rows a rank keeps until a flush (a feedback row: 8 values and 6 groups), and at
      // a flush those it receives and the block it writes
      {"feedback and draws rows kept until written", z.row_files * 3.0 * 8 * 14 * ObsRowsOutput::kFlushRows},
      // the ensemble-space solver's N x N matrices (transform, its square root, eigenvectors, a product)
      {"filter work arrays", 32 * z.members * z.members},
      {"libraries and code", kBaseBytes},
  };
}

double MemoryAccount::total() const {
  double t = 0;
  for (const auto& i : items_) t += i.bytes;
  return t;
}

std::string MemoryAccount::line() const {
  std::string s;
  for (const auto& i : items_)
    if (i.bytes >= 0.5e6) s += cat(s.empty() ? "" : " + ", i.what, " ", mb(i.bytes));
  return cat(s, " = ", mb(total()));
}

JsonObject MemoryAccount::json() const {
  JsonObject j;
  for (const auto& i : items_) j.add(i.what, i.bytes);
  j.add("total", total());
  return j;
}

void MemoryAccount::check(double available, int ranks_on_node) const {
  const double per_rank = available / std::max(1, ranks_on_node);
  if (total() > per_rank)
    throw ConfigError(cat("the run needs about ", mb(total()), " per rank (", line(), "); this node has ", mb(available),
                          " available for its ", ranks_on_node, " rank(s), ", mb(per_rank),
                          " each: use more ranks (on more nodes), fewer members, or fewer cells"));
}

double peak_resident_bytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) * 1024.0;  // KB on Linux
}

}  // namespace landda::experiments
