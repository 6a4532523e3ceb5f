#pragma once
// RAII MPI communicators and the few collectives landda uses. Communicators
// are split like PDAF's: model tasks (ranks advancing one group of members),
// filter (ranks doing the analysis, here every rank, each on a block of the
// state) and couple (one rank per task, joining the tasks).
#include <mpi.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace landda::parallel {

class Comm {
 public:
  Comm() = default;
  ~Comm();
  Comm(Comm&& o) noexcept;
  Comm& operator=(Comm&& o) noexcept;
  Comm(const Comm&) = delete;
  Comm& operator=(const Comm&) = delete;

  static Comm duplicate(MPI_Comm c);  // an owned duplicate
  static Comm self();                 // a one-rank communicator of this process
  Comm split(int color, int key) const;

  MPI_Comm get() const { return comm_; }
  int rank() const;
  int size() const;
  bool root() const { return rank() == 0; }
  void barrier() const;

  double sum(double v) const;
  double max(double v) const;
  // The element-wise maximum over ranks, on every rank.
  void max_in_place(std::span<double> v) const;
  // Every rank's value, in rank order, on every rank.
  std::vector<double> allgather(double v) const;
  // The number of this communicator's ranks on this rank's node (shared memory).
  int node_size() const;
  long long sum(long long v) const;
  bool all(bool v) const;
  void broadcast(std::vector<double>& v, int root = 0) const;
  void broadcast(std::string& s, int root = 0) const;
  void broadcast(std::vector<std::uint64_t>& v, int root = 0) const;

 private:
  explicit Comm(MPI_Comm c) : comm_(c) {}
  MPI_Comm comm_ = MPI_COMM_NULL;
};

// Throws ParallelError with MPI's message when `code` is not MPI_SUCCESS.
void check_mpi(int code, const char* what);

struct Layout {
  Comm run;     // every rank of this run
  Comm model;   // the ranks of this rank's model task
  Comm filter;  // the ranks that take part in the analysis
  Comm couple;  // ranks with the same rank-in-task, one per task
  int task = 0, n_tasks = 1;

  // ranks_per_task must divide the number of ranks.
  static Layout make(const Comm& run, int ranks_per_task = 1);
};

}  // namespace landda::parallel
