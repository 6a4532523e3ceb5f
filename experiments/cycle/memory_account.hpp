#pragma once
// What one rank of a cycling run holds, estimated before the first step from
// the sizes the run already knows: stated at start, refused when it cannot fit
// (naming the estimate and what the node has), and written to summary.json
// beside the peak each rank measured. The estimate follows the cycle as it is
// coded (cycle.cpp); docs/running_at_scale.md gives the same formula.
#include <string>
#include <vector>

#include "core/json.hpp"

namespace landda::experiments {

struct MemorySizes {
  double state = 0;         // n: state values of one member
  double members = 0;       // N: the whole ensemble
  double my_members = 0;    // m: members this rank advances
  double my_rows = 0;       // r: state rows this rank analyses
  double memory = 0;        // model memory values of one member
  double diagnostics = 0;   // diagnostic values of one member
  double max_diagnostics = 0;  // of them, maxima over the members (which do not add up): kept once
  double observations = 0;  // observations of one window (every source)
  double grid_cells = 0;    // cells of the whole grid (the operators' cell index)
  double near_fraction = 1; // of them, the share whose H(X) a rank gathers (a local filter: about 1 / ranks)
  double model_bytes = 0;   // the model's own: forcing, parameters (Model::resident_bytes)
  bool fields = false;      // output.fields: means and spreads of this rank's cells written
  bool maps = false;        // output.maps: time-mean sums of the analysis
  int row_files = 0;        // output.diagnostics, output.observations: each keeps rows until they are written
  bool cells = false;       // parallel.layout: cells (every member of my_rows; memory and diagnostics given for them)
};

class MemoryAccount {
 public:
  explicit MemoryAccount(const MemorySizes& z);
  double total() const;
  // "ensemble (8 of 16 members) 12 MB + ... = 120 MB".
  std::string line() const;
  JsonObject json() const;
  // Throws ConfigError when the total exceeds `available` bytes (the node's, shared by `ranks_on_node`).
  void check(double available, int ranks_on_node) const;

  // Libraries and code (MPI, HDF5, NetCDF, the program): a rank of a 25-cell twin peaks at about this much.
  static constexpr double kBaseBytes = 60e6;

 private:
  struct Item {
    std::string what;
    double bytes;
  };
  std::vector<Item> items_;
};

// The peak resident memory of this process so far (getrusage), in bytes.
double peak_resident_bytes();

}  // namespace landda::experiments
