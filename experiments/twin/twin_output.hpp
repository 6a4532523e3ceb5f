#pragma once
// The twin experiment's CF NetCDF output: truth, forecast and analysis mean
// and spread per cycle, and the scalar scores. Grows as a .partial file that
// survives a crash; renamed when the run completes. With a communicator every
// rank writes the fields of its own cells into the one file (parallel
// NetCDF-4, chunked along time and cells); nothing is gathered.
#include <Eigen/Core>
#include <memory>
#include <string>
#include <vector>

#include "core/grid.hpp"
#include "core/state.hpp"
#include "core/time.hpp"
#include "experiments/cycle/run_stats.hpp"
#include "io/netcdf.hpp"

namespace landda::experiments {

class TwinOutput {
 public:
  struct Spec {
    std::string path;
    const Grid& grid;
    const StateLayout& layout;
    Time start;
    int deflate = 1;
    bool fields = true;
    std::string truth_name = "truth";           // "control" for the open loop
    std::vector<std::string> diagnostics = {};  // per-cell model diagnostics (fluxes)
    std::vector<std::string> sources = {};      // observation sources: per-cycle statistics on a `source` axis
    bool layered = false;                       // the model has layers: surface and root-zone scores too
    MPI_Comm comm = MPI_COMM_NULL;              // its ranks write together; null: this process alone
    int cell_begin = 0, cell_count = -1;        // the cells this rank writes (-1: every cell)
    std::vector<int> kinds = {0, 1, 2, 3, 4};   // which fields (state_field_names() order)
    std::vector<int> layers = {};               // which layers, top = 0 (empty: every one)
  };
  // One cycle: the scores of cycle_fields() and each source's source_scores().
  struct Record {
    Time time;
    CycleScores scores;
    // This rank's cells, every row of a cell together (StateLayout::cell_major_order), not copied: they must
    // live until write(); null when fields are off (or written by the other call: write_fields before the analysis).
    const Eigen::VectorXd *truth = nullptr, *f_mean = nullptr, *f_spread = nullptr, *a_mean = nullptr, *a_spread = nullptr;
    // Diagnostics of this rank's cells, name-major: the nature run's and the ensemble mean's (the water-balance
    // error: the largest of any member); empty without.
    Eigen::VectorXd diag_truth, diag_mean;
    bool diagnostics = false;  // written (every rank writes them, collectively, its cells perhaps none)
    std::vector<SourceSums> sources;        // one per source; empty without sources
  };

  static std::unique_ptr<TwinOutput> create(const Spec& spec);
  static std::unique_ptr<TwinOutput> reopen(const Spec& spec);
  void write(long long index, const Record& r);
  // The record's fields alone (those not null): the forecast's are written before the analysis.
  void write_fields(long long index, const Record& r);
  void sync() { nc_.sync(); }
  void snapshot() { nc_.snapshot(); }  // at each checkpoint: a copy a restart can take up
  void commit() { nc_.commit(); }

 private:
  TwinOutput(io::NcFile nc, const Spec& spec);
  io::NcFile nc_;
  const StateLayout& layout_;
  Time start_;
  bool fields_, layered_;
  std::string truth_name_;
  std::vector<std::string> diagnostics_;
  std::size_t n_sources_ = 0;
  std::size_t cell_begin_ = 0, cell_count_ = 0;
  std::vector<int> kinds_, layers_;
  bool root_ = true;
  std::vector<double> buf_;
};

// maps.nc: sums over `cycles` cycles of the analysis mean and of the
// increment (analysis - forecast mean), written as time means per layer and
// cell. Collective over `comm` (MPI_COMM_NULL: one rank): each rank writes its
// own cells [cell_begin, + cell_count) from its rows of the sums (every row of
// a cell together, in order).
struct MapsSpec {
  std::string path;
  const Grid& grid;
  const StateLayout& layout;
  int deflate = 0;
  MPI_Comm comm = MPI_COMM_NULL;
  Eigen::Index cell_begin = 0, cell_count = 0;
};
void write_maps(const MapsSpec& spec, const Eigen::VectorXd& mean_sum, const Eigen::VectorXd& increment_sum, long long cycles);

}  // namespace landda::experiments
