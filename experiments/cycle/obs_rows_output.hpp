#pragma once
// Observation files a run writes a window at a time, one per source, by every
// rank together: the feedback files (output.diagnostics: JEDI's O, H(x) of the
// background and the analysis, their differences) and the synthetic draws
// (output.observations). Each window a rank keeps the rows it writes (in the
// cells layout the observations it owns); a flush
// hands every kept row to the rank whose block of the unflushed rows holds it,
// and each rank writes that one block into each file (parallel NetCDF-4: a
// few collective writes a flush, not a window). The files are the same on any
// number of ranks, and no rank holds a whole window, nor the whole run.
#include <Eigen/Core>
#include <optional>
#include <string>
#include <vector>

#include "core/state.hpp"
#include "observations/ioda/ioda_file.hpp"
#include "observations/ioda/ioda_row_writer.hpp"
#include "parallel/distribution.hpp"

namespace landda::experiments {

class ObsRowsOutput {
 public:
  struct Source {
    std::string path;
    observations::ObsFile header;              // variable, units, groups, ... (no rows)
    const std::vector<std::string>* stations;  // the names rows refer to (null: none)
  };
  // Kept rows a rank may hold before a flush (7 MB of feedback rows).
  static constexpr std::size_t kFlushRows = std::size_t{1} << 16;
  // `rows`: each file's rows already written (a restart continues after them); `flush_rows`: kept rows a rank
  // may hold before a flush.
  ObsRowsOutput(const parallel::Distribution& dist, std::vector<Source> sources, bool restart, const Eigen::VectorXd& rows,
                 std::size_t flush_rows = kFlushRows);
  // This rank's rows of source k at rows `file_rows` of its file: x longitude, y latitude, the header's groups;
  // `station_rows` index the source's stations (empty: none).
  void add(std::size_t k, const std::vector<std::size_t>& file_rows, const observations::ObsFile& rows,
           const std::vector<Index>& station_rows);
  // Collective: the kept rows written when they are many (`force`: always; before a checkpoint and at the end).
  // `rows`: each file's rows so far (the same on every rank).
  void flush(const Eigen::VectorXd& rows, bool force);
  void snapshot();  // after a forced flush
  void commit();

 private:
  void flush_source(std::size_t k, std::size_t to);
  static constexpr std::size_t kFixed = 8;  // values of a row before its groups
  const parallel::Distribution& dist_;
  std::vector<Source> sources_;
  std::vector<std::optional<observations::IodaRowWriter>> files_;
  std::vector<std::vector<double>> kept_;  // per source and row: file row, x, y, time, value, error, qc, station row, groups
  std::vector<std::size_t> flushed_;  // rows of each file written
  std::size_t flush_rows_;
};

}  // namespace landda::experiments
