#pragma once
// The MPI-IO hints every parallel file of a run is opened with (RAII over an
// MPI_Info). The collective buffer of an aggregating rank is capped at 4 MiB
// (`cb_buffer_size`, MPI 4.0 section 14.2.8): Open MPI's OMPIO otherwise lends
// each aggregator 32 MiB, which made rank 0 the largest rank of a run by
// about 20 MB from 4 ranks on (docs/benchmarks.md, session 19), for no gain
// in write time.
#include <mpi.h>

namespace landda::io {

class MpiIoHints {
 public:
  static constexpr const char* kCollectiveBuffer = "4194304";
  MpiIoHints() {
    MPI_Info_create(&info_);
    MPI_Info_set(info_, "cb_buffer_size", kCollectiveBuffer);
  }
  ~MpiIoHints() { MPI_Info_free(&info_); }
  MpiIoHints(const MpiIoHints&) = delete;
  MpiIoHints& operator=(const MpiIoHints&) = delete;
  MPI_Info get() const { return info_; }

 private:
  MPI_Info info_ = MPI_INFO_NULL;
};

}  // namespace landda::io
