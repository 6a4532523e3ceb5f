#pragma once
// An observation file in the IODA layout written a range of rows at a time
// by every rank of a communicator together (parallel NetCDF-4): a run's
// feedback files, where each rank writes its block of a window's rows at
// their place in the file, so the file is the same on any number of ranks.
// `Location` grows with the rows; the file is `<path>.partial` until
// commit(), copied at snapshot() (checkpoints) and taken up by reopen() after
// a restart, which writes the rows after the checkpoint anew.
#include <mpi.h>

#include <memory>
#include <string>

#include "observations/ioda/ioda_file.hpp"

namespace landda::io {
class NcFile;
}

namespace landda::observations {

class IodaRowWriter {
 public:
  // `header`: variable, units, platform, sensor, source, qc_group and the
  // groups (names, long names; values ignored); `station_width` > 0: a
  // MetaData/stationIdentification of that many characters. Collective.
  static IodaRowWriter create(const std::string& path, const ObsFile& header, std::size_t station_width, MPI_Comm comm);
  static IodaRowWriter reopen(const std::string& path, const ObsFile& header, MPI_Comm comm);
  IodaRowWriter(IodaRowWriter&&) noexcept;
  IodaRowWriter& operator=(IodaRowWriter&&) noexcept;
  ~IodaRowWriter();
  // Collective: this rank's rows [first, first + rows.obs.size()) (x longitude, y latitude), their groups'
  // values (as the header's, in its order) and stations (when the file has them); a rank may have none.
  void write(std::size_t first, const ObsFile& rows);
  void snapshot();  // at a checkpoint
  void commit();    // complete: moved into place

 private:
  IodaRowWriter();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace landda::observations
